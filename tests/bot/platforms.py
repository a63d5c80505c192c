"""The registered chat platforms as the runtime describes them to the core, for tests."""

from __future__ import annotations

from bot import chat_platforms
from deseo.settings import Settings
from flows.people.chats import ChatPlatforms


def registered(telegram_bot: str | None = None) -> ChatPlatforms:
    """Every registered platform's description, with this Telegram bot username (if any)."""
    return chat_platforms(Settings(telegram_bot=telegram_bot, _env_file=None))  # type: ignore[call-arg]
