"""How each chat platform reaches people, described for the core (`flows.people.ChatPlatform`):
a person's private chat, and the link or command that starts the bot with a payload."""

from __future__ import annotations

from flows.people import ChatPlatform, ChatPlatforms, Platform


def telegram_platform(bot_username: str | None = None) -> ChatPlatform:
    """Telegram: a private chat has the user's id; with the bot's username known, t.me deep
    links open the bot with a payload."""
    link = f"https://t.me/{bot_username}?start={{payload}}" if bot_username else None
    return ChatPlatform(Platform.TELEGRAM, "Telegram", "", link, "/start {payload}")


# Discord: the sender opens a direct message to `user:<id>`; there are no deep links, so people
# type the slash command.
DISCORD_PLATFORM = ChatPlatform(Platform.DISCORD, "Discord", "user:", None, "/survey {payload}")


def chat_platforms(telegram_bot: str | None = None) -> ChatPlatforms:
    """The chat platforms in the order a person is tried on: Telegram first, then Discord."""
    return ChatPlatforms((telegram_platform(telegram_bot), DISCORD_PLATFORM))
