"""The items that route clicks on deseo's Discord components back to the bot.

Each is a `DynamicItem` for one custom id template of `bot.discord_render`: the custom id carries
all it needs, so a button drawn before a restart still works once the bot registers these.
The items only read the click; the bot behind `handler_of` does the work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, cast, runtime_checkable

import discord

from bot.discord_render import (
    MENU_BUTTON,
    MENU_SELECT,
    PROMPT_BUTTON,
    PROMPT_SELECT,
    TYPE_BUTTON,
    label_of,
    ticked,
)
from flows.conversation import ConversationService
from flows.unit_of_work import UnitOfWork

V = TypeVar("V", bound=discord.ui.Item[Any])


@runtime_checkable
class InteractionHandler(Protocol):
    """What the items and slash commands need of the client they arrive on."""

    service: ConversationService[UnitOfWork]

    async def run_command(
        self, interaction: discord.Interaction[Any], name: str, argument: str
    ) -> None: ...

    async def press(
        self,
        interaction: discord.Interaction[Any],
        tag: str,
        actions: Sequence[str],
        *,
        answer: str,
    ) -> None: ...

    async def choose(
        self, interaction: discord.Interaction[Any], option_id: str, *, answer: str
    ) -> None: ...

    async def open_answer_box(self, interaction: discord.Interaction[Any], tag: str) -> None: ...


def handler_of(interaction: discord.Interaction[Any]) -> InteractionHandler:
    """The deseo bot an interaction arrived on."""
    client = interaction.client
    if not isinstance(client, InteractionHandler):
        raise TypeError(f"deseo's Discord items need a DeseoDiscord client, not {client!r}")
    return client


class RoutedItem(discord.ui.DynamicItem[V], Generic[V], template=re.compile(r"(?!)")):
    """What every item below shares: it is made from the component its custom id came on,
    which must be of its `kind`, and keeps the named parts of that id in `fields`.

    discord.py wants a template for every subclass; this base's matches nothing and it is
    never registered, only its subclasses are.
    """

    kind: ClassVar[type[discord.ui.Item[Any]]]

    def __init__(self, item: V) -> None:
        super().__init__(item)
        match = self.template.fullmatch(self.custom_id)
        assert match is not None  # DynamicItem checked the template
        self.fields: dict[str, str] = match.groupdict()

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> Self:
        if not isinstance(item, cls.kind):
            what = "button" if cls.kind is discord.ui.Button else "select menu"
            raise TypeError(f"{match.string} is not a {what}")
        return cls(cast(V, item))


class PromptButton(RoutedItem[discord.ui.Button[Any]], template=PROMPT_BUTTON):
    """An option, toggle, Done or command button of a prompt: presses `Press(tag, action)`."""

    kind = discord.ui.Button

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        tag, action = self.fields["tag"], self.fields["action"]
        answer = ticked(interaction.message) if action == "done" else label_of(self.item)
        await handler_of(interaction).press(interaction, tag, [action], answer=answer)


class PromptSelect(RoutedItem[discord.ui.Select[Any]], template=PROMPT_SELECT):
    """A select menu of a prompt with too many options for buttons."""

    kind = discord.ui.Select

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        select, tag = self.item, self.fields["tag"]
        labels = {option.value: option.label for option in select.options}
        if select.min_values == 0:
            # A multiple choice: the options whose state changed are toggled, one event each.
            before = {option.value for option in select.options if option.default}
            changed = sorted(before ^ set(select.values), key=int)
            actions = [f"t{value}" for value in changed]
            await handler_of(interaction).press(interaction, tag, actions, answer="")
        else:
            value = select.values[0]
            await handler_of(interaction).press(interaction, tag, [value], answer=labels[value])


class MenuButton(RoutedItem[discord.ui.Button[Any]], template=MENU_BUTTON):
    """An option of a command's menu (which flow, which language)."""

    kind = discord.ui.Button

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        option, answer = self.fields["option"], label_of(self.item)
        await handler_of(interaction).choose(interaction, option, answer=answer)


class MenuSelect(RoutedItem[discord.ui.Select[Any]], template=MENU_SELECT):
    """A command's menu with too many options for buttons."""

    kind = discord.ui.Select

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        value = self.item.values[0]
        labels = {option.value: option.label for option in self.item.options}
        await handler_of(interaction).choose(interaction, value, answer=labels.get(value, value))


class TypeButton(RoutedItem[discord.ui.Button[Any]], template=TYPE_BUTTON):
    """ "Type my answer": opens an `AnswerBox` for the prompt it sits on."""

    kind = discord.ui.Button

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).open_answer_box(interaction, self.fields["tag"])


DYNAMIC_ITEMS = (PromptButton, PromptSelect, MenuButton, MenuSelect, TypeButton)
