"""Outbound messages as Discord shows them: Markdown content of at most 2000 characters, buttons.

Every component carries a custom id that says all that is needed to act on it, so a button
still works after the bot restarts:

- `deseo:f:<tag>:<action>` answers a prompt (a `flows.conversation.Press`), `deseo:fs:<tag>:<n>`
  is the n-th select menu of a prompt with too many options for buttons;
- `deseo:m:<option id>` picks from a menu of `bot.commands`, `deseo:ms:<n>` its n-th select;
- `deseo:type:<tag>` opens a box to type the answer in, which submits `deseo:answer:<tag>`.

The views built here only draw components. Clicks are routed by the `DynamicItem` classes that
`bot.discord_items` defines for these ids, not by the view objects; what a click needs back
from a drawn message (its ticks, a typed answer) is read here too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import discord

from flows.conversation import MENU_TAG, Option, Outbound
from flows.meetings import RSVP_TAG

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_CONTENT = 2000
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_LABEL = 100
MAX_COMPONENTS = 25
MAX_ROWS = 5
MAX_SELECT_OPTIONS = 25
MAX_TYPED = 4000
TYPED_HINTS = frozenset({"text", "number", "date"})

PROMPT_BUTTON = re.compile(r"deseo:f:(?P<tag>[^:]+):(?P<action>[^:]+)")
PROMPT_SELECT = re.compile(r"deseo:fs:(?P<tag>[^:]+):(?P<number>\d)")
MENU_BUTTON = re.compile(r"deseo:m:(?P<option>.+)")
MENU_SELECT = re.compile(r"deseo:ms:(?P<number>\d)")
TYPE_BUTTON = re.compile(r"deseo:type:(?P<tag>.+)")
ANSWER_BOX = re.compile(r"deseo:answer:(?P<tag>.+)")
ANSWER_FIELD = "answer"

# The engine tags only prompts that offer options; a typed-answer question without any is named
# by its step instead, so that an old "Type my answer" button can still be recognised as stale.
STEP_TAG = "s."
UNTAGGED = "-"

TYPE_LABEL = "Type my answer"
ANSWER_TITLE = "Your answer"
MAX_LABEL_DESCRIPTION = 100
DONE_LABEL = "Done"
CHOOSE = "Choose…"
TICK = "✓ "

BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")


def prompt_id(tag: str, action: str) -> str:
    return _checked(f"deseo:f:{tag}:{action}")


def prompt_select_id(tag: str, number: int) -> str:
    return _checked(f"deseo:fs:{tag}:{number}")


def menu_id(option_id: str) -> str:
    return _checked(f"deseo:m:{option_id}")


def menu_select_id(number: int) -> str:
    return _checked(f"deseo:ms:{number}")


def type_id(tag: str) -> str:
    return _checked(f"deseo:type:{tag}")


def answer_box_id(tag: str) -> str:
    return _checked(f"deseo:answer:{tag}")


def _checked(custom_id: str) -> str:
    if len(custom_id) > MAX_CUSTOM_ID:
        raise ValueError(f"custom id longer than {MAX_CUSTOM_ID} characters: {custom_id!r}")
    return custom_id


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut."""
    text = text.strip() or "…"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Drawing(discord.ui.View):
    """Components drawn on a message, which discord.py is told not to keep.

    Clicks reach the `DynamicItem`s registered on the client by custom id, which also works
    after a restart, so the view object is not needed for them; kept, it would stay in memory
    for as long as the bot runs.
    """

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_finished(self) -> bool:
        return True


@dataclass(frozen=True)
class Piece:
    """One Discord message: its content and the components it carries, if any."""

    content: str
    view: discord.ui.View | None = None
    # A short status (a stale button, say) that only the person who caused it needs to see.
    notice: bool = False


# --- content ---------------------------------------------------------------------------------


def to_markdown(text: str) -> str:
    """The flows' Markdown subset in Discord's dialect: `*bold*` is `**bold**` there."""
    return BOLD.sub(r"**\1**", text)


def content_of(message: Outbound) -> str:
    """The text of a message as Discord shows it: progress and hint as small print."""
    lines: list[str] = []
    if message.progress:
        lines.append(f"-# {message.progress}")
    body = to_markdown(message.text)
    lines.append(f"⚠️ {body}" if message.kind == "error" else body)
    if not message.tag and message.options:
        # Options nobody can press any more (an earlier prompt) are shown as a list instead.
        lines.extend(f"{n}. {option.label}" for n, option in enumerate(message.options, 1))
    if message.hint and message.kind == "question":
        lines.append(f"-# {message.hint}")
    return "\n".join(lines)


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """`text` in parts of at most `limit` characters, cut between paragraphs where possible."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, 0, limit + 1)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    parts.append(rest)
    return parts


def answered(content: str, answer: str) -> str:
    """A prompt's content with the person's answer quoted under it, for the record."""
    quote = f"\n>>> {clip(answer, MAX_CONTENT // 2)}"
    return clip(content, MAX_CONTENT - len(quote)) + quote


# --- components ------------------------------------------------------------------------------


def typed_tag(message: Outbound) -> str:
    """The tag a typed answer to `message` names: its prompt tag, else its step."""
    if message.tag:
        return message.tag
    if message.step_id:
        tag = STEP_TAG + message.step_id
        # The answer box's id is the longer of the two that carry the tag.
        if len(answer_box_id("")) + len(tag) <= MAX_CUSTOM_ID:
            return tag
    return UNTAGGED


def wants_typing(message: Outbound) -> bool:
    return message.kind == "question" and message.input_hint in TYPED_HINTS


def build_view(message: Outbound) -> discord.ui.View | None:
    """The components of a message, or None when it offers nothing to press."""
    if message.tag in (MENU_TAG, RSVP_TAG):
        items = _menu_items(message.options)
    elif message.tag:
        items = _prompt_items(message, message.tag)
    elif wants_typing(message):
        items = [_type_button(typed_tag(message))]
    else:
        items = []
    if not items:
        return None
    view = Drawing()
    for item in items:
        view.add_item(item)
    return view


def _type_button(tag: str) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(
        label=TYPE_LABEL, style=discord.ButtonStyle.secondary, custom_id=type_id(tag)
    )


def _prompt_items(message: Outbound, tag: str) -> list[discord.ui.Item[discord.ui.View]]:
    extras: list[discord.ui.Button[discord.ui.View]] = []
    if message.multiple:
        extras.append(
            discord.ui.Button(
                label=DONE_LABEL,
                style=discord.ButtonStyle.primary,
                custom_id=prompt_id(tag, "done"),
            )
        )
    if wants_typing(message):
        extras.append(_type_button(tag))
    options = message.options
    items: list[discord.ui.Item[discord.ui.View]] = []
    if len(options) + len(extras) <= MAX_COMPONENTS:
        for index, option in enumerate(options):
            ticked = message.multiple and option.id in message.selected
            style = discord.ButtonStyle.primary
            if message.multiple:
                style = discord.ButtonStyle.success if ticked else discord.ButtonStyle.secondary
            action = f"t{index}" if message.multiple else str(index)
            label = (TICK if ticked else "") + option.label
            items.append(
                discord.ui.Button(
                    label=clip(label, MAX_BUTTON_LABEL),
                    style=style,
                    custom_id=prompt_id(tag, action),
                    row=index // 5,
                )
            )
        # Done and "Type my answer" go on a row of their own when there is one to spare.
        extras_row = min((len(options) + 4) // 5, MAX_ROWS - 1)
    else:
        selects = MAX_ROWS - (1 if extras else 0)
        chunks = _chunks(list(enumerate(options)), MAX_SELECT_OPTIONS, selects, message)
        for number, chunk in enumerate(chunks):
            items.append(
                discord.ui.Select(
                    custom_id=prompt_select_id(tag, number),
                    placeholder=CHOOSE,
                    min_values=0 if message.multiple else 1,
                    max_values=len(chunk) if message.multiple else 1,
                    options=[
                        discord.SelectOption(
                            label=clip(option.label, MAX_SELECT_LABEL),
                            value=str(index),
                            default=message.multiple and option.id in message.selected,
                        )
                        for index, option in chunk
                    ],
                    row=number,
                )
            )
        extras_row = len(chunks)
    for extra in extras:
        extra.row = extras_row
    return [*items, *extras]


def _menu_items(options: Sequence[Option]) -> list[discord.ui.Item[discord.ui.View]]:
    usable = [o for o in options if len(menu_id("")) + len(o.id) <= MAX_CUSTOM_ID]
    if len(usable) < len(options):
        log.warning("menu options with ids too long for Discord were left out: %s", options)
    items: list[discord.ui.Item[discord.ui.View]] = []
    if len(usable) <= MAX_COMPONENTS:
        for index, option in enumerate(usable):
            items.append(
                discord.ui.Button(
                    label=clip(option.label, MAX_BUTTON_LABEL),
                    style=discord.ButtonStyle.primary,
                    custom_id=menu_id(option.id),
                    row=index // 5,
                )
            )
        return items
    for number, chunk in enumerate(_chunks(usable, MAX_SELECT_OPTIONS, MAX_ROWS, usable)):
        items.append(
            discord.ui.Select(
                custom_id=menu_select_id(number),
                placeholder=CHOOSE,
                options=[
                    discord.SelectOption(label=clip(o.label, MAX_SELECT_LABEL), value=o.id)
                    for o in chunk
                ],
                row=number,
            )
        )
    return items


def _chunks(items: list[T], size: int, most: int, about: object) -> list[list[T]]:
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    if len(chunks) > most:
        log.warning("too many options to show on Discord; the last were left out: %s", about)
    return chunks[:most]


class AnswerBox(discord.ui.Modal):
    """The box a typed answer is written in, submitted as `deseo:answer:<tag>`.

    Like `Drawing`, discord.py does not keep it: the client handles the submission by its id,
    so an answer typed while the bot restarted is not lost.
    """

    def __init__(self, tag: str, question: str) -> None:
        super().__init__(title=ANSWER_TITLE, custom_id=answer_box_id(tag), timeout=None)
        self.field: discord.ui.TextInput[AnswerBox] = discord.ui.TextInput(
            custom_id=ANSWER_FIELD,
            style=discord.TextStyle.paragraph,
            max_length=MAX_TYPED,
            required=True,
        )
        description = clip(question, MAX_LABEL_DESCRIPTION) if question.strip() else None
        self.add_item(
            discord.ui.Label(text=ANSWER_TITLE, description=description, component=self.field)
        )

    def is_finished(self) -> bool:
        return True


def question_of(content: str) -> str:
    """The question in a prompt's content, without the small print, as plain text."""
    lines = [line for line in content.splitlines() if not line.startswith(("-# ", ">>> "))]
    return " ".join(" ".join(lines).replace("**", "").split())


# --- whole messages --------------------------------------------------------------------------


def render(message: Outbound) -> list[Piece]:
    """A message as one or more Discord messages; the components go on the last."""
    parts = split_text(content_of(message))
    notice = message.kind == "notice"
    pieces = [Piece(part, notice=notice) for part in parts[:-1]]
    pieces.append(Piece(parts[-1], build_view(message), notice=notice))
    return pieces


async def send_rendered(channel: discord.abc.Messageable, messages: Iterable[Outbound]) -> None:
    """Send messages to a channel as Discord shows them, each piece with its components."""
    for piece in render_all(messages):
        if piece.view is None:
            await channel.send(piece.content or "…")
        else:
            await channel.send(piece.content or "…", view=piece.view)


def render_all(messages: Iterable[Outbound]) -> list[Piece]:
    """Messages as few Discord messages as fit: text without components is joined to the next."""
    packed: list[Piece] = []
    for piece in (p for message in messages for p in render(message)):
        last = packed[-1] if packed else None
        if (
            last is not None
            and last.view is None
            and last.notice == piece.notice
            and len(last.content) + 2 + len(piece.content) <= MAX_CONTENT
        ):
            packed[-1] = Piece(f"{last.content}\n\n{piece.content}", piece.view, piece.notice)
        else:
            packed.append(piece)
    return packed


# --- reading back what was drawn ------------------------------------------------------------


def label_of(item: discord.ui.Item[Any]) -> str:
    """The label of a clicked button, without the tick a chosen option shows."""
    label = getattr(item, "label", None) or ""
    return label.removeprefix(TICK)


def ticked(message: discord.Message | None) -> str:
    """The options ticked on a multiple-choice prompt, as its buttons or select menus show them."""
    if message is None:
        return ""
    labels: list[str] = []
    for row in message.components:
        for child in row.children if isinstance(row, discord.ActionRow) else ():
            if isinstance(child, discord.Button) and PROMPT_BUTTON.fullmatch(child.custom_id or ""):
                if child.style is discord.ButtonStyle.success:
                    labels.append((child.label or "").removeprefix(TICK))
            elif isinstance(child, discord.SelectMenu) and PROMPT_SELECT.fullmatch(child.custom_id):
                labels.extend(option.label for option in child.options if option.default)
    return ", ".join(labels)


def typed_value(data: Mapping[str, Any]) -> str | None:
    """The text typed in an `AnswerBox`, from a modal submission's payload."""
    stack: list[Any] = list(data.get("components", []))
    while stack:
        component = stack.pop()
        if not isinstance(component, Mapping):
            continue
        if component.get("custom_id") == ANSWER_FIELD and "value" in component:
            return str(component["value"])
        stack.extend(component.get("components", []))
        if "component" in component:
            stack.append(component["component"])
    return None
