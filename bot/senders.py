"""Senders for the outbox: deliver one message to one chat on its platform, or say why not.

Each platform's errors are sorted into "try again later" (with the platform's retry-after when
it gives one) and "trying again cannot help" (blocked, chat gone), which the dispatcher turns
into a retry or a dead row.

Neither platform lets a bot make a send idempotent in general. Telegram's Bot API has no
client-chosen token on sendMessage: a message sent just before a crash is sent again. Discord's
create-message takes a `nonce` (up to 25 characters) which, with `enforce_nonce` (discord.py sets
it whenever a nonce is given), makes Discord return the message already created by the same
author with that nonce in the past few minutes instead of creating another; the Discord sender
derives each piece's nonce from the outbox key, so a resend soon after a crash shows once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import discord
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot.discord_render import render_all
from bot.telegram_render import render
from flows.conversation import Outbound
from flows.outbox import MessageSender, SendError
from flows.people import ChatRef, Platform


class TelegramSender:
    """Sends through a python-telegram-bot `Bot` (the bot's own, or one made for a worker)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        # `key` is unused: the Bot API has no idempotency token (see the module's docstring).
        rendered = render(message)
        try:
            for number, text in enumerate(rendered.texts, start=1):
                last = number == len(rendered.texts)
                await self._bot.send_message(
                    int(chat.chat_id),
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.keyboard if last else None,
                    disable_web_page_preview=True,
                )
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise SendError(str(exc), retry_after=seconds) from exc
        except (Forbidden, InvalidToken) as exc:
            raise SendError(f"Telegram refused: {exc}", permanent=True) from exc
        except BadRequest as exc:
            # A malformed request or a chat that does not exist: the same again would fail too.
            raise SendError(f"Telegram said: {exc}", permanent=True) from exc
        except TelegramError as exc:
            raise SendError(f"Telegram: {exc}") from exc


class DiscordSender:
    """Sends through a logged-in discord.py client: the running bot's, or one that only
    logged in over HTTP for a worker."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        try:
            if chat.chat_id.startswith("user:"):
                # A person, not a channel: write to them directly.
                user = await self._client.fetch_user(int(chat.chat_id.removeprefix("user:")))
                channel: object = await user.create_dm()
            else:
                channel = self._client.get_channel(int(chat.chat_id))
                if channel is None:
                    channel = await self._client.fetch_channel(int(chat.chat_id))
            if not isinstance(channel, discord.abc.Messageable):
                raise SendError(f"{chat.key} is not a channel one can write to", permanent=True)
            for number, piece in enumerate(render_all((message,))):
                # Without a key, a random nonce: what discord.py would choose itself.
                nonce = discord_nonce(key, number) if key is not None else secrets.randbits(64)
                if piece.view is None:
                    await channel.send(piece.content or "…", nonce=nonce)
                else:
                    await channel.send(piece.content or "…", view=piece.view, nonce=nonce)
        except discord.RateLimited as exc:
            raise SendError(str(exc), retry_after=exc.retry_after) from exc
        except (discord.Forbidden, discord.NotFound) as exc:
            raise SendError(f"Discord refused: {exc}", permanent=True) from exc
        except discord.HTTPException as exc:
            # Discord's own trouble (5xx) passes; a request it rejects would be rejected again.
            raise SendError(f"Discord said: {exc}", permanent=exc.status < 500) from exc


def discord_nonce(key: str, piece: int) -> str:
    """The nonce of one piece of an outbox row's message: the same on every try, 24 characters
    (Discord takes up to 25), different for each key and piece."""
    return hashlib.blake2b(f"{key}\x00{piece}".encode(), digest_size=12).hexdigest()


async def discord_http_client(token: str) -> discord.Client:
    """A client logged in over HTTP only (no gateway), to send from a worker; close it after."""
    client = discord.Client(intents=discord.Intents.none())
    await client.login(token)
    return client


async def telegram_bot(token: str, api_url: str) -> Bot:
    """A Bot for sending only (no polling), ready to use; the caller shuts it down."""
    bot = Bot(token, base_url=api_url, base_file_url=api_url.removesuffix("/bot") + "/file/bot")
    await bot.initialize()
    return bot


class RoutingSender:
    """Hands each message to the sender of its chat's platform."""

    def __init__(self, senders: dict[Platform, MessageSender]) -> None:
        self._senders = senders

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        sender = self._senders.get(chat.platform)
        if sender is None:
            raise SendError(
                f"no {chat.platform.value} bot is configured to send to {chat.key}", permanent=True
            )
        await sender.send(chat, message, key=key)
