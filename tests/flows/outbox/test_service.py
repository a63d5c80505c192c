"""The Dispatcher's rules on the in-memory unit of work: what is due goes once, under a lease;
failures retry with backoff and end dead; what is too late or superseded is expired, not sent;
each worker takes only the platforms it can send to. (`tests/storage/test_meetings.py` runs the
dispatcher on SQLite and PostgreSQL, with two worker processes.)"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.conversation import Outbound
from flows.outbox import Dispatcher, OutboxItem, SendError
from flows.outbox.dispatcher import LEASE, backoff
from flows.people import ChatRef
from tests.flows.memory import MemoryStore
from tests.flows.sending import RecordingSender

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
GROUP = ChatRef(TELEGRAM, "-100777")
PRIVATE = ChatRef(DISCORD, "555")


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


def worker(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender, **options: object
) -> Dispatcher:
    return Dispatcher(store.units, sender, clock, worker="w1", **options)  # type: ignore[arg-type]


async def enqueue(store: MemoryStore, *items: OutboxItem) -> int:
    async with store.units() as uow:
        new = await uow.outbox.enqueue(items)
        await uow.commit()
    return new


def item(key: str, due: datetime = NOW, chat: ChatRef = GROUP, **extra: object) -> OutboxItem:
    return OutboxItem(key, "test", chat, Outbound(key), due, **extra)  # type: ignore[arg-type]


async def test_what_is_due_is_sent_once_and_what_is_not_waits(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    assert await enqueue(store, item("a"), item("b", NOW + timedelta(hours=1))) == 2
    assert await enqueue(store, item("a")) == 0  # a key already there is left as it is
    report = await worker(store, clock, sender).drain()
    assert (report.claimed, report.sent) == (1, 1)
    assert sender.texts() == ["a"]
    assert store.statuses() == {"sent": 1, "pending": 1}
    assert store.outbox("sent")[0].sent_at == NOW
    clock.advance(timedelta(hours=1))
    assert (await worker(store, clock, sender).drain()).sent == 1
    assert (await worker(store, clock, sender).drain()).claimed == 0
    assert sender.texts() == ["a", "b"]


async def test_a_batch_is_taken_oldest_first_and_drain_goes_on_until_nothing_is_due(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, *(item(f"m{n}", NOW - timedelta(minutes=n)) for n in range(5)))
    first = await worker(store, clock, sender, batch=2).run_once()
    assert first.claimed == 2 and sender.texts() == ["m4", "m3"]
    rest = await worker(store, clock, sender, batch=2).drain()
    assert (rest.claimed, rest.sent) == (3, 3)
    assert sender.texts() == ["m4", "m3", "m2", "m1", "m0"]


async def test_rows_leased_to_a_worker_that_died_wait_for_the_lease_to_lapse(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("a"), item("b"))
    async with store.units() as uow:
        claimed = await uow.outbox.claim(NOW, 10, NOW + timedelta(minutes=2), "dead")
        await uow.commit()
    assert [c.attempts for c in claimed] == [1, 1]
    assert (await worker(store, clock, sender).drain()).claimed == 0  # leased elsewhere
    clock.advance(timedelta(minutes=2))
    assert (await worker(store, clock, sender).drain()).claimed == 0  # not before it lapses
    clock.advance(timedelta(seconds=1))
    report = await worker(store, clock, sender).drain()
    assert report.sent == 2 and sorted(sender.texts()) == ["a", "b"]
    assert [r.attempts for r in store.outbox()] == [2, 2]


async def test_a_crash_mid_batch_resends_at_most_the_message_in_flight(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("a"), item("b", NOW + timedelta(seconds=1)))
    clock.advance(timedelta(seconds=1))

    class Crash(BaseException):
        """The worker process dying (not a failure to send)."""

    sent_first = RecordingSender()
    crashing = worker(store, clock, sent_first)
    original = sent_first.send

    async def send_then_die(chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        if sent_first.sent:
            raise Crash
        await original(chat, message, key=key)

    sent_first.send = send_then_die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await crashing.run_once()
    assert sent_first.texts() == ["a"]
    assert store.statuses() == {"sent": 1, "sending": 1}  # a's mark was committed at once
    clock.advance(timedelta(minutes=3))
    await worker(store, clock, sender).drain()
    assert sender.texts() == ["b"]


async def test_a_killed_workers_rows_come_back_after_one_short_lease_and_go_at_most_twice(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    keys = [f"r{n:02}" for n in range(12)]
    await enqueue(store, *(item(key) for key in keys))

    class Kill(BaseException):
        """The worker process killed after the platform took the fourth message."""

    killed = RecordingSender()
    original = killed.send

    async def send_then_die(chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        await original(chat, message, key=key)
        if len(killed.sent) == 4:
            raise Kill

    killed.send = send_then_die  # type: ignore[method-assign]
    with pytest.raises(Kill):
        await worker(store, clock, killed, batch=10).run_once()
    assert store.statuses() == {"sent": 3, "sending": 7, "pending": 2}
    # Until the lease lapses nobody else takes them; then the next worker does, in seconds.
    assert timedelta(seconds=15) >= LEASE
    clock.advance(LEASE - timedelta(seconds=1))
    second = Dispatcher(store.units, sender, clock, worker="w2")
    assert (await second.run_once()).claimed == 2  # only the two never claimed
    clock.advance(timedelta(seconds=2))
    assert (await second.drain()).sent == 7
    sends = Counter(killed.texts() + sender.texts())
    assert set(sends) == set(keys)
    assert [key for key, n in sends.items() if n > 1] == ["r03"]  # the one in flight, once more
    assert store.statuses() == {"sent": 12}


async def test_the_sender_is_given_the_rows_key(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("agenda:7:2026-11-22"))
    keys: list[str | None] = []
    original = sender.send

    async def keep_key(chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        keys.append(key)
        await original(chat, message, key=key)

    sender.send = keep_key  # type: ignore[method-assign]
    await worker(store, clock, sender).drain()
    assert keys == ["agenda:7:2026-11-22"]


async def test_failures_retry_with_backoff_honouring_the_platforms_wish(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(20) == timedelta(hours=1)
    assert backoff(1, retry_after=40) == timedelta(seconds=40)
    await enqueue(store, item("a"))
    sender.failures = [SendError("flood", retry_after=40)]
    assert (await worker(store, clock, sender).run_once()).retried == 1
    row = store.outbox()[0]
    assert (row.status, row.due, row.last_error) == (
        "pending",
        NOW + timedelta(seconds=40),
        "flood",
    )
    clock.advance(timedelta(seconds=39))
    assert (await worker(store, clock, sender).run_once()).claimed == 0
    clock.advance(timedelta(seconds=1))
    assert (await worker(store, clock, sender).run_once()).sent == 1
    assert store.outbox()[0].last_error is None


async def test_after_max_attempts_a_row_is_dead_and_keeps_its_last_error(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("a"))
    sender.failures = [SendError("network down"), RuntimeError("boom"), SendError("still down")]
    reports = []
    for _ in range(3):
        reports.append(await worker(store, clock, sender, max_attempts=3).run_once())
        clock.advance(timedelta(minutes=5))
    assert [(r.retried, r.dead) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    row = store.outbox()[0]
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "still down")
    assert (await worker(store, clock, sender).drain()).claimed == 0


async def test_an_unexpected_failure_is_retried_and_recorded(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("a"))
    sender.failures = [RuntimeError("boom")]
    assert (await worker(store, clock, sender).run_once()).retried == 1
    assert store.outbox()[0].last_error == "RuntimeError: boom"


async def test_a_chat_that_blocked_the_bot_is_dead_at_once(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("a"))
    sender.failures = [SendError("bot was blocked by the user", permanent=True)]
    assert (await worker(store, clock, sender).run_once()).dead == 1
    assert store.outbox()[0].attempts == 1


async def test_a_message_whose_moment_passed_is_expired_not_sent(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("late", not_after=NOW), item("fine", not_after=NOW + timedelta(1)))
    report = await worker(store, clock, sender).drain()
    assert (report.sent, report.expired) == (1, 1)
    assert sender.texts() == ["fine"]
    expired = store.outbox("expired")[0]
    assert expired.key == "late" and (expired.last_error or "").startswith("too late")


async def test_of_reminders_due_together_only_the_latest_goes(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    start = NOW + timedelta(hours=2)
    await enqueue(
        store,
        item("reminder:7:x:1d:telegram:-100777", start - timedelta(days=1), not_after=start),
        item("reminder:7:x:1h:telegram:-100777", start - timedelta(hours=1), not_after=start),
        item("reminder:7:x:1d:discord:555", start - timedelta(days=1), PRIVATE, not_after=start),
    )
    clock.advance(timedelta(hours=1, minutes=30))  # the worker was down until now
    report = await worker(store, clock, sender).drain()
    assert (report.sent, report.expired) == (2, 1)
    assert sorted(sender.texts()) == [
        "reminder:7:x:1d:discord:555",  # the only one for its chat
        "reminder:7:x:1h:telegram:-100777",
    ]
    assert (store.outbox("expired")[0].last_error or "").startswith("superseded")


async def test_rows_wait_for_a_worker_that_can_send_them(
    store: MemoryStore, clock: FixedClock, sender: RecordingSender
) -> None:
    await enqueue(store, item("to-telegram"), item("to-discord", chat=PRIVATE))
    telegram = worker(store, clock, sender, platforms=frozenset({TELEGRAM}))
    assert (await telegram.drain()).sent == 1
    assert sender.sent == [("telegram:-100777", "to-telegram")]
    assert store.statuses() == {"sent": 1, "pending": 1}
    everything = worker(store, clock, sender)
    assert (await everything.drain()).sent == 1
