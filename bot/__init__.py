"""The chat platforms and the background work: bots, the terminal chat, the scheduler."""

from bot.commands import COMMANDS, ChatCommands
from bot.console import ConsoleChat
from bot.discord_app import DISCORD, DeseoDiscord
from bot.discord_platform import (
    DiscordPlatform,
    DiscordStartError,
    build_discord_client,
    run_discord,
    sync_discord_commands,
)
from bot.platform import BotRunner, ChatServices, PlatformAdapter
from bot.platforms import ADAPTERS, PlatformSettings, adapters, chat_platforms
from bot.scheduler import PeriodicJob, run_scheduler
from bot.senders import (
    DiscordSender,
    RoutingSender,
    TelegramSender,
    discord_http_client,
    telegram_bot,
)
from bot.telegram_app import (
    TELEGRAM,
    TelegramConfig,
    TelegramStartError,
    build_telegram,
    run_telegram,
)
from bot.telegram_platform import TelegramPlatform

__all__ = [
    "ADAPTERS",
    "COMMANDS",
    "DISCORD",
    "TELEGRAM",
    "BotRunner",
    "ChatCommands",
    "ChatServices",
    "ConsoleChat",
    "DeseoDiscord",
    "DiscordPlatform",
    "DiscordSender",
    "DiscordStartError",
    "PeriodicJob",
    "PlatformAdapter",
    "PlatformSettings",
    "RoutingSender",
    "TelegramConfig",
    "TelegramPlatform",
    "TelegramSender",
    "TelegramStartError",
    "adapters",
    "build_discord_client",
    "build_telegram",
    "chat_platforms",
    "discord_http_client",
    "run_discord",
    "run_scheduler",
    "run_telegram",
    "sync_discord_commands",
    "telegram_bot",
]
