"""Telegram as one of deseo's platforms: its settings and its `PlatformAdapter`."""

from __future__ import annotations

import asyncio
from typing import Protocol

from telegram import Bot

from bot.platform import BotRunner, ChatServices
from bot.senders import TelegramSender, telegram_bot
from bot.telegram_app import TELEGRAM, TelegramConfig, build_telegram, run_telegram
from flows.outbox import MessageSender
from flows.people import ChatPlatform


class TelegramSettings(Protocol):
    """The settings Telegram reads (`DESEO_TELEGRAM_*`)."""

    @property
    def telegram_token(self) -> str | None: ...
    @property
    def telegram_bot(self) -> str | None: ...
    @property
    def telegram_api_url(self) -> str: ...
    @property
    def telegram_webhook_url(self) -> str | None: ...
    @property
    def telegram_webhook_listen(self) -> str: ...
    @property
    def telegram_webhook_port(self) -> int: ...
    def webhook_secret(self) -> str: ...
    def telegram_token_problem(self) -> str | None: ...


def telegram_chat(bot_username: str | None = None) -> ChatPlatform:
    """Telegram for the core: a private chat has the user's id; with the bot's username known,
    t.me links open the bot with a payload, otherwise people send /start with it."""
    link = f"https://t.me/{bot_username}?start={{payload}}" if bot_username else None
    return ChatPlatform(TELEGRAM, "Telegram", "", link, "/start {payload}")


class TelegramPlatform:
    """Telegram: a bot that polls or receives a webhook, and a plain `Bot` to send from a worker."""

    name = TELEGRAM

    def __init__(self, settings: TelegramSettings) -> None:
        self._settings = settings
        self._sending: Bot | None = None

    @property
    def chat(self) -> ChatPlatform:
        return telegram_chat(self._settings.telegram_bot)

    token_setting = "DESEO_TELEGRAM_TOKEN"

    @property
    def settings_problem(self) -> str | None:
        return self._settings.telegram_token_problem()

    @property
    def configured(self) -> bool:
        return bool(self._settings.telegram_token)

    @property
    def where(self) -> str:
        settings = self._settings
        if settings.telegram_webhook_url:
            return (
                f"webhook {settings.telegram_webhook_url} "
                f"(listening on {settings.telegram_webhook_listen}:"
                f"{settings.telegram_webhook_port})"
            )
        return f"polling {settings.telegram_api_url.removesuffix('/bot')}"

    def config(self) -> TelegramConfig:
        """How the bot reaches Telegram; only for a configured platform."""
        settings = self._settings
        assert settings.telegram_token is not None
        return TelegramConfig(
            token=settings.telegram_token,
            api_url=settings.telegram_api_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_listen=settings.telegram_webhook_listen,
            webhook_port=settings.telegram_webhook_port,
            # Derived from the secret key only when a webhook needs one.
            webhook_secret=settings.webhook_secret() if settings.telegram_webhook_url else None,
        )

    def bot(self, services: ChatServices) -> BotRunner:
        config = self.config()
        app = build_telegram(
            services.conversations,
            config,
            meetings=services.meetings,
            referrals=services.referrals,
            campaigns=services.campaigns,
            links=services.links,
            threads=services.threads,
        )

        async def run(stop: asyncio.Event) -> None:
            await run_telegram(app, config, stop)

        return run

    async def open_sender(self) -> MessageSender:
        assert self._settings.telegram_token is not None
        self._sending = await telegram_bot(
            self._settings.telegram_token, self._settings.telegram_api_url
        )
        return TelegramSender(self._sending)

    async def close_sender(self) -> None:
        if self._sending is not None:
            await self._sending.shutdown()
            self._sending = None
