"""The outbox: messages owed to chats at a time, and the dispatcher that sends them.

The store's outbox table is the record of what must be sent: planning writes rows with unique
keys (so planning twice sends once), a dispatcher claims due rows under a lease (so two workers
never send the same row, and a crashed worker's rows are picked up when its lease runs out),
sends them, and marks them sent. Failures retry with exponential backoff, honouring a platform's
retry-after; after `max_attempts` a row is dead and keeps its last error. A row whose moment has
passed (`not_after`, e.g. the meeting has started) is expired with the reason, not sent.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from flows.messages import Option, Outbound
from flows.people import Platform

if TYPE_CHECKING:
    from flows.ports import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on a platform: a Telegram chat id, a Discord channel id, a console user."""

    platform: Platform
    chat_id: str

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.chat_id}"


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


class MessageSender(Protocol):
    """Delivers one message to one chat, or raises `SendError`."""

    async def send(self, chat: ChatRef, message: Outbound) -> None: ...


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


def message_to_json(message: Outbound) -> dict[str, Any]:
    return dataclasses.asdict(message)


def message_from_json(data: dict[str, Any]) -> Outbound:
    fields = dict(data)
    fields["options"] = tuple(Option(**o) for o in fields.get("options", ()))
    fields["selected"] = tuple(fields.get("selected", ()))
    return Outbound(**fields)


@dataclass(frozen=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    expired: int = 0


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long to wait before the next try: 5 s, 10 s, 20 s, … up to an hour, or longer if
    the platform asked for longer."""
    wait = min(5 * 2 ** max(attempts - 1, 0), 3600)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return timedelta(seconds=wait)


def superseded(claimed: Sequence[Claimed]) -> set[int]:
    """The reminders not worth sending because a later reminder of the same occurrence to the
    same chat is due with them (after the worker was down, "tomorrow" and "in an hour" would
    otherwise arrive together): all but the latest-due of each such group.

    Reminder keys start `reminder:<meeting>:`; with the chat and the occurrence's start
    (`not_after`) they say which reminders belong together.
    """
    latest: dict[tuple[str, str, datetime | None], Claimed] = {}
    groups: dict[tuple[str, str, datetime | None], list[Claimed]] = {}
    for item in claimed:
        if not item.key.startswith("reminder:") or item.not_after is None:
            continue
        group = (item.key.split(":", 2)[1], item.chat.key, item.not_after)
        groups.setdefault(group, []).append(item)
        if group not in latest or item.due > latest[group].due:
            latest[group] = item
    return {
        item.id for group, items in groups.items() for item in items if item is not latest[group]
    }


class Dispatcher:
    """Sends what is due, in batches; run it from a scheduler job, in as many workers as wanted."""

    def __init__(
        self,
        units: Any,
        sender: MessageSender,
        clock: Clock,
        *,
        worker: str,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 6,
        platforms: frozenset[Platform] | None = None,
    ) -> None:
        self._units = units
        self._sender = sender
        self._clock = clock
        self.worker = worker
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.platforms = platforms

    async def run_once(self) -> DispatchReport:
        """Claim one batch of due rows and settle each of them."""
        now = self._clock.now()
        async with self._units() as uow:
            claimed = await uow.outbox.claim(
                now, self.batch, now + self.lease, self.worker, self.platforms
            )
            await uow.commit()
        sent = retried = dead = expired = 0
        if not claimed:
            return DispatchReport()
        stale = superseded(claimed)
        # One session for the batch's bookkeeping, but a commit after every message: a crash
        # can then resend at most the one message in flight, never a whole batch.
        async with self._units() as marks:
            for item in claimed:
                if item.id in stale:
                    reason = "superseded: a later reminder of the same meeting goes instead"
                    await self._mark(marks, marks.outbox.mark_expired(item.id, reason))
                    expired += 1
                    continue
                outcome = await self._settle(item, marks)
                sent += outcome == "sent"
                retried += outcome == "retry"
                dead += outcome == "dead"
                expired += outcome == "expired"
        return DispatchReport(len(claimed), sent, retried, dead, expired)

    async def drain(self, rounds: int = 1000) -> DispatchReport:
        """Run batches until nothing is due (or `rounds` ran out)."""
        total = DispatchReport()
        for _ in range(rounds):
            report = await self.run_once()
            total = DispatchReport(
                *(
                    a + b
                    for a, b in zip(
                        dataclasses.astuple(total), dataclasses.astuple(report), strict=True
                    )
                )
            )
            if report.claimed == 0:
                break
        return total

    async def _settle(self, item: Claimed, marks: Any) -> str:
        now = self._clock.now()
        if item.not_after is not None and now >= item.not_after:
            reason = f"too late: its moment passed at {item.not_after.isoformat()}"
            await self._mark(marks, marks.outbox.mark_expired(item.id, reason))
            return "expired"
        error: str | None = None
        retry_after: float | None = None
        permanent = False
        try:
            await self._sender.send(item.chat, item.message)
        except SendError as exc:
            error, retry_after, permanent = str(exc)[:2000], exc.retry_after, exc.permanent
        except Exception as exc:  # an unexpected failure is retried like any other
            log.exception("sending outbox %s failed", item.key)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        if error is None:
            sent_at = self._clock.now()
            await self._mark(marks, marks.outbox.mark_sent(item.id, sent_at))
            return "sent"
        failure = error
        if permanent or item.attempts >= self.max_attempts:
            log.warning("outbox %s is dead after %d attempts: %s", item.key, item.attempts, error)
            await self._mark(marks, marks.outbox.mark_dead(item.id, failure))
            return "dead"
        due = self._clock.now() + backoff(item.attempts, retry_after)
        await self._mark(marks, marks.outbox.mark_retry(item.id, due, failure))
        return "retry"

    @staticmethod
    async def _mark(marks: Any, change: Awaitable[None]) -> None:
        await change
        await marks.commit()
