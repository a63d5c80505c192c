"""The chat platforms deseo can run, in one list: adding one is a module and a line here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.discord_platform import DiscordPlatform, DiscordSettings
from bot.platform import PlatformAdapter
from bot.telegram_platform import TelegramPlatform, TelegramSettings
from flows.people import ChatPlatforms


class PlatformSettings(TelegramSettings, DiscordSettings, Protocol):
    """Every registered platform's settings; `deseo.settings.Settings` has them all."""


ADAPTERS: tuple[Callable[[PlatformSettings], PlatformAdapter], ...] = (
    TelegramPlatform,
    DiscordPlatform,
)


def adapters(settings: PlatformSettings) -> list[PlatformAdapter]:
    """An adapter for each registered platform, configured or not, in the order listed."""
    return [adapter(settings) for adapter in ADAPTERS]


def chat_platforms(settings: PlatformSettings) -> ChatPlatforms:
    """How the core reaches people on each registered platform, in the order listed: the first
    platform a person has an identity on is where they are written to privately."""
    return ChatPlatforms(tuple(adapter.chat for adapter in adapters(settings)))
