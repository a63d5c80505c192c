"""What the outbox needs from outside: a store for its rows and a way to send."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from flows.conversation import Outbound
from flows.outbox.model import Claimed, OutboxItem
from flows.people import ChatRef, Platform
from flows.transaction import Transaction


class MessageSender(Protocol):
    """Delivers one message to one chat, or raises `SendError`.

    `key` is the outbox row's unique key, the same on every try: a platform that deduplicates
    by a client-chosen token (an enforced nonce) is given one made from it, so a resend
    after a crash within the platform's window does not show twice.
    """

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None: ...


class OutboxRepository(Protocol):
    async def enqueue(self, items: Sequence[OutboxItem]) -> int:
        """Add items; a key already there is left as it is. Returns how many were new."""
        ...

    async def replace_pending(self, items: Sequence[OutboxItem]) -> None:
        """Add items, or move a pending row with the same key to the new time and text."""
        ...

    async def claim(
        self,
        now: datetime,
        limit: int,
        lease_until: datetime,
        worker: str,
        platforms: frozenset[Platform] | None = None,
    ) -> list[Claimed]:
        """Take up to `limit` due rows (or rows whose lease ran out) for this worker; only
        rows for `platforms` when given, so rows wait for a worker that can send them."""
        ...

    async def renew(self, row_ids: Sequence[int], worker: str, lease_until: datetime) -> set[int]:
        """Extend this worker's lease on the rows it still holds; returns those ids (a row
        whose lease lapsed and that another worker claimed since is not among them)."""
        ...

    async def mark_sent(self, row_id: int, at: datetime) -> None: ...

    async def mark_retry(self, row_id: int, due: datetime, error: str) -> None: ...

    async def mark_dead(self, row_id: int, error: str) -> None: ...

    async def mark_expired(self, row_id: int, reason: str) -> None: ...

    async def cancel_pending(self, meeting_id: int, key_prefix: str | None = None) -> int:
        """Cancel a meeting's rows not yet sent (only those whose key starts with the prefix)."""
        ...

    async def cancel_keys(self, key_prefix: str) -> int:
        """Cancel the rows not yet sent whose key starts with the prefix, of any kind."""
        ...

    async def counts(self) -> dict[str, int]: ...


class OutboxWork(Transaction, Protocol):
    """A unit of work that reaches the outbox."""

    @property
    def outbox(self) -> OutboxRepository: ...


OutboxUnits = Callable[[], OutboxWork]
