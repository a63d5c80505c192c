"""Discord's HTTP API answered in memory, and Discord's events built from payload dicts.

`FakeDiscord` stands in for both ways discord.py talks to Discord over HTTP: the bot's REST
client (`discord.http.HTTPClient.request`) and the webhook adapter that interaction responses
and followups go through. It records every request as a `Sent` and answers with the JSON Discord
would, so the real client logs in, publishes commands, and responds to interactions, all without
a socket. Events come in through the client's real `ConnectionState` parsers, as the gateway
would deliver them.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter

APP_ID = 900_000_000_000_000_001
BOT_ID = 900_000_000_000_000_002
GUILD_ID = 900_000_000_000_000_003
GUILD_CHANNEL_ID = 900_000_000_000_000_004
GOOD_TOKEN = "good-token"
NOW = "2026-11-22T09:00:00+00:00"
EPHEMERAL = 64

BOT_USER = {
    "id": str(BOT_ID),
    "username": "deseo",
    "discriminator": "0",
    "global_name": "deseo",
    "avatar": None,
    "bot": True,
}
APPLICATION = {
    "id": str(APP_ID),
    "name": "deseo",
    "description": "",
    "icon": None,
    "bot_public": True,
    "bot_require_code_grant": False,
    "owner": BOT_USER,
    "verify_key": "0" * 64,
    "flags": 0,
}
SETTLE_SECONDS = 10.0
# The names discord.py gives the tasks it runs events, commands and components in.
DISCORD_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-")


@dataclass
class Person:
    """Someone using Discord: a user id, a name and the DM channel they share with the bot."""

    id: int
    name: str

    @property
    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name.lower(),
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
        }

    @property
    def dm_channel_id(self) -> int:
        return self.id + 1


@dataclass
class Sent:
    """One request the bot made to Discord."""

    kind: str  # callback, followup, edit, delete, message, sync, other
    payload: Any
    interaction_id: int | None = None
    message_id: int | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The message part of the request (a callback's `data`, else the payload itself)."""
        if self.kind == "callback":
            return dict(self.payload.get("data") or {})
        return dict(self.payload or {})

    @property
    def response_type(self) -> int | None:
        return self.payload.get("type") if self.kind == "callback" else None

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def custom_ids(self) -> list[str]:
        return [
            c["custom_id"] for c in _walk(self.data.get("components") or []) if "custom_id" in c
        ]

    @property
    def components(self) -> list[dict[str, Any]]:
        return [c for c in _walk(self.data.get("components") or []) if c.get("type") != 1]

    @property
    def labels(self) -> list[str]:
        return [str(c.get("label")) for c in self.components if c.get("type") == 2]


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        if "component" in component:
            yield from _walk([component["component"]])


class FakeDiscord:
    """Discord as seen over HTTP by one test, with every request kept in `sent`."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1_000_000_000_000_000_001)
        # interaction token -> (interaction id, channel id, message id the interaction is on)
        self._interactions: dict[str, tuple[int, int, int | None]] = {}
        self.commands: list[dict[str, Any]] = []
        self.fail_followups = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Route every client's REST and webhook requests in this test here."""
        fake = self

        async def rest(http: HTTPClient, route: Route, **kwargs: Any) -> Any:
            return fake._rest(http, route, **kwargs)

        async def webhook(
            adapter: AsyncWebhookAdapter, route: Route, session: Any = None, **kwargs: Any
        ) -> Any:
            return fake._webhook(route, **kwargs)

        monkeypatch.setattr(HTTPClient, "request", rest)
        monkeypatch.setattr(AsyncWebhookAdapter, "request", webhook)

    def next_id(self) -> int:
        return next(self._ids)

    # --- what the bot sent ------------------------------------------------------------------

    def of(self, interaction_id: int, kind: str | None = None) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.interaction_id == interaction_id and (kind is None or s.kind == kind)
        ]

    def last(self, kind: str) -> Sent:
        return [s for s in self.sent if s.kind == kind][-1]

    # --- answering requests -----------------------------------------------------------------

    def _message(
        self, channel_id: int, body: dict[str, Any], message_id: int | None = None
    ) -> dict[str, Any]:
        message_id = message_id or self.next_id()
        message = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": NOW,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "components": body.get("components") or [],
            "application_id": str(APP_ID),
        }
        self.messages[message_id] = message
        return message

    def _rest(self, http: HTTPClient, route: Route, **kwargs: Any) -> Any:
        method, path = route.method, route.path
        payload: Any = kwargs.get("json")
        if (method, path) == ("GET", "/users/@me"):
            if http.token != GOOD_TOKEN:
                raise discord.HTTPException(
                    SimpleNamespace(status=401, reason="Unauthorized"),
                    {"code": 0, "message": "401: Unauthorized"},
                )
            return BOT_USER
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return APPLICATION
        if (method, path) == ("PUT", "/applications/{application_id}/commands"):
            self.sent.append(Sent("sync", payload))
            self.commands = [
                {
                    **command,
                    "id": str(self.next_id()),
                    "application_id": str(APP_ID),
                    "version": "1",
                }
                for command in payload
            ]
            return self.commands
        if (method, path) == ("POST", "/channels/{channel_id}/messages"):
            channel_id = int(route.channel_id)  # type: ignore[arg-type]
            message = self._message(channel_id, payload)
            self.sent.append(Sent("message", payload, message_id=int(message["id"])))
            return message
        raise AssertionError(f"the bot made a request the test did not expect: {method} {path}")

    def _webhook(self, route: Route, **kwargs: Any) -> Any:
        method, path = route.method, route.path
        payload: Any = kwargs.get("payload")
        token = str(route.webhook_token)
        if path == "/interactions/{webhook_id}/{webhook_token}/callback":
            interaction_id = int(route.webhook_id)  # type: ignore[arg-type]
            self.sent.append(Sent("callback", payload, interaction_id))
            return {"interaction": {"id": str(interaction_id), "type": 2}}
        interaction_id, channel_id, clicked = self._interactions[token]
        if (method, path) == ("POST", "/webhooks/{webhook_id}/{webhook_token}"):
            if self.fail_followups:
                raise discord.HTTPException(
                    SimpleNamespace(status=500, reason="Server Error"),
                    "500: Server Error",
                )
            message = self._message(channel_id, payload)
            self.sent.append(Sent("followup", payload, interaction_id, int(message["id"])))
            return message
        if path == "/webhooks/{webhook_id}/{webhook_token}/messages/@original":
            if method == "DELETE":
                self.sent.append(Sent("delete", None, interaction_id, clicked))
                return None
            message = dict(self.messages.get(clicked or 0) or self._message(channel_id, {}))
            message.update({k: v for k, v in payload.items() if k in ("content", "components")})
            self.messages[int(message["id"])] = message
            self.sent.append(Sent("edit", payload, interaction_id, int(message["id"])))
            return message
        raise AssertionError(f"the bot made a webhook request the test did not expect: {path}")

    # --- events -------------------------------------------------------------------------------

    def _interaction(
        self,
        kind: int,
        person: Person,
        data: dict[str, Any],
        *,
        guild: bool,
        message: dict[str, Any] | None = None,
        interaction_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        interaction_id = interaction_id or self.next_id()
        token = f"token-{interaction_id}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": locale,
            "app_permissions": "0",
            "attachment_size_limit": 8_388_608,
            "entitlements": [],
            "authorizing_integration_owners": {},
        }
        if guild:
            channel_id = GUILD_CHANNEL_ID
            payload["guild_id"] = str(GUILD_ID)
            payload["context"] = 0
            payload["channel"] = {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
            }
            payload["member"] = {
                "user": person.payload,
                "roles": [],
                "joined_at": NOW,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "0",
            }
        else:
            channel_id = person.dm_channel_id
            payload["context"] = 1
            payload["channel"] = {
                "id": str(channel_id),
                "type": 1,
                "recipients": [person.payload],
            }
            payload["user"] = person.payload
        payload["channel_id"] = str(channel_id)
        if message is not None:
            payload["message"] = message
        self._interactions[token] = (
            interaction_id,
            channel_id,
            int(message["id"]) if message is not None else None,
        )
        return payload

    def command(
        self, person: Person, command: str, /, *, guild: bool = True, **options: str
    ) -> dict[str, Any]:
        """A slash command `/command option:value…` used by `person`."""
        data = {
            "id": str(self.next_id()),
            "name": command,
            "type": 1,
            "options": [{"name": k, "type": 3, "value": v} for k, v in options.items()],
        }
        return self._interaction(2, person, data, guild=guild)

    def typing(self, person: Person, command: str, option: str, typed: str) -> dict[str, Any]:
        """`person` typing `typed` into the option `option` of a slash command (autocomplete)."""
        data = {
            "id": str(self.next_id()),
            "name": command,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": typed, "focused": True}],
        }
        return self._interaction(4, person, data, guild=True)

    def click(
        self,
        person: Person,
        message_id: int,
        custom_id: str,
        *,
        values: list[str] | None = None,
        guild: bool = True,
        message: dict[str, Any] | None = None,
        interaction_id: int | None = None,
    ) -> dict[str, Any]:
        """A click on the component `custom_id` of a message the bot sent.

        `message` is the message as the person's screen showed it, when not as it is now.
        """
        message = message or self.messages[message_id]
        component = next(c for c in _walk(message["components"]) if c.get("custom_id") == custom_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        return self._interaction(
            3, person, data, guild=guild, message=message, interaction_id=interaction_id
        )

    def submit(
        self,
        person: Person,
        modal: dict[str, Any],
        values: dict[str, str],
        *,
        message_id: int | None,
        guild: bool = True,
    ) -> dict[str, Any]:
        """The submission of a modal the bot showed, with text typed in its inputs."""
        rows = []
        for component in _walk(modal["components"]):
            if component.get("type") == 4:
                value = values[component["custom_id"]]
                inner = {"type": 4, "custom_id": component["custom_id"], "value": value}
                rows.append({"type": 18, "id": 1, "component": inner})
        data = {"custom_id": modal["custom_id"], "components": rows}
        message = self.messages[message_id] if message_id is not None else None
        return self._interaction(5, person, data, guild=guild, message=message)

    def direct_message(self, person: Person, content: str) -> dict[str, Any]:
        """A message `person` sends the bot in their DM."""
        return {
            "id": str(self.next_id()),
            "channel_id": str(person.dm_channel_id),
            "author": person.payload,
            "content": content,
            "timestamp": NOW,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }


async def settle() -> None:
    """Wait until the events, commands and clicks discord.py started have all finished."""
    async with asyncio.timeout(SETTLE_SECONDS):
        while True:
            pending = [
                task
                for task in asyncio.all_tasks()
                if not task.done() and task.get_name().startswith(DISCORD_TASKS)
            ]
            if not pending:
                return
            await asyncio.wait(pending)


@dataclass
class Deliveries:
    """Feeds gateway events to a client, as Discord would, and waits for them to be handled."""

    client: discord.Client
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def interaction(self, payload: dict[str, Any]) -> int:
        self.seen.append(payload)
        self.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        await settle()
        return int(payload["id"])

    async def message(self, payload: dict[str, Any]) -> None:
        self.client._connection.parse_message_create(payload)  # type: ignore[arg-type]
        await settle()
