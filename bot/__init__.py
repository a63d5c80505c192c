"""The chat platforms and the background work: bots, the terminal chat, the scheduler."""

from bot.commands import COMMANDS, ChatCommands
from bot.console import ConsoleChat
from bot.scheduler import PeriodicJob, run_scheduler
from bot.senders import RoutingSender, TelegramSender, telegram_bot
from bot.telegram_app import TelegramConfig, TelegramStartError, build_telegram, run_telegram

__all__ = [
    "COMMANDS",
    "ChatCommands",
    "ConsoleChat",
    "PeriodicJob",
    "RoutingSender",
    "TelegramConfig",
    "TelegramSender",
    "TelegramStartError",
    "build_telegram",
    "run_scheduler",
    "run_telegram",
    "telegram_bot",
]
