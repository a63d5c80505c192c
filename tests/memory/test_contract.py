"""The in-memory repositories keep the same promises as the SQL ones: each test here runs on
`tests/flows/memory.py`, on SQLite and on PostgreSQL, with the same assertions. This is what lets
the service tests in `tests/flows/` trust the in-memory unit of work."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from bot import DISCORD, TELEGRAM
from flows.conversation import Outbound
from flows.meetings import Meeting, MeetingWork
from flows.outbox import OutboxItem
from flows.people import ChatRef, CodesWork, Role
from flows.referrals import ReferralWork
from storage import Database, SqlUnitOfWork
from tests.conftest import _truncate_all
from tests.flows.memory import MemoryStore

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
GROUP = ChatRef(TELEGRAM, "-100")
PRIVATE = ChatRef(DISCORD, "555")


class Work(MeetingWork, ReferralWork, CodesWork, Protocol):
    """What both kinds of unit of work offer these tests."""


Units = Callable[[], Work]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None for the in-memory store, else a migrated, empty database. (Synchronous: making the
    databases runs event loops of its own.)"""
    if request.param == "memory":
        yield None
    elif request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "deseo.db")
        yield f"sqlite+aiosqlite:///{tmp_path / 'deseo.db'}"
    else:
        url: str = request.getfixturevalue("postgres_migrated")
        yield url
        _truncate_all(url)


@pytest.fixture
async def units(store_url: str | None) -> AsyncIterator[Units]:
    if store_url is None:
        yield MemoryStore().units
        return
    database = Database.from_url(store_url)
    yield lambda: SqlUnitOfWork(database)
    await database.dispose()


def item(key: str, due: datetime = NOW, chat: ChatRef = GROUP, **extra: object) -> OutboxItem:
    return OutboxItem(key, "test", chat, Outbound(key), due, **extra)  # type: ignore[arg-type]


async def test_outbox_keys_are_unique_and_claims_take_due_rows_oldest_first(units: Units) -> None:
    async with units() as uow:
        new = await uow.outbox.enqueue(
            [item("b", NOW - timedelta(minutes=1)), item("a", NOW - timedelta(minutes=2))]
        )
        assert new == 2
        assert await uow.outbox.enqueue([item("a", NOW + timedelta(days=1)), item("c")]) == 1
        assert await uow.outbox.enqueue([]) == 0
        await uow.outbox.enqueue([item("later", NOW + timedelta(seconds=1))])
        await uow.commit()
    lease = NOW + timedelta(minutes=2)
    async with units() as uow:
        claimed = await uow.outbox.claim(NOW, 2, lease, "w1")
        assert [(c.key, c.due, c.attempts) for c in claimed] == [
            ("a", NOW - timedelta(minutes=2), 1),  # the first due time stood
            ("b", NOW - timedelta(minutes=1), 1),
        ]
        assert [c.key for c in await uow.outbox.claim(NOW, 10, lease, "w2")] == ["c"]
        assert await uow.outbox.claim(NOW, 10, lease, "w2") == []  # all leased or not due
        assert await uow.outbox.counts() == {"sending": 3, "pending": 1}
        await uow.commit()
    async with units() as uow:
        # A lease is taken back only once it has run out, and counts another attempt.
        assert [c.key for c in await uow.outbox.claim(lease, 10, lease, "w3")] == ["later"]
        retaken = await uow.outbox.claim(lease + timedelta(seconds=1), 10, lease, "w3")
        assert [(c.key, c.attempts) for c in retaken] == [
            ("a", 2),
            ("b", 2),
            ("c", 2),
            ("later", 2),
        ]


async def test_outbox_claims_only_the_platforms_asked_for(units: Units) -> None:
    async with units() as uow:
        await uow.outbox.enqueue([item("tg"), item("dc", chat=PRIVATE)])
        claimed = await uow.outbox.claim(NOW, 10, NOW, "w", frozenset({DISCORD}))
        assert [(c.key, c.chat) for c in claimed] == [("dc", PRIVATE)]


async def test_outbox_marks_settle_rows(units: Units) -> None:
    async with units() as uow:
        await uow.outbox.enqueue([item(k) for k in ("sent", "retry", "dead", "expired")])
        claimed = {c.key: c.id for c in await uow.outbox.claim(NOW, 10, NOW, "w")}
        await uow.outbox.mark_sent(claimed["sent"], NOW)
        await uow.outbox.mark_retry(claimed["retry"], NOW + timedelta(minutes=1), "flood")
        await uow.outbox.mark_dead(claimed["dead"], "blocked")
        await uow.outbox.mark_expired(claimed["expired"], "too late")
        assert await uow.outbox.counts() == {"sent": 1, "pending": 1, "dead": 1, "expired": 1}
        # The retried row comes back at its new time, its attempt counted.
        assert await uow.outbox.claim(NOW + timedelta(seconds=59), 10, NOW, "w") == []
        again = await uow.outbox.claim(NOW + timedelta(minutes=1), 10, NOW, "w")
        assert [(c.key, c.attempts) for c in again] == [("retry", 2)]


async def test_replacing_moves_what_is_still_owed_and_leaves_what_was_sent(units: Units) -> None:
    later = NOW + timedelta(hours=1)
    async with units() as uow:
        await uow.outbox.enqueue([item("owed"), item("sent"), item("cancelled")])
        claimed = {c.key: c.id for c in await uow.outbox.claim(NOW, 10, NOW, "w")}
        await uow.outbox.mark_sent(claimed["sent"], NOW)
        await uow.outbox.mark_retry(claimed["owed"], NOW, "flood")
        await uow.outbox.mark_retry(claimed["cancelled"], NOW, "flood")
        await uow.outbox.cancel_keys("cancelled")
        await uow.outbox.replace_pending(
            [item("owed", later), item("sent", later), item("cancelled", later), item("new", later)]
        )
        assert await uow.outbox.counts() == {"pending": 3, "sent": 1}
        claimed_later = await uow.outbox.claim(later, 10, later, "w")
        # Moved rows start their attempts afresh.
        assert sorted((c.key, c.due, c.attempts) for c in claimed_later) == [
            ("cancelled", later, 1),
            ("new", later, 1),
            ("owed", later, 1),
        ]


async def test_cancelling_pending_rows(units: Units) -> None:
    async with units() as uow:
        group = await uow.groups.create("cork", "Cork", "Europe/Dublin")
        meeting = Meeting(0, group.id, "M", datetime(2026, 12, 3, 10), "Europe/Dublin")
        mid = await uow.meetings.add(meeting, NOW)
        await uow.outbox.enqueue(
            [
                item(f"reminder:{mid}:a:sent", NOW - timedelta(hours=1), meeting_id=mid),
                item("thread/1_/post/0/sent", NOW - timedelta(hours=1)),
            ]
        )
        for sent in await uow.outbox.claim(NOW, 10, NOW, "w"):
            await uow.outbox.mark_sent(sent.id, NOW)
        await uow.outbox.enqueue(
            [
                item(f"reminder:{mid}:a:1", meeting_id=mid),
                item(f"reminder:{mid}:b:1", meeting_id=mid),
                item(f"agenda:{mid}:1", meeting_id=mid),
                item("thread/1_/post/1/x"),
                item("thread/12/post/1/x"),  # `_` is no wildcard in a prefix
            ]
        )
        assert await uow.outbox.cancel_pending(mid, f"reminder:{mid}:a:") == 1
        assert await uow.outbox.cancel_pending(mid) == 2
        assert await uow.outbox.cancel_pending(mid) == 0
        assert await uow.outbox.cancel_keys("thread/1_/") == 1
        assert await uow.outbox.counts() == {"cancelled": 4, "pending": 1, "sent": 2}


async def test_groups_chats_and_members(units: Units) -> None:
    async with units() as uow:
        people = [await uow.people.identify(TELEGRAM, str(n), display_name="p") for n in (1, 2)]
        messina = await uow.groups.create("messina", "Messina", "Europe/Rome")
        cork = await uow.groups.create("cork", "Cork", "Europe/Dublin")
        assert await uow.groups.find("cork") == cork
        assert await uow.groups.find(str(messina.id)) == messina
        assert await uow.groups.find("nowhere") is None
        assert await uow.groups.all() == [cork, messina]
        assert await uow.groups.follow(cork.id, PRIVATE, "Me")
        assert await uow.groups.follow(cork.id, GROUP)
        assert not await uow.groups.follow(cork.id, PRIVATE)
        assert await uow.groups.follow(messina.id, PRIVATE)
        assert await uow.groups.chats(cork.id) == [PRIVATE, GROUP]
        assert await uow.groups.followed_by(PRIVATE) == [cork, messina]
        assert await uow.groups.unfollow(cork.id, PRIVATE)
        assert not await uow.groups.unfollow(cork.id, PRIVATE)
        assert await uow.groups.chats(cork.id) == [GROUP]
        await uow.groups.add_member(messina.id, people[0].id)
        await uow.groups.add_member(messina.id, people[0].id)
        await uow.groups.add_member(cork.id, people[0].id)
        assert await uow.groups.of_person(people[0].id) == [cork, messina]
        assert await uow.groups.of_person(people[1].id) == []


async def test_meetings_and_rsvps(units: Units) -> None:
    async with units() as uow:
        a, b = [await uow.people.identify(TELEGRAM, str(n), display_name="p") for n in (1, 2)]
        group = await uow.groups.create("cork", "Cork", "Europe/Dublin")
        late = Meeting(0, group.id, "Late", datetime(2026, 12, 3, 18), "Europe/Dublin")
        early = Meeting(0, group.id, "Early", datetime(2026, 12, 3, 9), "Europe/Dublin")
        late_id = await uow.meetings.add(late, NOW)
        early_id = await uow.meetings.add(early, NOW)
        assert late_id != early_id
        assert await uow.meetings.get(late_id) == Meeting(**{**late.__dict__, "id": late_id})
        assert await uow.meetings.get(10_000) is None
        assert [m.title for m in await uow.meetings.of_group(group.id)] == ["Early", "Late"]
        called_off = Meeting(**{**early.__dict__, "id": early_id, "status": "cancelled"})
        await uow.meetings.save(called_off, NOW)
        assert [m.title for m in await uow.meetings.of_group(group.id)] == ["Late"]
        assert len(await uow.meetings.of_group(group.id, include_cancelled=True)) == 2
        assert [m.id for m in await uow.meetings.scheduled()] == [late_id]
        with pytest.raises(LookupError):
            await uow.meetings.save(Meeting(**{**late.__dict__, "id": 10_000}), NOW)
        await uow.meetings.rsvp(late_id, "x", a.id, "going", NOW)
        await uow.meetings.rsvp(late_id, "x", b.id, "going", NOW)
        await uow.meetings.rsvp(late_id, "x", a.id, "maybe", NOW)
        await uow.meetings.rsvp(late_id, "y", a.id, "not-going", NOW)
        assert await uow.meetings.rsvp_counts(late_id, "x") == {
            "going": 1,
            "maybe": 1,
            "not-going": 0,
        }


async def test_people_are_made_once_per_identity(units: Units) -> None:
    async with units() as uow:
        aoife = await uow.people.identify(
            TELEGRAM, "1", display_name="Aoife", language="ga", timezone="Europe/Dublin"
        )
        assert await uow.people.identify(TELEGRAM, "1", display_name="Other") == aoife
        assert (aoife.display_name, aoife.language, aoife.timezone) == (
            "Aoife",
            "ga",
            "Europe/Dublin",
        )
        assert aoife.roles == {Role.MEMBER}
        nameless = await uow.people.identify(DISCORD, "1", display_name="")
        assert (nameless.display_name, nameless.language, nameless.timezone) == (
            "friend",
            "en",
            "Europe/Brussels",
        )
        assert nameless.id != aoife.id
        long = await uow.people.identify(DISCORD, "2", display_name="x" * 300)
        assert long.display_name == "x" * 200
        assert await uow.people.identities(aoife.id) == [(TELEGRAM, "1")]
        await uow.people.grant(aoife.id, Role.COORDINATOR)
        await uow.people.grant(aoife.id, Role.COORDINATOR)
        await uow.people.set_language(aoife.id, "it")
        got = await uow.people.get(aoife.id)
        assert got is not None and got.roles == {Role.MEMBER, Role.COORDINATOR}
        assert got.language == "it"
        await uow.people.revoke(aoife.id, Role.COORDINATOR)
        got = await uow.people.get(aoife.id)
        assert got is not None and got.roles == {Role.MEMBER}
        with pytest.raises(ValueError, match="member"):
            await uow.people.revoke(aoife.id, Role.MEMBER)
        with pytest.raises(LookupError):
            await uow.people.grant(10_000, Role.ADMIN)
        assert await uow.people.get(10_000) is None


async def test_referrals_their_history_and_providers(units: Units) -> None:
    async with units() as uow:
        niamh = await uow.people.identify(TELEGRAM, "1", display_name="Niamh")
        officer = await uow.people.identify(TELEGRAM, "2", display_name="Officer")
        first = await uow.referrals.create(niamh.id, "loans", "clann", "a shop", NOW)
        second = await uow.referrals.create(
            niamh.id, "mentoring", "sei", None, NOW + timedelta(hours=1)
        )
        assert (first.status, first.outcome, first.created_at) == ("requested", None, NOW)
        assert await uow.referrals.get(first.id) == first
        assert await uow.referrals.get(10_000) is None
        moved = await uow.referrals.move(
            first.id, "accepted", None, "call Monday", officer.id, NOW + timedelta(hours=2)
        )
        assert (moved.status, moved.note, moved.updated_at) == (
            "accepted",
            "call Monday",
            NOW + timedelta(hours=2),
        )
        history = await uow.referrals.history(first.id)
        assert [(e.status, e.by_person_id, e.note) for e in history] == [
            ("requested", niamh.id, "a shop"),
            ("accepted", officer.id, "call Monday"),
        ]
        assert [r.id for r in await uow.referrals.of_person(niamh.id)] == [first.id, second.id]
        assert [r.id for r in await uow.referrals.of_organisations(["sei", "x"])] == [second.id]
        assert await uow.referrals.of_organisations([]) == []
        assert [r.id for r in await uow.referrals.idle_since(NOW + timedelta(hours=1))] == [
            second.id
        ]
        await uow.referrals.move(second.id, "declined", None, None, officer.id, NOW)
        assert await uow.referrals.idle_since(NOW + timedelta(days=1)) == [moved]
        assert await uow.referrals.add_member("clann", officer.id, NOW)
        assert not await uow.referrals.add_member("clann", officer.id, NOW)
        assert await uow.referrals.add_member("sei", officer.id, NOW)
        assert await uow.referrals.add_member("clann", niamh.id, NOW)
        assert await uow.referrals.organisations_of(officer.id) == ["clann", "sei"]
        assert await uow.referrals.members_of("clann") == sorted([niamh.id, officer.id])


async def test_leaving_without_commit_keeps_nothing(units: Units) -> None:
    async with units() as uow:
        await uow.outbox.enqueue([item("kept")])
        await uow.commit()
    async with units() as uow:
        await uow.outbox.enqueue([item("dropped")])
        await uow.groups.create("cork", "Cork", "Europe/Dublin")
    async with units() as uow:
        await uow.outbox.enqueue([item("rolled back")])
        await uow.rollback()
        await uow.outbox.enqueue([item("after")])
        await uow.commit()
    async with units() as uow:
        assert [c.key for c in await uow.outbox.claim(NOW, 10, NOW, "w")] == ["kept", "after"]
        assert await uow.groups.all() == []
