"""A group's meetings as an iCalendar feed (RFC 5545), for people's own calendars."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vRecur

from flows.meetings.model import Group, Meeting
from flows.times import zone

PRODID = "-//REVES//deseo//EN"


def group_calendar(group: Group, meetings: list[Meeting], now: datetime) -> str:
    """Every meeting of the group, recurring ones with their rule and cancelled dates."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", group.name)
    calendar.add("x-wr-timezone", group.timezone)
    for meeting in meetings:
        tz = zone(meeting.timezone)
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@deseo")
        event.add("dtstamp", now)
        event.add("summary", meeting.title)
        start = meeting.start_local.replace(tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", start + meeting.duration)
        if meeting.rrule:
            event.add("rrule", vRecur.from_ical(meeting.rrule))
            for cancelled in sorted(meeting.cancelled):
                event.add("exdate", cancelled.replace(tzinfo=tz))
        if meeting.location:
            event.add("location", meeting.location)
        if meeting.link:
            event.add("url", meeting.link)
        if meeting.agenda:
            event.add(
                "description", "\n".join(f"{n}. {a}" for n, a in enumerate(meeting.agenda, 1))
            )
        event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
        calendar.add_component(event)
    # Clients need the zone definitions that TZID parameters refer to.
    calendar.add_missing_timezones()
    return str(calendar.to_ical().decode())
