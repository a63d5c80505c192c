"""What coordinators and members do with groups and meetings, in one transaction each:
create, change and cancel meetings, make chats follow groups, answer invitations; and the
periodic planning that keeps the outbox holding every reminder of the coming weeks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flows.clock import Clock
from flows.meetings.calendar import group_calendar
from flows.meetings.model import (
    DEFAULT_REMINDERS,
    RSVP_CHOICES,
    Group,
    Meeting,
    MeetingError,
    Occurrence,
    agenda_message,
    cancellation_message,
    known_zone,
    next_occurrence,
    occurrences,
    reminder_message,
    reminders,
)
from flows.meetings.ports import MeetingUnits, MeetingWork
from flows.outbox import OutboxItem
from flows.people import ChatRef
from flows.slugs import slugify

PLAN_WINDOW = timedelta(days=35)
# Planning runs every few minutes; a reminder that fell due a little before it ran is still
# sent. Reminders owed during a longer outage are already rows in the outbox.
PLAN_GRACE = timedelta(minutes=15)


class NotFound(LookupError):
    """No such group or meeting; the message names what was looked for."""


@dataclass(frozen=True)
class Upcoming:
    meeting: Meeting
    occurrence: Occurrence
    group: Group


class MeetingService:
    """Groups, meetings, invitations and reminders, through the unit of work."""

    def __init__(self, units: MeetingUnits, clock: Clock) -> None:
        self._units = units
        self._clock = clock

    # --- groups -------------------------------------------------------------------------------

    async def create_group(self, name: str, *, slug: str | None = None, timezone: str) -> Group:
        known_zone(timezone)
        slug = slugify(slug or name)
        async with self._units() as uow:
            if await uow.groups.find(slug) is not None:
                raise MeetingError(f"there is already a group {slug!r}")
            group = await uow.groups.create(slug, name.strip()[:200], timezone)
            await uow.commit()
            return group

    async def groups(self) -> list[tuple[Group, list[ChatRef]]]:
        async with self._units() as uow:
            return [(g, await uow.groups.chats(g.id)) for g in await uow.groups.all()]

    async def _group(self, uow: MeetingWork, ref: str) -> Group:
        group = await uow.groups.find(ref)
        if group is None:
            raise NotFound(f"there is no group {ref!r}")
        return group

    async def follow(self, ref: str, chat: ChatRef, title: str | None = None) -> tuple[Group, bool]:
        """Make a chat receive the group's agendas and reminders; and plan its reminders."""
        async with self._units() as uow:
            group = await self._group(uow, ref)
            new = await uow.groups.follow(group.id, chat, title)
            now = self._clock.now()
            for meeting in await uow.meetings.of_group(group.id):
                await self._plan_meeting(uow, meeting, [chat], now, now + PLAN_WINDOW, now)
            await uow.commit()
            return group, new

    async def join(self, ref: str, person_id: int) -> None:
        """Count a person among the group's members."""
        async with self._units() as uow:
            group = await self._group(uow, ref)
            await uow.groups.add_member(group.id, person_id)
            await uow.commit()

    async def unfollow(self, ref: str, chat: ChatRef) -> bool:
        async with self._units() as uow:
            group = await self._group(uow, ref)
            gone = await uow.groups.unfollow(group.id, chat)
            await uow.commit()
            return gone

    async def followed_by(self, chat: ChatRef) -> list[Group]:
        async with self._units() as uow:
            return await uow.groups.followed_by(chat)

    # --- meetings -----------------------------------------------------------------------------

    async def create_meeting(
        self,
        group_ref: str,
        title: str,
        start_local: datetime,
        timezone: str | None = None,
        *,
        duration: timedelta = timedelta(hours=1),
        rrule: str | None = None,
        location: str | None = None,
        link: str | None = None,
        agenda: tuple[str, ...] = (),
        reminders_before: tuple[timedelta, ...] = DEFAULT_REMINDERS,
    ) -> Meeting:
        """Schedule a meeting, broadcast its agenda to the group's chats and plan reminders."""
        async with self._units() as uow:
            group = await self._group(uow, group_ref)
            meeting = Meeting(
                id=0,
                group_id=group.id,
                title=title.strip(),
                start_local=start_local.replace(tzinfo=None, second=0, microsecond=0),
                timezone=timezone or group.timezone,
                duration=duration,
                rrule=rrule or None,
                location=location,
                link=link,
                agenda=agenda,
                reminders=tuple(sorted(set(reminders_before), reverse=True)),
            )
            meeting.check()
            now = self._clock.now()
            meeting = replace(meeting, id=await uow.meetings.add(meeting, now))
            await self._announce(uow, meeting, now, changed=False)
            await self._plan_meeting(uow, meeting, None, now, now + PLAN_WINDOW, now)
            await uow.commit()
            return meeting

    async def update_meeting(self, meeting_id: int, **changes: Any) -> Meeting:
        """Change a meeting; its pending reminders move with it and the chats are told."""
        async with self._units() as uow:
            meeting = await self._meeting(uow, meeting_id)
            if "start_local" in changes:
                changes["start_local"] = changes["start_local"].replace(tzinfo=None, second=0)
            if "reminders" in changes:
                changes["reminders"] = tuple(sorted(set(changes["reminders"]), reverse=True))
            updated = replace(meeting, **changes)
            updated.check()
            now = self._clock.now()
            await uow.meetings.save(updated, now)
            await uow.outbox.cancel_pending(meeting.id, f"reminder:{meeting.id}:")
            await self._announce(uow, updated, now, changed=True)
            await self._plan_meeting(uow, updated, None, now, now + PLAN_WINDOW, now, replace_=True)
            await uow.commit()
            return updated

    async def cancel_meeting(
        self, meeting_id: int, occurrence_local: datetime | None = None
    ) -> Meeting:
        """Cancel a whole meeting, or one occurrence of a recurring one; tell the chats."""
        async with self._units() as uow:
            meeting = await self._meeting(uow, meeting_id)
            now = self._clock.now()
            chats = await uow.groups.chats(meeting.group_id)
            if occurrence_local is None:
                cancelled = replace(meeting, status="cancelled")
                await uow.outbox.cancel_pending(meeting.id)
                message = cancellation_message(meeting, None)
                key = f"cancel:{meeting.id}"
            else:
                local = occurrence_local.replace(tzinfo=None, second=0, microsecond=0)
                found = [
                    o
                    for o in occurrences(
                        meeting, now - timedelta(days=1), now + timedelta(days=800)
                    )
                    if o.start_local == local
                ]
                if not found:
                    raise MeetingError(
                        f"meeting {meeting.id} has no occurrence at {local:%Y-%m-%d %H:%M}"
                    )
                occurrence = found[0]
                cancelled = replace(meeting, cancelled=meeting.cancelled | {local})
                await uow.outbox.cancel_pending(
                    meeting.id, f"reminder:{meeting.id}:{occurrence.key}:"
                )
                message = cancellation_message(meeting, occurrence)
                key = f"cancel:{meeting.id}:{occurrence.key}"
            await uow.meetings.save(cancelled, now)
            await uow.outbox.enqueue(
                [
                    OutboxItem(
                        f"{key}:{chat.key}",
                        "cancellation",
                        chat,
                        message,
                        now,
                        meeting_id=meeting.id,
                    )
                    for chat in chats
                ]
            )
            await uow.commit()
            return cancelled

    async def meetings(self, group_ref: str | None = None) -> list[Upcoming]:
        """The next occurrence of every scheduled meeting (of one group), soonest first."""
        now = self._clock.now()
        async with self._units() as uow:
            groups = [await self._group(uow, group_ref)] if group_ref else await uow.groups.all()
            found = []
            for group in groups:
                for meeting in await uow.meetings.of_group(group.id):
                    occurrence = next_occurrence(meeting, now)
                    if occurrence is not None:
                        found.append(Upcoming(meeting, occurrence, group))
            return sorted(found, key=lambda u: u.occurrence.start)

    async def meetings_for_chat(self, chat: ChatRef) -> list[Upcoming]:
        async with self._units() as uow:
            groups = await uow.groups.followed_by(chat)
        found = []
        for group in groups:
            found += await self.meetings(group.slug)
        return sorted(found, key=lambda u: u.occurrence.start)

    async def rsvp(
        self, person_id: int, meeting_id: int, occurrence_key: str, answer: str
    ) -> dict[str, int]:
        """Record a person's answer to an invitation; returns the counts so far."""
        if answer not in {a for a, _ in RSVP_CHOICES}:
            raise MeetingError(f"{answer!r} is not an answer to an invitation")
        async with self._units() as uow:
            await self._meeting(uow, meeting_id)
            await uow.meetings.rsvp(
                meeting_id, occurrence_key, person_id, answer, self._clock.now()
            )
            counts = await uow.meetings.rsvp_counts(meeting_id, occurrence_key)
            await uow.commit()
            return counts

    async def meeting(self, meeting_id: int) -> Meeting:
        async with self._units() as uow:
            return await self._meeting(uow, meeting_id)

    async def rsvp_counts(self, meeting_id: int, occurrence_key: str) -> dict[str, int]:
        async with self._units() as uow:
            return await uow.meetings.rsvp_counts(meeting_id, occurrence_key)

    async def calendar(self, group_ref: str) -> str:
        """The group's meetings as an iCalendar document."""
        async with self._units() as uow:
            group = await self._group(uow, group_ref)
            meetings = await uow.meetings.of_group(group.id, include_cancelled=True)
        return group_calendar(group, meetings, self._clock.now())

    # --- planning -----------------------------------------------------------------------------

    async def plan(self, window: timedelta = PLAN_WINDOW) -> int:
        """Make sure the outbox holds every reminder due in the coming `window`; returns how
        many rows were new. Safe to run as often as wanted, from any number of workers."""
        now = self._clock.now()
        new = 0
        async with self._units() as uow:
            for meeting in await uow.meetings.scheduled():
                new += await self._plan_meeting(
                    uow, meeting, None, now, now + window, now - PLAN_GRACE
                )
            await uow.commit()
        return new

    async def _plan_meeting(
        self,
        uow: MeetingWork,
        meeting: Meeting,
        chats: list[ChatRef] | None,
        start: datetime,
        end: datetime,
        earliest_due: datetime,
        *,
        replace_: bool = False,
    ) -> int:
        targets = chats if chats is not None else await uow.groups.chats(meeting.group_id)
        if not targets:
            return 0
        items = []
        for occurrence in occurrences(meeting, start, end):
            for chat in targets:
                for reminder in reminders(meeting, occurrence, [chat.key]):
                    if reminder.due < earliest_due:
                        continue
                    items.append(
                        OutboxItem(
                            reminder.key,
                            "reminder",
                            chat,
                            reminder_message(meeting, occurrence, reminder.offset),
                            reminder.due,
                            not_after=occurrence.start,
                            meeting_id=meeting.id,
                        )
                    )
        if replace_:
            await uow.outbox.replace_pending(items)
            return len(items)
        return await uow.outbox.enqueue(items)

    async def _announce(
        self, uow: MeetingWork, meeting: Meeting, now: datetime, *, changed: bool
    ) -> None:
        occurrence = next_occurrence(meeting, now)
        if occurrence is None:
            return
        chats = await uow.groups.chats(meeting.group_id)
        message = agenda_message(meeting, occurrence, changed=changed)
        # Each broadcast is its own message: a fresh id, so a change is never taken for the
        # original announcement already in the outbox.
        stamp = uuid.uuid4().hex[:12]
        await uow.outbox.enqueue(
            [
                OutboxItem(
                    f"agenda:{meeting.id}:{stamp}:{chat.key}",
                    "agenda",
                    chat,
                    message,
                    now,
                    not_after=occurrence.end,
                    meeting_id=meeting.id,
                )
                for chat in chats
            ]
        )

    async def _meeting(self, uow: MeetingWork, meeting_id: int) -> Meeting:
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            raise NotFound(f"there is no meeting {meeting_id}")
        return meeting
