"""A message sender for tests: keeps what would have been sent, and fails when told to."""

from __future__ import annotations

from flows.conversation import Outbound
from flows.people import ChatRef


class RecordingSender:
    """Keeps (chat key, text) of each message sent; raises the queued `failures` first."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures: list[BaseException] = []

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat.key, message.text))

    def texts(self) -> list[str]:
        return [text for _, text in self.sent]
