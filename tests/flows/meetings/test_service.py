"""MeetingService's rules on the in-memory unit of work: agendas and reminders planned into the
outbox, moved by edits, cancelled with the meeting; following, RSVPs, and what is refused.
(`tests/storage/test_meetings.py` runs the same service on SQLite and PostgreSQL.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.meetings import Meeting, MeetingError, MeetingService, NotFound
from flows.outbox import Dispatcher
from flows.people import ChatRef
from tests.flows.memory import MemoryStore
from tests.flows.sending import RecordingSender

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
GROUP_CHAT = ChatRef(TELEGRAM, "-100777")
PRIVATE = ChatRef(DISCORD, "555")
FIRST_THURSDAY = "FREQ=MONTHLY;BYDAY=1TH"
THREE_REMINDERS = (timedelta(days=1), timedelta(hours=1), timedelta(seconds=30))


@pytest.fixture
def service(store: MemoryStore, clock: FixedClock) -> MeetingService:
    return MeetingService(store.units, clock)


async def cork(service: MeetingService, rrule: str | None = None) -> Meeting:
    """The Cork group, followed by a group chat and a private one, and its meeting on Thursday
    3 December 2026 at 10:00 (Dublin is on UTC then)."""
    await service.create_group("Cork DESEO partners", slug="cork", timezone="Europe/Dublin")
    await service.follow("cork", GROUP_CHAT, "Cork partners")
    await service.follow("cork", PRIVATE)
    return await service.create_meeting(
        "cork",
        "Monthly partners' meeting",
        datetime(2026, 12, 3, 10, 0),
        rrule=rrule,
        agenda=("Welcome", "Survey results"),
        reminders_before=THREE_REMINDERS,
    )


def dispatcher(store: MemoryStore, clock: FixedClock, sender: RecordingSender) -> Dispatcher:
    return Dispatcher(store.units, sender, clock, worker="w1")


async def test_a_meeting_announces_its_agenda_and_plans_a_reminder_per_chat_and_offset(
    store: MemoryStore, service: MeetingService
) -> None:
    meeting = await cork(service)
    agendas = store.outbox()[:2]
    assert [r.kind for r in agendas] == ["agenda", "agenda"]
    assert {r.chat for r in agendas} == {GROUP_CHAT, PRIVATE}
    assert all(r.due == NOW and r.meeting_id == meeting.id for r in agendas)
    assert "1. Welcome" in agendas[0].message.text
    start = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    reminders = store.outbox()[2:]
    assert sorted((r.chat.key, r.due) for r in reminders) == sorted(
        (chat.key, start - before) for chat in (GROUP_CHAT, PRIVATE) for before in THREE_REMINDERS
    )
    # A reminder that comes after the meeting started is not worth sending.
    assert all(r.kind == "reminder" and r.not_after == start for r in reminders)
    assert store.statuses() == {"pending": 8}


async def test_planning_again_adds_nothing_and_reminders_go_out_at_their_time(
    store: MemoryStore, service: MeetingService, clock: FixedClock
) -> None:
    await cork(service)
    assert await service.plan() == 0
    sender = RecordingSender()
    assert (await dispatcher(store, clock, sender).drain()).sent == 2  # the agendas
    clock.advance(timedelta(days=10, hours=1))  # 2 December, 10:00
    assert (await dispatcher(store, clock, sender).drain()).sent == 2
    assert "1 day before" in sender.texts()[-1]
    clock.advance(timedelta(hours=23))  # 3 December, 09:00
    assert (await dispatcher(store, clock, sender).drain()).sent == 2
    assert "1 hour before" in sender.texts()[-1]
    clock.advance(timedelta(minutes=59, seconds=40))
    assert (await dispatcher(store, clock, sender).drain()).sent == 2
    assert store.statuses() == {"sent": 8}
    assert len(sender.sent) == len(set(sender.sent)) == 8


async def test_planning_reaches_the_occurrences_that_come_into_its_window(
    store: MemoryStore, service: MeetingService, clock: FixedClock
) -> None:
    await cork(service, rrule=FIRST_THURSDAY)
    # Five weeks ahead of 22 November: only the 3 December meeting.
    assert {r.not_after for r in store.outbox("pending") if r.kind == "reminder"} == {
        datetime(2026, 12, 3, 10, tzinfo=UTC)
    }
    clock.advance(timedelta(days=20))
    assert await service.plan() == 6  # 7 January's three reminders for two chats
    assert await service.plan() == 0


async def test_planning_skips_reminders_already_past_but_keeps_those_just_due(
    store: MemoryStore, service: MeetingService, clock: FixedClock
) -> None:
    await cork(service)
    store.state.outbox.clear()  # as if the rows were lost: planning must make them again
    # 3 December, 09:10: the day-before reminders are long past, the 1-hour ones ten minutes
    # late (within the grace planning allows), the 30-second ones to come.
    clock.advance(timedelta(days=11, minutes=10))
    assert await service.plan() == 4
    offsets = sorted({r.key.split(":")[3] for r in store.outbox()})
    assert offsets == ["1h", "30s"]


async def test_a_new_chat_gets_the_reminders_of_meetings_already_planned(
    store: MemoryStore, service: MeetingService
) -> None:
    await cork(service)
    late = ChatRef(TELEGRAM, "-100888")
    group, new = await service.follow("cork", late)
    assert (group.slug, new) == ("cork", True)
    assert len([r for r in store.outbox() if r.chat == late]) == 3  # no agenda, the reminders
    _, again = await service.follow("cork", late)
    assert again is False
    assert len(store.outbox()) == 8 + 3
    assert [g.slug for g in await service.followed_by(late)] == ["cork"]
    assert await service.unfollow("cork", late)
    assert not await service.unfollow("cork", late)
    assert await service.followed_by(late) == []


async def test_editing_moves_pending_reminders_and_tells_the_chats(
    store: MemoryStore, service: MeetingService
) -> None:
    meeting = await cork(service, rrule=FIRST_THURSDAY)
    updated = await service.update_meeting(meeting.id, start_local=datetime(2026, 12, 3, 14, 0))
    assert updated.start_local == datetime(2026, 12, 3, 14, 0)
    pending = [r for r in store.outbox("pending") if r.kind == "reminder"]
    assert min(r.due for r in pending) == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert {r.not_after for r in pending} == {datetime(2026, 12, 3, 14, 0, tzinfo=UTC)}
    assert len(pending) == 6  # moved, not doubled
    changed = [r for r in store.outbox() if r.kind == "agenda"][2:]
    assert len(changed) == 2
    assert all(r.message.text.startswith("*Changed:*") for r in changed)


async def test_an_edit_that_breaks_the_rules_changes_nothing(
    store: MemoryStore, service: MeetingService
) -> None:
    meeting = await cork(service)
    before = [(r.key, r.due, r.status) for r in store.outbox()]
    with pytest.raises(MeetingError, match="positive offsets"):
        await service.update_meeting(meeting.id, reminders=(timedelta(hours=-1),))
    with pytest.raises(MeetingError, match="end after it starts"):
        await service.update_meeting(meeting.id, duration=timedelta(0))
    assert (await service.meeting(meeting.id)) == meeting
    assert [(r.key, r.due, r.status) for r in store.outbox()] == before


async def test_cancelling_one_occurrence_then_the_whole_meeting(
    store: MemoryStore, service: MeetingService
) -> None:
    meeting = await cork(service, rrule=FIRST_THURSDAY)
    with pytest.raises(MeetingError, match="no occurrence at 2026-12-04 10:00"):
        await service.cancel_meeting(meeting.id, datetime(2026, 12, 4, 10, 0))
    await service.cancel_meeting(meeting.id, datetime(2026, 12, 3, 10, 0))
    assert [r.status for r in store.outbox() if r.kind == "reminder"] == ["cancelled"] * 6
    told = [r for r in store.outbox() if r.kind == "cancellation"]
    assert {r.chat for r in told} == {GROUP_CHAT, PRIVATE}
    assert "on Thursday 3 December 2026" in told[0].message.text
    upcoming = await service.meetings("cork")
    assert upcoming[0].occurrence.start_local == datetime(2027, 1, 7, 10, 0)

    cancelled = await service.cancel_meeting(meeting.id)
    assert cancelled.status == "cancelled"
    assert await service.meetings("cork") == []
    assert await service.plan() == 0
    # All that is still owed is the news that the meeting is off (the agendas and the notice
    # of the one occurrence, not yet sent, are cancelled with it).
    owed = store.outbox("pending")
    assert [r.key for r in owed] == [f"cancel:{meeting.id}:{c.key}" for c in (GROUP_CHAT, PRIVATE)]
    assert "STATUS:CANCELLED" in await service.calendar("cork")  # the calendar keeps it


async def test_rsvps_are_counted_per_occurrence_one_answer_per_person(
    service: MeetingService,
) -> None:
    meeting = await cork(service, rrule=FIRST_THURSDAY)
    upcoming = (await service.meetings("cork"))[0]
    key = upcoming.occurrence.key
    await service.rsvp(1, meeting.id, key, "going")
    await service.rsvp(2, meeting.id, key, "maybe")
    counts = await service.rsvp(1, meeting.id, key, "not-going")
    assert counts == {"going": 0, "maybe": 1, "not-going": 1}
    assert await service.rsvp_counts(meeting.id, "20270107T1000") == {
        "going": 0,
        "maybe": 0,
        "not-going": 0,
    }
    with pytest.raises(MeetingError, match="not an answer"):
        await service.rsvp(1, meeting.id, key, "perhaps")
    with pytest.raises(NotFound, match="no meeting 99"):
        await service.rsvp(1, 99, key, "going")


async def test_groups_are_unique_and_need_a_real_time_zone(service: MeetingService) -> None:
    group = await service.create_group("  Cork DESEO partners ", timezone="Europe/Dublin")
    assert (group.slug, group.name) == ("cork-deseo-partners", "Cork DESEO partners")
    with pytest.raises(MeetingError, match="already a group 'cork-deseo-partners'"):
        await service.create_group("Cork DESEO partners", timezone="Europe/Dublin")
    with pytest.raises(MeetingError):
        await service.create_group("Messina", timezone="Europe/Atlantis")
    with pytest.raises(NotFound, match="no group 'messina'"):
        await service.follow("messina", GROUP_CHAT)
    # A group is found by its number too.
    found, _ = await service.follow(str(group.id), GROUP_CHAT)
    assert found == group
    assert [(g.slug, chats) for g, chats in await service.groups()] == [
        ("cork-deseo-partners", [GROUP_CHAT])
    ]


async def test_a_meeting_that_cannot_be_scheduled_leaves_no_trace(
    store: MemoryStore, service: MeetingService
) -> None:
    await service.create_group("Cork", timezone="Europe/Dublin")
    await service.follow("cork", GROUP_CHAT)
    with pytest.raises(MeetingError, match="needs a title"):
        await service.create_meeting("cork", "  ", datetime(2026, 12, 3, 10, 0))
    with pytest.raises(MeetingError, match="RRULE"):
        await service.create_meeting("cork", "x", datetime(2026, 12, 3, 10, 0), rrule="SOMETIMES")
    with pytest.raises(NotFound):
        await service.create_meeting("messina", "x", datetime(2026, 12, 3, 10, 0))
    assert store.state.meetings == {} and store.outbox() == []


async def test_the_meetings_a_chat_sees_are_its_groups_soonest_first(
    service: MeetingService,
) -> None:
    await cork(service)
    await service.create_group("Messina", timezone="Europe/Rome")
    await service.follow("messina", PRIVATE)
    await service.create_meeting("messina", "Soci", datetime(2026, 11, 30, 18, 0))
    seen = await service.meetings_for_chat(PRIVATE)
    assert [u.meeting.title for u in seen] == ["Soci", "Monthly partners' meeting"]
    assert [u.meeting.title for u in await service.meetings_for_chat(GROUP_CHAT)] == [
        "Monthly partners' meeting"
    ]
    assert await service.meetings_for_chat(ChatRef(TELEGRAM, "1")) == []
