"""The chat platforms and the background work: bots, the terminal chat, the scheduler."""

from bot.console import ConsoleChat
from bot.discord_app import DISCORD
from bot.discord_platform import DiscordStartError, sync_discord_commands
from bot.platform import PlatformAdapter
from bot.platforms import adapters, chat_platforms
from bot.scheduler import PeriodicJob, run_scheduler
from bot.senders import RoutingSender
from bot.telegram_app import TELEGRAM, TelegramConfig, TelegramStartError, build_telegram

__all__ = [
    "DISCORD",
    "TELEGRAM",
    "ConsoleChat",
    "DiscordStartError",
    "PeriodicJob",
    "PlatformAdapter",
    "RoutingSender",
    "TelegramConfig",
    "TelegramStartError",
    "adapters",
    "build_telegram",
    "chat_platforms",
    "run_scheduler",
    "sync_discord_commands",
]
