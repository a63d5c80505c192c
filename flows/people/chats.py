"""Chats: where a message to a person or a group goes, named the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from flows.people.model import Platform


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on a platform: a Telegram chat id, a Discord channel id, a console user."""

    platform: Platform
    chat_id: str

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.chat_id}"
