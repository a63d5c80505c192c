"""Meetings and the outbox against the real store: planning, dispatching, restarts, retries,
expiry, edits and cancellations; and two worker processes sharing PostgreSQL."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.conversation.messages import Outbound
from flows.meetings.model import MeetingError
from flows.meetings.service import MeetingService
from flows.outbox.dispatcher import Dispatcher
from flows.outbox.model import OutboxItem, SendError
from flows.people.chats import ChatRef
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.models import OutboxRow

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
GROUP_CHAT = ChatRef(TELEGRAM, "-100777")
PRIVATE = ChatRef(DISCORD, "555")


class RecordingSender:
    """Keeps what would have been sent; can be told to fail."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures: list[SendError] = []

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat.key, message.text))


async def statuses(database: Database) -> Counter[str]:
    async with database.sessions() as session:
        return Counter((await session.scalars(select(OutboxRow.status))).all())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def cork(database: Database, clock: FixedClock, **extra: object) -> MeetingService:
    service = MeetingService(unit_of_work_factory(database), clock)
    await service.create_group("Cork DESEO partners", slug="cork", timezone="Europe/Dublin")
    await service.follow("cork", GROUP_CHAT, "Cork partners")
    await service.follow("cork", PRIVATE)
    await service.create_meeting(
        "cork",
        "Monthly partners' meeting",
        datetime(2026, 12, 3, 10, 0),
        rrule=extra.get("rrule"),  # type: ignore[arg-type]
        agenda=("Welcome", "Survey results"),
        reminders_before=(timedelta(days=1), timedelta(hours=1), timedelta(seconds=30)),
    )
    return service


def dispatcher(
    database: Database, clock: FixedClock, sender: RecordingSender, **kw: object
) -> Dispatcher:
    return Dispatcher(unit_of_work_factory(database), sender, clock, worker="w1", **kw)  # type: ignore[arg-type]


async def test_a_meeting_broadcasts_its_agenda_and_plans_every_reminder(
    database: Database, clock: FixedClock
) -> None:
    service = await cork(database, clock)
    assert await statuses(database) == Counter({"pending": 2 + 6})
    assert await service.plan() == 0  # planning again adds nothing

    sender = RecordingSender()
    first = await dispatcher(database, clock, sender).drain()
    assert first.sent == 2
    assert {chat for chat, _ in sender.sent} == {"telegram:-100777", "discord:555"}
    assert "1. Welcome" in sender.sent[0][1]

    clock.advance(timedelta(days=10, hours=1))  # 2 December, 10:00 UTC
    assert (await dispatcher(database, clock, sender).drain()).sent == 2
    assert "1 day before" in sender.sent[-1][1]
    clock.advance(timedelta(hours=23))  # 3 December, 09:00 UTC
    assert (await dispatcher(database, clock, sender).drain()).sent == 2  # 1 h
    clock.advance(timedelta(minutes=59, seconds=40))
    assert (await dispatcher(database, clock, sender).drain()).sent == 2  # 30 s
    assert await statuses(database) == Counter({"sent": 8})


async def test_a_worker_that_dies_mid_run_loses_nothing_and_sends_nothing_twice(
    database: Database, clock: FixedClock
) -> None:
    await cork(database, clock)
    # A worker claims the agendas, then dies before sending them.
    async with SqlUnitOfWork(database) as uow:
        claimed = await uow.outbox.claim(
            clock.now(), 10, clock.now() + timedelta(minutes=2), "dead"
        )
        await uow.commit()
    assert len(claimed) == 2
    sender = RecordingSender()
    assert (await dispatcher(database, clock, sender).drain()).sent == 0  # leased elsewhere
    clock.advance(timedelta(minutes=3))  # the lease lapses
    assert (await dispatcher(database, clock, sender).drain()).sent == 2
    clock.advance(timedelta(days=12))
    await dispatcher(database, clock, sender).drain()
    assert len(sender.sent) == len(set(sender.sent))


async def test_failures_retry_with_backoff_and_end_dead(
    database: Database, clock: FixedClock
) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.outbox.enqueue(
            [OutboxItem("test:1", "test", GROUP_CHAT, Outbound("hello"), clock.now())]
        )
        await uow.commit()
    sender = RecordingSender()
    sender.failures = [SendError("flood", retry_after=40)]
    report = await dispatcher(database, clock, sender).run_once()
    assert report.retried == 1
    clock.advance(timedelta(seconds=39))
    assert (await dispatcher(database, clock, sender).run_once()).claimed == 0
    clock.advance(timedelta(seconds=2))
    assert (await dispatcher(database, clock, sender).run_once()).sent == 1

    async with SqlUnitOfWork(database) as uow:
        await uow.outbox.enqueue(
            [OutboxItem("test:2", "test", GROUP_CHAT, Outbound("again"), clock.now())]
        )
        await uow.commit()
    sender.failures = [SendError("network down")] * 3
    worker = dispatcher(database, clock, sender, max_attempts=3)
    for _ in range(3):
        await worker.run_once()
        clock.advance(timedelta(minutes=5))
    async with database.sessions() as session:
        row = (await session.scalars(select(OutboxRow).where(OutboxRow.key == "test:2"))).one()
    assert row.status == "dead" and row.last_error == "network down" and row.attempts == 3


async def test_a_blocked_chat_is_dead_at_once(database: Database, clock: FixedClock) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.outbox.enqueue([OutboxItem("x", "test", PRIVATE, Outbound("hi"), clock.now())])
        await uow.commit()
    sender = RecordingSender()
    sender.failures = [SendError("bot was blocked by the user", permanent=True)]
    assert (await dispatcher(database, clock, sender).run_once()).dead == 1


async def test_reminders_missed_while_down_are_sent_if_useful_else_expired(
    database: Database, clock: FixedClock
) -> None:
    await cork(database, clock)
    sender = RecordingSender()
    await dispatcher(database, clock, sender).drain()
    sender.sent.clear()
    # Everything was down from 1 December until 3 December 09:30, half an hour before the meeting.
    clock.advance(timedelta(days=11, minutes=30))
    report = await dispatcher(database, clock, sender).drain()
    # The 1-hour reminders are late but still useful; the 1-day ones, due with them, would
    # only repeat them.
    assert report.sent == 2 and report.expired == 2
    assert all("1 hour" in text or "hour" in text for _, text in sender.sent)
    clock.advance(timedelta(hours=1))  # now past the start: the 30 s reminders are too late
    report = await dispatcher(database, clock, sender).drain()
    assert report.expired == 2 and report.sent == 0
    async with database.sessions() as session:
        reasons = (
            await session.scalars(select(OutboxRow.last_error).where(OutboxRow.status == "expired"))
        ).all()
    assert sorted(r.split(":")[0] for r in reasons if r) == [
        "superseded",
        "superseded",
        "too late",
        "too late",
    ]


async def test_editing_moves_reminders_and_cancelling_removes_them(
    database: Database, clock: FixedClock
) -> None:
    service = await cork(database, clock, rrule="FREQ=MONTHLY;BYDAY=1TH")
    meeting = (await service.meetings("cork"))[0].meeting
    await service.update_meeting(meeting.id, start_local=datetime(2026, 12, 3, 14, 0))
    async with database.sessions() as session:
        rows = (
            await session.scalars(
                select(OutboxRow).where(OutboxRow.kind == "reminder", OutboxRow.status == "pending")
            )
        ).all()
        dues = sorted({r.due_at for r in rows})
    assert dues[0] == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # moved with the meeting
    sender = RecordingSender()
    await dispatcher(database, clock, sender).drain()
    assert any(text.startswith("*Changed:*") for _, text in sender.sent)

    await service.cancel_meeting(meeting.id, datetime(2026, 12, 3, 14, 0))
    upcoming = (await service.meetings("cork"))[0]
    assert upcoming.occurrence.start_local == datetime(2027, 1, 7, 14, 0)
    await service.cancel_meeting(meeting.id)
    assert await service.meetings("cork") == []
    async with database.sessions() as session:
        pending = (
            await session.scalars(
                select(OutboxRow).where(OutboxRow.kind == "reminder", OutboxRow.status == "pending")
            )
        ).all()
    assert pending == []
    await dispatcher(database, clock, sender).drain()
    assert any("will not take place" in text for _, text in sender.sent)


async def test_rsvps_are_counted_per_occurrence(database: Database, clock: FixedClock) -> None:
    service = await cork(database, clock)
    upcoming = (await service.meetings("cork"))[0]
    async with SqlUnitOfWork(database) as uow:
        a = await uow.people.identify(TELEGRAM, "1", display_name="A")
        b = await uow.people.identify(TELEGRAM, "2", display_name="B")
        await uow.commit()
    key = upcoming.occurrence.key
    await service.rsvp(a.id, upcoming.meeting.id, key, "going")
    await service.rsvp(b.id, upcoming.meeting.id, key, "maybe")
    counts = await service.rsvp(a.id, upcoming.meeting.id, key, "not-going")
    assert counts == {"going": 0, "maybe": 1, "not-going": 1}
    with pytest.raises(MeetingError):
        await service.rsvp(a.id, upcoming.meeting.id, key, "perhaps")


async def test_ics_and_groups(database: Database, clock: FixedClock) -> None:
    service = await cork(database, clock, rrule="FREQ=MONTHLY;BYDAY=1TH")
    text = await service.calendar("cork")
    assert "BEGIN:VCALENDAR" in text and "Monthly partners" in text
    groups = await service.groups()
    assert [(g.slug, len(chats)) for g, chats in groups] == [("cork", 2)]
    with pytest.raises(MeetingError):
        await service.create_group("Cork", slug="cork", timezone="Europe/Dublin")


# --- two worker processes on PostgreSQL -------------------------------------------------------


def _worker(url: str, name: str, out: str) -> None:
    async def run() -> RecordingSender:
        database = Database.from_url(url)
        sender = RecordingSender()
        clock = FixedClock(NOW + timedelta(days=1))
        worker = Dispatcher(unit_of_work_factory(database), sender, clock, worker=name, batch=200)
        await worker.drain(rounds=10_000)
        await database.dispose()
        return sender

    sender = asyncio.run(run())
    Path(out).write_text("\n".join(text for _, text in sender.sent))


@pytest.mark.postgres
def test_two_worker_processes_send_each_key_exactly_once(
    postgres_migrated: str, tmp_path: Path
) -> None:
    async def fill() -> None:
        database = Database.from_url(postgres_migrated)
        async with SqlUnitOfWork(database) as uow:
            await uow.outbox.enqueue(
                [
                    OutboxItem(f"load:{n}", "test", GROUP_CHAT, Outbound(f"load:{n}"), NOW)
                    for n in range(10_000)
                ]
            )
            await uow.commit()
        await database.dispose()

    asyncio.run(fill())
    context = multiprocessing.get_context("spawn")
    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    workers = [
        context.Process(target=_worker, args=(postgres_migrated, f"w{n}", str(out)))
        for n, out in enumerate(outs)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
        assert process.exitcode == 0
    sent = [line for out in outs for line in out.read_text().splitlines() if line]
    assert len(sent) == 10_000 and len(set(sent)) == 10_000
    assert all(out.read_text() for out in outs), "both workers should have taken a share"

    async def left() -> Counter[str]:
        database = Database.from_url(postgres_migrated)
        try:
            return await statuses(database)
        finally:
            await database.dispose()

    assert asyncio.run(left())["sent"] == 10_000


async def test_a_coordinator_schedules_and_cancels_from_the_chat(
    database: Database, clock: FixedClock
) -> None:
    from bot.commands import ChatCommands
    from flows.conversation.catalog import FlowCatalog
    from flows.conversation.service import ConversationService, Sender
    from flows.people.model import Role

    meetings = MeetingService(unit_of_work_factory(database), clock)
    await meetings.create_group("Cork partners", slug="cork", timezone="Europe/Dublin")
    conversations = ConversationService(
        unit_of_work_factory(database), FlowCatalog.from_directory(), clock
    )
    chat = ChatCommands(conversations, meetings)
    coordinator = Sender(TELEGRAM, "7", "Coordinator")
    member = Sender(TELEGRAM, "8", "Member")
    refused = await chat.run(member, "schedule", "cork 2026-12-03T10:00 Partners")
    assert refused.messages[0].text == "Only a coordinator can do that."
    person = await conversations.whois(coordinator)
    async with SqlUnitOfWork(database) as uow:
        await uow.people.grant(person.id, Role.COORDINATOR)
        await uow.commit()
    done = await chat.run(coordinator, "schedule", "cork 2026-12-03T10:00 Monthly partners")
    assert done.messages[0].text.startswith("Meeting 1 scheduled")
    upcoming = await meetings.meetings("cork")
    assert upcoming[0].meeting.title == "Monthly partners"
    assert upcoming[0].occurrence.start == datetime(2026, 12, 3, 10, tzinfo=UTC)
    bad = await chat.run(coordinator, "schedule", "cork tomorrow Partners")
    assert "not a date and time" in bad.messages[0].text
    cancelled = await chat.run(coordinator, "cancelmeeting", "1")
    assert cancelled.messages[0].text.startswith("Cancelled")
    assert await meetings.meetings("cork") == []


async def test_rows_wait_for_a_worker_that_can_send_them(
    database: Database, clock: FixedClock
) -> None:
    await cork(database, clock)
    sender = RecordingSender()
    telegram_only = Dispatcher(
        unit_of_work_factory(database),
        sender,
        clock,
        worker="tg",
        platforms=frozenset({TELEGRAM}),
    )
    report = await telegram_only.drain()
    assert report.sent == 1 and sender.sent[0][0] == "telegram:-100777"
    assert (await statuses(database))["pending"] == 7  # the Discord agenda waits
