"""Discord as one of deseo's platforms: logging the bot in and running it until stopped,
publishing its slash commands, its settings and its `PlatformAdapter`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

import aiohttp
import discord

from bot.discord_app import DISCORD, DeseoDiscord
from bot.platform import BotRunner, ChatServices
from bot.senders import DiscordSender, discord_http_client
from flows.conversation import ConversationService
from flows.meetings import MeetingService
from flows.outbox import MessageSender
from flows.people import ChatPlatform, LinkCodes
from flows.referrals import ReferralService
from flows.surveys import CampaignService
from flows.threads import ThreadWatchService
from flows.unit_of_work import UnitOfWork


class DiscordStartError(RuntimeError):
    """The Discord bot could not start or keep running; the message says why, in one line."""


def build_discord_client(
    service: ConversationService[UnitOfWork],
    *,
    state_dir: Path,
    meetings: MeetingService | None = None,
    referrals: ReferralService | None = None,
    campaigns: CampaignService | None = None,
    links: LinkCodes | None = None,
    threads: ThreadWatchService | None = None,
) -> DeseoDiscord:
    """The bot, ready for `run_discord`; it remembers its published commands in `state_dir`."""
    return DeseoDiscord(
        service,
        state_dir=state_dir,
        meetings=meetings,
        referrals=referrals,
        campaigns=campaigns,
        links=links,
        threads=threads,
    )


async def _login(client: DeseoDiscord, token: str) -> None:
    try:
        await client.login(token)
    except discord.LoginFailure as exc:
        raise DiscordStartError("Discord refused the bot token; check DESEO_DISCORD_TOKEN") from exc
    except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
        raise DiscordStartError(f"could not log in to Discord: {exc}") from exc


async def run_discord(client: DeseoDiscord, token: str, stop: asyncio.Event) -> None:
    """Log in, run until `stop` is set, then close cleanly.

    Raises `DiscordStartError` (one line, for the person running deseo) when the token is
    refused, a privileged intent is not enabled for the bot, or the connection fails for good.
    """
    async with client:
        await _login(client, token)
        connection = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        stopping = asyncio.create_task(stop.wait(), name="discord-stop")
        try:
            await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            await client.close()
            connection.cancel()
            (ended,) = await asyncio.gather(connection, return_exceptions=True)
    if isinstance(ended, discord.PrivilegedIntentsRequired):
        raise DiscordStartError(
            "Discord refused a privileged intent: check the bot's Privileged Gateway Intents "
            "in the Developer Portal"
        ) from ended
    if isinstance(ended, Exception):
        raise DiscordStartError(f"the Discord connection failed: {ended}") from ended


async def sync_discord_commands(
    token: str, service: ConversationService[UnitOfWork], *, state_dir: Path | None = None
) -> int:
    """Publish the slash commands with `token` now; the number published.

    With `state_dir`, also records them there, so that the next start does not publish again.
    """
    client = DeseoDiscord(service, state_dir=state_dir, sync_on_start=False)
    async with client:
        await _login(client, token)
        return await client.sync_commands()


class DiscordSettings(Protocol):
    """The settings Discord reads: its token, and where the published commands are recorded."""

    @property
    def discord_token(self) -> str | None: ...
    @property
    def data_dir(self) -> Path: ...
    def discord_token_problem(self) -> str | None: ...


# Discord for the core: the sender opens a direct message to `user:<id>`; there are no links
# that start a bot, so people type the slash command.
DISCORD_CHAT = ChatPlatform(DISCORD, "Discord", "user:", None, "/survey {payload}")


class DiscordPlatform:
    """Discord: a gateway bot, and a client logged in over HTTP only to send from a worker."""

    name = DISCORD
    where = "gateway (slash commands published when they change)"
    chat = DISCORD_CHAT

    def __init__(self, settings: DiscordSettings) -> None:
        self._settings = settings
        self._sending: discord.Client | None = None

    token_setting = "DESEO_DISCORD_TOKEN"

    @property
    def settings_problem(self) -> str | None:
        return self._settings.discord_token_problem()

    @property
    def configured(self) -> bool:
        return bool(self._settings.discord_token)

    def _token(self) -> str:
        token = self._settings.discord_token
        assert token is not None, "only a configured platform is started"
        return token

    def bot(self, services: ChatServices) -> BotRunner:
        token = self._token()
        client = build_discord_client(
            services.conversations,
            state_dir=self._settings.data_dir,
            meetings=services.meetings,
            referrals=services.referrals,
            campaigns=services.campaigns,
            links=services.links,
            threads=services.threads,
        )

        async def run(stop: asyncio.Event) -> None:
            await run_discord(client, token, stop)

        return run

    async def open_sender(self) -> MessageSender:
        self._sending = await discord_http_client(self._token())
        return DiscordSender(self._sending)

    async def close_sender(self) -> None:
        if self._sending is not None:
            await self._sending.close()
            self._sending = None
