"""Meetings and their reminders as pure data and arithmetic: occurrences of a recurring
schedule, what to send and when, and the texts. Nothing here reads a clock or a database.

Times: a meeting is defined by its local wall-clock start and an IANA zone, so that "monthly on
the first Thursday at 10:00 in Dublin" stays at 10:00 across daylight-saving changes; every
instant handed out is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr

from flows.conversation import Option, Outbound
from flows.times import TimeInputError, format_offset, to_utc, zone
from flows.web_addresses import web_address_problem

DEFAULT_REMINDERS = (timedelta(days=1), timedelta(hours=1))
RSVP_CHOICES = (("going", "Going"), ("maybe", "Maybe"), ("not-going", "Not going"))
RSVP_TAG = "rsvp"


class MeetingError(TimeInputError):
    """A meeting that cannot be scheduled as given; the message says why."""


def known_zone(name: str) -> None:
    """Raise `MeetingError` unless `name` is a time zone (meetings and groups need one)."""
    try:
        zone(name)
    except TimeInputError as exc:
        raise MeetingError(str(exc)) from None


@dataclass(frozen=True)
class Group:
    """A partnership whose members meet; chats follow it to receive agendas and reminders."""

    id: int
    slug: str
    name: str
    timezone: str


@dataclass(frozen=True)
class Meeting:
    """A meeting of a group, possibly recurring."""

    id: int
    group_id: int
    title: str
    start_local: datetime
    timezone: str
    duration: timedelta = timedelta(hours=1)
    rrule: str | None = None
    location: str | None = None
    link: str | None = None
    agenda: tuple[str, ...] = ()
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    # Local start times of occurrences that were called off.
    cancelled: frozenset[datetime] = field(default_factory=frozenset)
    status: str = "scheduled"

    def check(self) -> None:
        """Raise `MeetingError` when the meeting cannot be scheduled."""
        known_zone(self.timezone)
        if self.duration <= timedelta(0):
            raise MeetingError("the meeting must end after it starts")
        if any(r <= timedelta(0) for r in self.reminders):
            raise MeetingError("reminders are sent before the meeting: use positive offsets")
        if self.rrule:
            try:
                rrulestr(self.rrule, dtstart=self.start_local)
            except (ValueError, TypeError) as exc:
                raise MeetingError(f"not a recurrence rule (RRULE): {exc}") from None
        if not self.title.strip():
            raise MeetingError("a meeting needs a title")
        # Shown in chats and linked on the coordinators' pages: only a web address will do.
        problem = web_address_problem(self.link) if self.link else None
        if problem:
            raise MeetingError(f"link: {problem}")


@dataclass(frozen=True)
class Occurrence:
    """One time a meeting takes place."""

    meeting_id: int
    start_local: datetime
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """Stable name of the occurrence, by its local start (what people call it)."""
        return self.start_local.strftime("%Y%m%dT%H%M")


def occurrences(meeting: Meeting, after: datetime, before: datetime) -> list[Occurrence]:
    """The occurrences starting in [after, before), not cancelled, in order."""
    if meeting.status == "cancelled":
        return []
    tz = zone(meeting.timezone)
    # Search a day wider in local time; the exact bounds are applied in UTC below.
    lo = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    hi = before.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    if meeting.rrule:
        starts = rrulestr(meeting.rrule, dtstart=meeting.start_local).between(lo, hi, inc=True)
    else:
        starts = [meeting.start_local] if lo <= meeting.start_local <= hi else []
    found = []
    for local in starts:
        if local in meeting.cancelled:
            continue
        start = to_utc(local, meeting.timezone)
        if after <= start < before:
            found.append(Occurrence(meeting.id, local, start, start + meeting.duration))
    return found


def next_occurrence(meeting: Meeting, now: datetime, horizon_days: int = 400) -> Occurrence | None:
    """The next occurrence from `now`: a one-off meeting however far ahead, a recurring one
    within `horizon_days`."""
    if not meeting.rrule:
        start = to_utc(meeting.start_local, meeting.timezone)
        far = max(start + timedelta(days=1), now + timedelta(days=1))
        upcoming = occurrences(meeting, now, far)
    else:
        upcoming = occurrences(meeting, now, now + timedelta(days=horizon_days))
    return upcoming[0] if upcoming else None


@dataclass(frozen=True)
class Reminder:
    """A reminder to send to one chat before one occurrence."""

    key: str
    due: datetime
    occurrence: Occurrence
    offset: timedelta


def reminders(meeting: Meeting, occurrence: Occurrence, chat_keys: list[str]) -> list[Reminder]:
    """Every reminder of an occurrence for each chat, keyed uniquely by
    meeting/occurrence/offset/chat, so enqueuing twice never sends twice."""
    return [
        Reminder(
            f"reminder:{meeting.id}:{occurrence.key}:{format_offset(offset)}:{chat}",
            occurrence.start - offset,
            occurrence,
            offset,
        )
        for offset in meeting.reminders
        for chat in chat_keys
    ]


def when_text(occurrence: Occurrence, tz: str) -> str:
    local = occurrence.start.astimezone(zone(tz))
    return local.strftime("%A %-d %B %Y, %H:%M ") + (local.tzname() or tz) + f" ({tz})"


def agenda_message(meeting: Meeting, occurrence: Occurrence, *, changed: bool = False) -> Outbound:
    """The broadcast of a meeting's agenda, with RSVP buttons."""
    lines = [
        ("*Changed:* " if changed else "") + f"*{meeting.title}*",
        when_text(occurrence, meeting.timezone),
    ]
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    if meeting.link:
        lines.append(f"Link: {meeting.link}")
    if meeting.agenda:
        lines.append("Agenda:")
        lines += [f"{n}. {item}" for n, item in enumerate(meeting.agenda, start=1)]
    lines.append("Will you come?")
    return rsvp_prompt("\n".join(lines), meeting, occurrence)


def rsvp_prompt(text: str, meeting: Meeting, occurrence: Occurrence) -> Outbound:
    options = tuple(
        Option(f"rsvp:{meeting.id}:{occurrence.key}:{answer}", label)
        for answer, label in RSVP_CHOICES
    )
    return Outbound(text, kind="question", options=options, input_hint="choice", tag=RSVP_TAG)


def reminder_message(meeting: Meeting, occurrence: Occurrence, offset: timedelta) -> Outbound:
    # Absolute times only: a reminder sent late after an outage must not say "in 1 hour".
    lines = [
        f"Reminder ({_humane(offset)} before): *{meeting.title}*",
        when_text(occurrence, meeting.timezone),
    ]
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    if meeting.link:
        lines.append(f"Link: {meeting.link}")
    return rsvp_prompt("\n".join(lines), meeting, occurrence)


def cancellation_message(meeting: Meeting, occurrence: Occurrence | None) -> Outbound:
    if occurrence is None:
        return Outbound(f"Cancelled: *{meeting.title}* will not take place.")
    return Outbound(
        f"Cancelled: *{meeting.title}* on {when_text(occurrence, meeting.timezone)} will not "
        "take place."
    )


def _humane(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    for name, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {name}{'s' if count > 1 else ''}"
    return f"{seconds} seconds"
