"""The dispatcher: claims due outbox rows under a lease, sends them, records the result."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flows.clock import Clock
from flows.outbox.model import Claimed, SendError
from flows.outbox.ports import MessageSender, OutboxUnits
from flows.people import Platform

log = logging.getLogger(__name__)


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


# A worker killed mid-batch leaves its claimed rows leased until the lease lapses, so the lease
# is short and renewed while the batch is sent: with a third of it left, the rest of the batch
# gets a full lease again. The batch is small enough that at a platform's usual pace (a tenth of a
# second a message) it is sent well within one lease; renewals cover a slower one.
LEASE = timedelta(seconds=15)
BATCH = 25


class Dispatcher:
    """Sends what is due, in batches; run it from a scheduler job, in as many workers as wanted.

    At least once: a row is marked sent in its own commit right after its send, so a worker
    killed mid-batch can leave at most the one message in flight to be sent again; its other
    rows are claimed by another worker once its lease lapses (`lease`, renewed while sending).
    """

    def __init__(
        self,
        units: OutboxUnits,
        sender: MessageSender,
        clock: Clock,
        *,
        worker: str,
        batch: int = BATCH,
        lease: timedelta = LEASE,
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
        lease_until = now + self.lease
        async with self._units() as uow:
            claimed = await uow.outbox.claim(
                now, self.batch, lease_until, self.worker, self.platforms
            )
            await uow.commit()
        sent = retried = dead = expired = 0
        if not claimed:
            return DispatchReport()
        stale = superseded(claimed)
        held = {item.id for item in claimed}
        # One session for the batch's bookkeeping, but a commit after every message: a crash
        # can then resend at most the one message in flight, never a whole batch.
        async with self._units() as marks:
            for index, item in enumerate(claimed):
                if self._clock.now() >= lease_until - self.lease / 3:
                    lease_until = self._clock.now() + self.lease
                    rest = [i.id for i in claimed[index:] if i.id in held]
                    held = await marks.outbox.renew(rest, self.worker, lease_until)
                    await marks.commit()
                if item.id not in held:
                    # The lease lapsed (a send hung) and another worker took the row: it sends it.
                    log.warning("outbox %s: lease lost to another worker", item.key)
                    continue
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
            await self._sender.send(item.chat, item.message, key=item.key)
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
