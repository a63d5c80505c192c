"""Groups, meetings, RSVPs and the outbox in SQL, as `flows.ports` and `flows.outbox` promise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.meetings import Group, Meeting
from flows.outbox import Claimed, OutboxItem, message_from_json, message_to_json
from flows.people import ChatRef, Platform
from flows.times import to_utc
from storage.base import insert_for
from storage.models import Group as GroupRow
from storage.models import GroupChat, GroupMember, MeetingRecord, OutboxRow, Rsvp

outbox: Table = OutboxRow.__table__  # type: ignore[assignment]
OCCURRENCE_FORMAT = "%Y%m%dT%H%M"


def _group(row: GroupRow) -> Group:
    return Group(row.id, row.slug, row.name, row.timezone)


class SqlGroupRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def create(self, slug: str, name: str, timezone: str) -> Group:
        row = GroupRow(slug=slug, name=name, timezone=timezone)
        self._session.add(row)
        await self._session.flush()
        return _group(row)

    async def find(self, slug_or_id: str) -> Group | None:
        query = select(GroupRow).where(GroupRow.slug == slug_or_id)
        if slug_or_id.isdecimal() and len(slug_or_id) < 10:
            query = select(GroupRow).where(
                or_(GroupRow.slug == slug_or_id, GroupRow.id == int(slug_or_id))
            )
        row = (await self._session.scalars(query)).first()
        return None if row is None else _group(row)

    async def all(self) -> list[Group]:
        rows = await self._session.scalars(select(GroupRow).order_by(GroupRow.slug))
        return [_group(r) for r in rows]

    async def follow(self, group_id: int, chat: ChatRef, title: str | None = None) -> bool:
        statement = (
            insert_for(self._dialect, GroupChat)
            .values(
                group_id=group_id, platform=chat.platform.value, chat_id=chat.chat_id, title=title
            )
            .on_conflict_do_nothing()
            .returning(GroupChat.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def unfollow(self, group_id: int, chat: ChatRef) -> bool:
        result = await self._session.execute(
            delete(GroupChat).where(
                GroupChat.group_id == group_id,
                GroupChat.platform == chat.platform.value,
                GroupChat.chat_id == chat.chat_id,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def chats(self, group_id: int) -> list[ChatRef]:
        rows = await self._session.execute(
            select(GroupChat.platform, GroupChat.chat_id)
            .where(GroupChat.group_id == group_id)
            .order_by(GroupChat.id)
        )
        return [ChatRef(Platform(p), c) for p, c in rows]

    async def followed_by(self, chat: ChatRef) -> list[Group]:
        rows = await self._session.scalars(
            select(GroupRow)
            .join(GroupChat, GroupChat.group_id == GroupRow.id)
            .where(GroupChat.platform == chat.platform.value, GroupChat.chat_id == chat.chat_id)
            .order_by(GroupRow.slug)
        )
        return [_group(r) for r in rows]

    async def add_member(self, group_id: int, person_id: int) -> None:
        await self._session.execute(
            insert_for(self._dialect, GroupMember)
            .values(group_id=group_id, person_id=person_id)
            .on_conflict_do_nothing()
        )

    async def of_person(self, person_id: int) -> list[Group]:
        rows = await self._session.scalars(
            select(GroupRow)
            .join(GroupMember, GroupMember.group_id == GroupRow.id)
            .where(GroupMember.person_id == person_id)
            .order_by(GroupRow.slug)
        )
        return [_group(r) for r in rows]


def _meeting(row: MeetingRecord) -> Meeting:
    return Meeting(
        id=row.id,
        group_id=row.group_id,
        title=row.title,
        start_local=row.start_local,
        timezone=row.timezone,
        duration=timedelta(seconds=row.duration_s),
        rrule=row.rrule,
        location=row.location,
        link=row.link,
        agenda=tuple(row.agenda or ()),
        reminders=tuple(timedelta(seconds=s) for s in row.reminders_s or ()),
        cancelled=frozenset(datetime.strptime(c, OCCURRENCE_FORMAT) for c in row.cancelled or ()),
        status=row.status,
    )


def _fill(row: MeetingRecord, meeting: Meeting, start_utc: datetime, at: datetime) -> None:
    row.group_id = meeting.group_id
    row.title = meeting.title
    row.start_local = meeting.start_local
    row.timezone = meeting.timezone
    row.start_utc = start_utc
    row.duration_s = int(meeting.duration.total_seconds())
    row.rrule = meeting.rrule
    row.location = meeting.location
    row.link = meeting.link
    row.agenda = list(meeting.agenda)
    row.reminders_s = [int(r.total_seconds()) for r in meeting.reminders]
    row.cancelled = sorted(c.strftime(OCCURRENCE_FORMAT) for c in meeting.cancelled)
    row.status = meeting.status
    row.updated_at = at


class SqlMeetingRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def add(self, meeting: Meeting, at: datetime) -> int:
        row = MeetingRecord(created_at=at)
        _fill(row, meeting, to_utc(meeting.start_local, meeting.timezone), at)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self._session.get(MeetingRecord, meeting_id)
        return None if row is None else _meeting(row)

    async def save(self, meeting: Meeting, at: datetime) -> None:
        row = await self._session.get(MeetingRecord, meeting.id)
        if row is None:
            raise LookupError(f"no meeting {meeting.id}")
        _fill(row, meeting, to_utc(meeting.start_local, meeting.timezone), at)
        row.revision += 1
        await self._session.flush()

    async def of_group(self, group_id: int, *, include_cancelled: bool = False) -> list[Meeting]:
        query = select(MeetingRecord).where(MeetingRecord.group_id == group_id)
        if not include_cancelled:
            query = query.where(MeetingRecord.status == "scheduled")
        rows = await self._session.scalars(query.order_by(MeetingRecord.start_utc))
        return [_meeting(r) for r in rows]

    async def scheduled(self) -> list[Meeting]:
        rows = await self._session.scalars(
            select(MeetingRecord)
            .where(MeetingRecord.status == "scheduled")
            .order_by(MeetingRecord.id)
        )
        return [_meeting(r) for r in rows]

    async def rsvp(
        self, meeting_id: int, occurrence: str, person_id: int, answer: str, at: datetime
    ) -> None:
        statement = insert_for(self._dialect, Rsvp).values(
            meeting_id=meeting_id,
            occurrence=occurrence,
            person_id=person_id,
            answer=answer,
            answered_at=at,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["meeting_id", "occurrence", "person_id"],
            set_={
                "answer": statement.excluded.answer,
                "answered_at": statement.excluded.answered_at,
            },
        )
        await self._session.execute(statement)

    async def rsvp_counts(self, meeting_id: int, occurrence: str) -> dict[str, int]:
        rows = await self._session.execute(
            select(Rsvp.answer, func.count())
            .where(Rsvp.meeting_id == meeting_id, Rsvp.occurrence == occurrence)
            .group_by(Rsvp.answer)
        )
        counts = {"going": 0, "maybe": 0, "not-going": 0}
        counts.update({answer: int(n) for answer, n in rows})
        return counts


_RETURNED = (
    outbox.c.id,
    outbox.c.key,
    outbox.c.platform,
    outbox.c.chat_id,
    outbox.c.payload,
    outbox.c.due_at,
    outbox.c.not_after,
    outbox.c.attempts,
)


class SqlOutboxRepository:
    """The outbox table; claims are one atomic statement (with SKIP LOCKED on PostgreSQL)."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    @staticmethod
    def _row(item: OutboxItem) -> dict[str, Any]:
        return {
            "key": item.key[:300],
            "kind": item.kind,
            "platform": item.chat.platform.value,
            "chat_id": item.chat.chat_id,
            "payload": message_to_json(item.message),
            "due_at": item.due,
            "not_after": item.not_after,
            "meeting_id": item.meeting_id,
            "status": "pending",
            "attempts": 0,
        }

    async def enqueue(self, items: Sequence[OutboxItem]) -> int:
        if not items:
            return 0
        statement = (
            insert_for(self._dialect, outbox).on_conflict_do_nothing().returning(outbox.c.id)
        )
        new = 0
        for start in range(0, len(items), 500):
            chunk = [self._row(i) for i in items[start : start + 500]]
            result = await self._session.execute(statement.values(chunk))
            new += len(result.all())
        return new

    async def replace_pending(self, items: Sequence[OutboxItem]) -> None:
        if not items:
            return
        statement = insert_for(self._dialect, outbox)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "payload": statement.excluded.payload,
                "due_at": statement.excluded.due_at,
                "not_after": statement.excluded.not_after,
                "status": "pending",
                "attempts": 0,
                "last_error": None,
            },
            # A message already sent stays sent: only what is still owed moves.
            where=outbox.c.status.in_(("pending", "cancelled", "expired")),
        )
        await self._session.execute(statement.values([self._row(i) for i in items]))

    async def claim(
        self,
        now: datetime,
        limit: int,
        lease_until: datetime,
        worker: str,
        platforms: frozenset[Platform] | None = None,
    ) -> list[Claimed]:
        due = or_(
            and_(outbox.c.status == "pending", outbox.c.due_at <= now),
            # A worker that died mid-send left its rows leased: take them back once it lapses.
            and_(outbox.c.status == "sending", outbox.c.claimed_until < now),
        )
        if platforms is not None:
            due = and_(due, outbox.c.platform.in_(sorted(p.value for p in platforms)))
        chosen = select(outbox.c.id).where(due).order_by(outbox.c.due_at).limit(limit)
        if self._dialect == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(chosen.scalar_subquery()))
            .values(
                status="sending",
                claimed_by=worker,
                claimed_until=lease_until,
                attempts=outbox.c.attempts + 1,
            )
            .returning(*_RETURNED)
        )
        rows = (await self._session.execute(statement)).all()
        claimed = [
            Claimed(
                id=r.id,
                key=r.key,
                chat=ChatRef(Platform(r.platform), r.chat_id),
                message=message_from_json(r.payload),
                due=r.due_at,
                not_after=r.not_after,
                attempts=r.attempts,
            )
            for r in rows
        ]
        return sorted(claimed, key=lambda c: c.due)

    async def _set(self, row_id: int, **values: Any) -> None:
        await self._session.execute(update(outbox).where(outbox.c.id == row_id).values(**values))

    async def mark_sent(self, row_id: int, at: datetime) -> None:
        await self._set(row_id, status="sent", sent_at=at, claimed_until=None, last_error=None)

    async def mark_retry(self, row_id: int, due: datetime, error: str) -> None:
        await self._set(row_id, status="pending", due_at=due, claimed_until=None, last_error=error)

    async def mark_dead(self, row_id: int, error: str) -> None:
        await self._set(row_id, status="dead", claimed_until=None, last_error=error)

    async def mark_expired(self, row_id: int, reason: str) -> None:
        await self._set(row_id, status="expired", claimed_until=None, last_error=reason)

    async def cancel_pending(self, meeting_id: int, key_prefix: str | None = None) -> int:
        condition = and_(outbox.c.meeting_id == meeting_id, outbox.c.status == "pending")
        if key_prefix is not None:
            condition = and_(condition, outbox.c.key.startswith(key_prefix, autoescape=True))
        result = await self._session.execute(
            update(outbox).where(condition).values(status="cancelled")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def cancel_keys(self, key_prefix: str) -> int:
        result = await self._session.execute(
            update(outbox)
            .where(
                outbox.c.status == "pending", outbox.c.key.startswith(key_prefix, autoescape=True)
            )
            .values(status="cancelled")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def counts(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        return {status: int(n) for status, n in rows}
