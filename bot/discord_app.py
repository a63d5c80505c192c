"""The Discord bot: slash commands, buttons and direct messages driving the conversation service.

What it promises:
- every interaction is an event with the id `discord:<interaction id>` and every direct message
  one with `discord-message:<message id>`, so a delivery seen before is applied once;
- it acknowledges an interaction at once and answers after, so a slow store never makes
  Discord give up on a click;
- buttons work after a restart: their custom ids carry everything (see `bot.discord_render`)
  and the `DynamicItem` classes of `bot.discord_items`, registered at login, route them;
- answers in a server are seen only by the person (ephemeral); in a direct message they are
  ordinary messages, and a pressed prompt is edited to show the answer, without its buttons;
- when something fails the person is told so, and that their answers are kept.

Slash commands are published to Discord deliberately: by `sync_discord_commands`, or at start
when they differ from what was last published from this state directory. The client is logged
in and run by `bot.discord_platform`; its commands and click-routing items live in
`bot.discord_commands` and `bot.discord_items`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.commands import COMMAND_NAMES, COMMANDS, LANGUAGES, ChatCommands
from bot.discord_commands import command_digest, slash_command
from bot.discord_items import DYNAMIC_ITEMS
from bot.discord_render import (
    ANSWER_BOX,
    STEP_TAG,
    UNTAGGED,
    AnswerBox,
    answered,
    question_of,
    render,
    render_all,
    send_rendered,
    typed_value,
)
from flows.conversation import ConversationService, Outbound, Press, Reply, Sender, engine, say
from flows.meetings import MeetingService
from flows.people import ChatRef, LinkCodes, Platform
from flows.referrals import ReferralService
from flows.surveys import CampaignService
from flows.threads import ThreadWatchService
from flows.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

COMMANDS_FILE = "discord-commands.sha256"
SORRY = (
    "Sorry, something went wrong on my side. Your answers so far are saved: "
    "send /resume to carry on."
)

DISCORD = Platform("discord")
"""Discord's name: its people, chats and outbox rows carry it."""


# --- who and where ---------------------------------------------------------------------------


def sender_of(user: discord.abc.User, locale: discord.Locale | None = None) -> Sender:
    """The sender of a Discord user's events; their client's language seeds a new person's."""
    language = None
    if locale is not None:
        code = locale.value.split("-")[0]
        language = code if code in LANGUAGES else None
    return Sender(DISCORD, str(user.id), user.display_name, language)


def event_id(interaction: discord.Interaction[Any], part: int = 0) -> str:
    """The event id of an interaction, or of the `part`-th event one click stands for."""
    return f"discord:{interaction.id}" if part == 0 else f"discord:{interaction.id}:{part}"


def is_private(interaction: discord.Interaction[Any]) -> bool:
    """Whether answers should be seen by the person alone: everywhere but a DM with the bot."""
    return not isinstance(interaction.channel, discord.DMChannel)


# --- the client ------------------------------------------------------------------------------


class DeseoDiscord(discord.Client):
    """The deseo bot on Discord, over one conversation service."""

    def __init__(
        self,
        service: ConversationService[UnitOfWork],
        *,
        state_dir: Path | None,
        sync_on_start: bool = True,
        meetings: MeetingService | None = None,
        referrals: ReferralService | None = None,
        campaigns: CampaignService | None = None,
        links: LinkCodes | None = None,
        threads: ThreadWatchService | None = None,
    ) -> None:
        intents = discord.Intents.default()
        # Direct messages carry their text without the privileged Message Content intent,
        # and the bot reads no other messages, so it does not ask for that intent.
        intents.dm_messages = True
        # Flow text and typed answers are echoed back: they must never ping anybody.
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.service = service
        self.chat = ChatCommands(
            service, meetings, referrals, campaigns, links=links, threads=threads
        )
        self.tree: app_commands.CommandTree[DeseoDiscord] = app_commands.CommandTree(
            self, allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True)
        )
        for spec in COMMANDS:
            self.tree.add_command(slash_command(spec))
        self.commands_file = state_dir / COMMANDS_FILE if state_dir is not None else None
        self._sync_on_start = sync_on_start

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self._sync_on_start:
            try:
                await self.sync_if_changed()
            except (discord.HTTPException, app_commands.AppCommandError, OSError):
                # The bot works without fresh commands; the old ones or a later sync will do.
                log.warning("could not publish the Discord slash commands", exc_info=True)

    # --- publishing commands ------------------------------------------------------------------

    def _published_record(self) -> str:
        return f"{self.application_id} {command_digest(self.tree)}"

    def commands_changed(self) -> bool:
        """Whether the commands differ from those last published from this state directory."""
        if self.commands_file is None:
            return True
        try:
            return self.commands_file.read_text().strip() != self._published_record()
        except FileNotFoundError:
            return True

    async def sync_commands(self) -> int:
        """Publish the slash commands now (the client must be logged in); the number published."""
        synced = await self.tree.sync()
        if self.commands_file is not None:
            self.commands_file.parent.mkdir(parents=True, exist_ok=True)
            self.commands_file.write_text(self._published_record() + "\n")
        log.info("published %d Discord slash commands", len(synced))
        return len(synced)

    async def sync_if_changed(self) -> bool:
        """Publish the commands when they changed since last time; whether it did."""
        if not self.commands_changed():
            return False
        await self.sync_commands()
        return True

    # --- direct messages ----------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A direct message is an answer, or a command when it starts with one of ours."""
        if message.author.bot or not isinstance(message.channel, discord.DMChannel):
            return
        text = message.content.strip()
        if not text:
            return
        who = sender_of(message.author)
        event = f"discord-message:{message.id}"
        try:
            name, _, argument = text[1:].partition(" ")
            if text.startswith("/") and name.lower() in COMMAND_NAMES:
                outcome = await self.chat.run(
                    who,
                    name.lower(),
                    argument,
                    event_id=event,
                    chat=ChatRef(DISCORD, str(message.channel.id)),
                    private=True,
                )
            else:
                outcome = await self.service.handle(who, Reply(text), event_id=event)
            if outcome.duplicate:
                return
            await send_rendered(message.channel, outcome.messages)
        except Exception:
            log.exception("a Discord direct message from %s failed", message.author.id)
            with suppress(discord.HTTPException):
                await message.channel.send(SORRY)

    # --- interactions -------------------------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Typed answers are handled here by id rather than by a kept Modal, so that a box
        # submitted while the bot restarted is still understood.
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Mapping[str, Any] = interaction.data or {}
        match = ANSWER_BOX.fullmatch(str(data.get("custom_id", "")))
        if match is None:
            return
        text = typed_value(data)
        if text is None:
            log.warning("an answer box came back without its text: %s", data)
            return
        await self._guarded(interaction, self._typed(interaction, match["tag"], text))

    async def run_command(
        self, interaction: discord.Interaction[Any], name: str, argument: str
    ) -> None:
        """Carry out a slash command for the person who used it."""
        await self._guarded(interaction, self._run(interaction, name, argument))

    async def press(
        self,
        interaction: discord.Interaction[Any],
        tag: str,
        actions: Sequence[str],
        *,
        answer: str,
    ) -> None:
        """Apply a button of a prompt; several actions are applied in turn (a select's toggles)."""
        await self._guarded(interaction, self._press(interaction, tag, actions, answer))

    async def choose(
        self, interaction: discord.Interaction[Any], option_id: str, *, answer: str
    ) -> None:
        """Apply an option of a menu."""
        await self._guarded(interaction, self._choose(interaction, option_id, answer))

    async def open_answer_box(self, interaction: discord.Interaction[Any], tag: str) -> None:
        """Show the box to type an answer to the prompt in; no store access, to answer in time."""
        await self._guarded(interaction, self._open_box(interaction, tag))

    async def _open_box(self, interaction: discord.Interaction[Any], tag: str) -> None:
        content = interaction.message.content if interaction.message is not None else ""
        await interaction.response.send_modal(AnswerBox(tag, question_of(content)))

    async def _run(self, interaction: discord.Interaction[Any], name: str, argument: str) -> None:
        private = is_private(interaction)
        await interaction.response.defer(ephemeral=private, thinking=True)
        who = sender_of(interaction.user, interaction.locale)
        channel = interaction.channel
        outcome = await self.chat.run(
            who,
            name,
            argument,
            event_id=event_id(interaction),
            chat=ChatRef(DISCORD, str(interaction.channel_id)),
            private=interaction.guild is None,
            title=getattr(channel, "name", None),
        )
        if outcome.duplicate:
            return
        await self._follow(interaction, outcome.messages, private=private)

    async def _press(
        self,
        interaction: discord.Interaction[Any],
        tag: str,
        actions: Sequence[str],
        answer: str,
    ) -> None:
        await interaction.response.defer()
        if not actions:
            return
        who = sender_of(interaction.user, interaction.locale)
        messages: tuple[Outbound, ...] = ()
        for part, action in enumerate(actions):
            outcome = await self.service.handle(
                who, Press(tag, action), event_id=event_id(interaction, part)
            )
            if outcome.duplicate:
                return
            messages = outcome.messages
        await self._conclude(interaction, messages, answer=answer, tag=tag)

    async def _choose(
        self, interaction: discord.Interaction[Any], option_id: str, answer: str
    ) -> None:
        if option_id.startswith("rsvp:"):
            # An invitation is shared by everyone in the channel: answer privately, leave it be.
            who = sender_of(interaction.user, interaction.locale)
            outcome = await self.chat.choose(who, option_id, event_id=event_id(interaction))
            if not outcome.duplicate and outcome.messages:
                await interaction.response.send_message(outcome.messages[0].text, ephemeral=True)
            return
        await interaction.response.defer()
        who = sender_of(interaction.user, interaction.locale)
        outcome = await self.chat.choose(who, option_id, event_id=event_id(interaction))
        if outcome.duplicate:
            return
        await self._conclude(interaction, outcome.messages, answer=answer)

    async def _typed(self, interaction: discord.Interaction[Any], tag: str, text: str) -> None:
        private = is_private(interaction)
        if interaction.message is not None:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=private, thinking=True)
        who = sender_of(interaction.user, interaction.locale)
        stale = await self._stale(who, tag)
        if stale is not None:
            await self._conclude(interaction, (stale,), answer=text)
            return
        outcome = await self.service.handle(who, Reply(text), event_id=event_id(interaction))
        if outcome.duplicate:
            return
        await self._conclude(interaction, outcome.messages, answer=text)

    async def _stale(self, who: Sender, tag: str) -> Outbound | None:
        """A notice when a typed answer belongs to a question no longer asked, else None.

        Buttons are checked by the engine (`Press`); a typed `Reply` answers whatever is asked
        now, so an old "Type my answer" box is checked here against the same tag.
        """
        if tag == UNTAGGED:
            return None
        current = await self.service.current(who)
        if current is None:
            return None
        state = current.state
        if tag.startswith(STEP_TAG):
            asked = (
                state.status != "completed"
                and state.awaiting == "answer"
                and state.step_id == tag.removeprefix(STEP_TAG)
            )
        else:
            asked = engine.prompt_tag(state) == tag
        return None if asked else Outbound(say(state.language, "stale"), kind="notice")

    async def _conclude(
        self,
        interaction: discord.Interaction[Any],
        messages: Sequence[Outbound],
        *,
        answer: str,
        tag: str | None = None,
    ) -> None:
        """After a click: update the message clicked on, then send what the service said."""
        private = is_private(interaction)
        if (
            tag is not None
            and len(messages) == 1
            and messages[0].tag == tag
            and messages[0].multiple
        ):
            # A toggle: the same prompt with other ticks replaces the one clicked on.
            piece = render(messages[0])[-1]
            await interaction.edit_original_response(content=piece.content, view=piece.view)
            return
        if interaction.message is not None:
            if messages and all(message.kind == "notice" for message in messages):
                # Refused (a stale button): its buttons will never work again.
                await interaction.edit_original_response(view=None)
            else:
                content = answered(interaction.message.content, answer)
                await interaction.edit_original_response(content=content, view=None)
        await self._follow(interaction, messages, private=private)

    async def _follow(
        self,
        interaction: discord.Interaction[Any],
        messages: Sequence[Outbound],
        *,
        private: bool,
    ) -> None:
        pieces = render_all(messages)
        if (
            not pieces
            and interaction.response.type
            is discord.InteractionResponseType.deferred_channel_message
        ):
            # Nothing to say: do not leave "thinking…" on screen.
            await interaction.delete_original_response()
            return
        for piece in pieces:
            extra: dict[str, Any] = {} if piece.view is None else {"view": piece.view}
            await interaction.followup.send(
                piece.content or "…", ephemeral=private or piece.notice, **extra
            )

    async def _guarded(
        self, interaction: discord.Interaction[Any], work: Awaitable[object]
    ) -> None:
        try:
            await work
        except Exception:
            log.exception(
                "Discord interaction %s of %s failed", interaction.id, interaction.user.id
            )
            await self._sorry(interaction)

    async def _sorry(self, interaction: discord.Interaction[Any]) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(SORRY, ephemeral=True)
            else:
                await interaction.response.send_message(SORRY, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell Discord user %s that it failed", interaction.user.id)
