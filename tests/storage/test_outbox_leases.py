"""The outbox's lease on the real store (SQLite and PostgreSQL): renewed while a long batch is
sent so no other worker takes it, and a row another worker took after a lapse left to it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import TELEGRAM
from flows.clock import FixedClock
from flows.conversation.messages import Outbound
from flows.outbox.dispatcher import LEASE, Dispatcher
from flows.outbox.model import OutboxItem
from flows.people.chats import ChatRef
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.models import OutboxRow
from tests.flows.sending import RecordingSender

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
CHAT = ChatRef(TELEGRAM, "-100777")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def fill(database: Database, count: int) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.outbox.enqueue(
            [OutboxItem(f"r{n}", "test", CHAT, Outbound(f"r{n}"), NOW) for n in range(count)]
        )
        await uow.commit()


async def rows(database: Database) -> list[OutboxRow]:
    async with database.sessions() as session:
        return list((await session.scalars(select(OutboxRow))).all())


def worker(database: Database, clock: FixedClock, sender: RecordingSender, name: str) -> Dispatcher:
    return Dispatcher(unit_of_work_factory(database), sender, clock, worker=name, batch=10)


async def test_the_lease_is_renewed_while_a_long_batch_is_sent(
    database: Database, clock: FixedClock
) -> None:
    await fill(database, 10)
    other = RecordingSender()
    taken: list[int] = []
    slow = RecordingSender()
    original = slow.send

    async def slow_send(chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        await original(chat, message, key=key)
        clock.advance(timedelta(seconds=4))  # each message takes 4 s: 40 s for the batch
        # Another worker looks during every send; what is left of the batch stays leased.
        taken.append((await worker(database, clock, other, "other").run_once()).claimed)
        for row in await rows(database):
            assert row.status == "sent" or (
                row.claimed_until is not None and row.claimed_until > clock.now()
            )

    slow.send = slow_send  # type: ignore[method-assign]
    assert (await worker(database, clock, slow, "slow").run_once()).sent == 10
    assert clock.now() - NOW == timedelta(seconds=40) > LEASE * 2
    assert taken == [0] * 10 and other.sent == []
    assert Counter(r.status for r in await rows(database)) == {"sent": 10}


async def test_rows_another_worker_took_after_a_lapse_are_left_to_it(
    database: Database, clock: FixedClock
) -> None:
    await fill(database, 5)
    other = RecordingSender()
    stuck = RecordingSender()
    original = stuck.send

    async def hang_once(chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        await original(chat, message, key=key)
        if len(stuck.sent) == 1:
            # The first send hangs past the lease; another worker takes the batch meanwhile.
            clock.advance(LEASE + timedelta(seconds=1))
            assert (await worker(database, clock, other, "other").drain()).sent == 5

    stuck.send = hang_once  # type: ignore[method-assign]
    assert (await worker(database, clock, stuck, "stuck").run_once()).sent == 1
    # Only the message that hung went twice; the stuck worker left the rest to the other.
    assert stuck.texts() == ["r0"]
    assert sorted(other.texts()) == ["r0", "r1", "r2", "r3", "r4"]
    assert Counter(r.status for r in await rows(database)) == {"sent": 5}


async def test_a_renewal_keeps_only_this_workers_rows(
    database: Database, clock: FixedClock
) -> None:
    await fill(database, 3)
    async with SqlUnitOfWork(database) as uow:
        mine = await uow.outbox.claim(NOW, 2, NOW + LEASE, "mine")
        theirs = await uow.outbox.claim(NOW, 1, NOW + LEASE, "theirs")
        await uow.commit()
    later = NOW + LEASE * 2
    async with SqlUnitOfWork(database) as uow:
        held = await uow.outbox.renew([c.id for c in mine + theirs], "mine", later)
        await uow.commit()
    assert held == {c.id for c in mine}
    until = {r.id: r.claimed_until for r in await rows(database)}
    assert [until[c.id] for c in mine] == [later, later]
    assert until[theirs[0].id] == NOW + LEASE
