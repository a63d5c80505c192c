"""Groups, meetings and RSVPs in SQL, as `flows.meetings.ports` promises."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.meetings import Group, Meeting
from flows.people import ChatRef, Platform
from flows.times import to_utc
from storage.base import insert_for
from storage.models import Group as GroupRow
from storage.models import GroupChat, GroupMember, MeetingRecord, Rsvp

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
