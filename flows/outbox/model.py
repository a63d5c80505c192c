"""The outbox's records: messages owed to chats at a time, and the rows a worker claims.

The store's outbox table is the record of what must be sent: planning writes rows with unique
keys (so planning twice sends once), a dispatcher claims due rows under a lease (so two workers
never send the same row, and a crashed worker's rows are picked up when its lease runs out),
sends them, and marks them sent. Failures retry with exponential backoff, honouring a platform's
retry-after; after `max_attempts` a row is dead and keeps its last error. A row whose moment has
passed (`not_after`, e.g. the meeting has started) is expired with the reason, not sent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.conversation import Option, Outbound
from flows.people import ChatRef


@dataclass(frozen=True)
class OutboxItem:
    """A message to send to `chat` at `due`, known by its unique `key`."""

    key: str
    kind: str
    chat: ChatRef
    message: Outbound
    due: datetime
    not_after: datetime | None = None
    meeting_id: int | None = None


@dataclass(frozen=True)
class Claimed:
    """A row a worker holds the lease on."""

    id: int
    key: str
    chat: ChatRef
    message: Outbound
    due: datetime
    not_after: datetime | None
    attempts: int


class SendError(Exception):
    """Sending failed. `retry_after` is the platform's wish (seconds); `permanent` means trying
    again cannot help (the bot was blocked, the chat is gone)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


def message_to_json(message: Outbound) -> dict[str, Any]:
    return dataclasses.asdict(message)


def message_from_json(data: dict[str, Any]) -> Outbound:
    fields = dict(data)
    fields["options"] = tuple(Option(**o) for o in fields.get("options", ()))
    fields["selected"] = tuple(fields.get("selected", ()))
    return Outbound(**fields)
