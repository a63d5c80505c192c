"""deseo's chat commands as Discord slash commands, and the fingerprint that says when the
published ones are out of date.

Each slash command only reads its options; the bot behind `handler_of` carries it out, the same
way as the command typed in a direct message.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import discord
from discord import app_commands

from bot.commands import LANGUAGES, ChatCommand
from bot.discord_items import handler_of
from bot.discord_render import clip
from flows.conversation import ConversationService, FlowKind, engine
from flows.unit_of_work import UnitOfWork

# Which flows the `name` option of a command offers; None offers all of them.
FLOW_COMMANDS: dict[str, FlowKind | None] = {
    "start": None,
    "assess": "assessment",
    "survey": "survey",
}
MAX_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_DESCRIPTION = 100

# Commands that take free text after their name, as typed in a chat: a slash command gets one
# optional text field for it, so `/watch 12` works from the command picker too.
TEXT_ARGUMENTS = {
    "follow": "The group to follow (leave it out to see the groups)",
    "unfollow": "The group to stop following",
    "watch": "The thread's number or its address on the forum",
    "unwatch": "The thread's number",
    "schedule": "GROUP 2026-12-03T10:00 Title",
    "cancelmeeting": "ID, and a date to cancel only that one",
}


def _flow_choices(
    service: ConversationService[UnitOfWork], kind: FlowKind | None, typed: str
) -> list[app_commands.Choice[str]]:
    typed = typed.strip().lower()
    choices = []
    for flow in service.catalog:
        if kind is not None and flow.kind != kind:
            continue
        title = engine.local_title(flow)
        if typed and typed not in flow.id.lower() and typed not in title.lower():
            continue
        choices.append(app_commands.Choice(name=clip(title, MAX_CHOICE_NAME), value=flow.id))
    return choices[:MAX_CHOICES]


def slash_command(spec: ChatCommand) -> app_commands.Command[Any, ..., None]:
    """The slash command for one of `bot.commands.COMMANDS`."""
    command_name = spec.name
    description = clip(spec.description, MAX_DESCRIPTION)
    if command_name in FLOW_COMMANDS:
        kind = FLOW_COMMANDS[command_name]

        async def complete(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            return _flow_choices(handler_of(interaction).service, kind, current)

        @app_commands.describe(name="Which one; leave it out to choose from a list")
        @app_commands.autocomplete(name=complete)
        async def with_flow(interaction: discord.Interaction[Any], name: str | None = None) -> None:
            await handler_of(interaction).run_command(interaction, command_name, name or "")

        return app_commands.Command(name=command_name, description=description, callback=with_flow)

    if command_name == "language":

        @app_commands.describe(language="The language I should use")
        @app_commands.choices(
            language=[
                app_commands.Choice(name=label, value=code) for code, label in LANGUAGES.items()
            ]
        )
        async def with_language(
            interaction: discord.Interaction[Any], language: str | None = None
        ) -> None:
            await handler_of(interaction).run_command(interaction, command_name, language or "")

        return app_commands.Command(
            name=command_name, description=description, callback=with_language
        )

    if command_name in TEXT_ARGUMENTS:

        @app_commands.describe(text=TEXT_ARGUMENTS[command_name])
        async def with_text(interaction: discord.Interaction[Any], text: str | None = None) -> None:
            argument = (text or "").strip()
            await handler_of(interaction).run_command(interaction, command_name, argument)

        return app_commands.Command(name=command_name, description=description, callback=with_text)

    async def plain(interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).run_command(interaction, command_name, "")

    return app_commands.Command(name=command_name, description=description, callback=plain)


def command_digest(tree: app_commands.CommandTree[Any]) -> str:
    """A fingerprint of the commands as they would be published, to know when they changed."""
    payload = sorted((c.to_dict(tree) for c in tree.get_commands()), key=lambda c: c["name"])
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
