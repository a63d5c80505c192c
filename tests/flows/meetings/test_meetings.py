"""Meeting arithmetic: recurrence, daylight-saving changes, reminders, texts, iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from flows.meetings.calendar import group_calendar
from flows.meetings.model import (
    Group,
    Meeting,
    MeetingError,
    agenda_message,
    occurrences,
    reminders,
)
from flows.times import TimeInputError, format_offset, parse_offset, to_utc

MONTHLY_FIRST_THURSDAY = "FREQ=MONTHLY;BYDAY=1TH"


def meeting(**changes: object) -> Meeting:
    base = Meeting(
        id=7,
        group_id=1,
        title="Cork DESEO partners",
        start_local=datetime(2026, 12, 3, 10, 0),
        timezone="Europe/Dublin",
    )
    return Meeting(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_offsets() -> None:
    assert parse_offset("30s") == timedelta(seconds=30)
    assert parse_offset("1d") == timedelta(days=1)
    assert parse_offset(" 2w ") == timedelta(weeks=2)
    assert format_offset(timedelta(hours=1)) == "1h"
    assert format_offset(timedelta(seconds=90)) == "90s"
    with pytest.raises(TimeInputError):
        parse_offset("soon")


def test_monthly_first_thursday_keeps_local_time_across_dst_in_dublin() -> None:
    found = occurrences(
        meeting(rrule=MONTHLY_FIRST_THURSDAY),
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 5, 1, tzinfo=UTC),
    )
    assert [o.start_local.date().isoformat() for o in found] == [
        "2026-12-03",
        "2027-01-07",
        "2027-02-04",
        "2027-03-04",
        "2027-04-01",
    ]
    # 10:00 in Dublin is 10:00 UTC in winter and 09:00 UTC in summer time (from 28 March).
    assert found[0].start == datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert found[-1].start == datetime(2027, 4, 1, 9, tzinfo=UTC)


def test_rome_spring_gap_and_autumn_repeat() -> None:
    # 02:30 does not exist in Rome on 29 March 2026: it is taken as 03:30 CEST.
    assert to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Rome") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # 02:30 happens twice on 25 October 2026: the first (CEST) is meant.
    assert to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Rome") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    weekly = meeting(
        timezone="Europe/Rome", start_local=datetime(2026, 10, 18, 18, 0), rrule="FREQ=WEEKLY"
    )
    found = occurrences(
        weekly, datetime(2026, 10, 17, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    )
    assert [o.start.hour for o in found] == [16, 17, 17]  # 18:00 CEST, then 18:00 CET


def test_tunis_has_no_daylight_saving() -> None:
    yearly = meeting(
        timezone="Africa/Tunis", start_local=datetime(2026, 1, 15, 9, 0), rrule="FREQ=MONTHLY"
    )
    found = occurrences(yearly, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert len(found) == 12 and {o.start.hour for o in found} == {8}


def test_a_cancelled_occurrence_is_left_out() -> None:
    recurring = meeting(
        rrule=MONTHLY_FIRST_THURSDAY, cancelled=frozenset({datetime(2027, 1, 7, 10, 0)})
    )
    found = occurrences(
        recurring, datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)
    )
    assert [o.key for o in found] == ["20261203T1000", "20270204T1000"]


def test_reminders_have_unique_keys_per_offset_and_chat() -> None:
    one = meeting(reminders=(timedelta(days=1), timedelta(hours=1), timedelta(seconds=30)))
    occurrence = occurrences(
        one, datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )[0]
    made = reminders(one, occurrence, ["telegram:-100", "discord:55"])
    assert len({r.key for r in made}) == 6
    assert "reminder:7:20261203T1000:1d:telegram:-100" in {r.key for r in made}
    assert min(r.due for r in made) == datetime(2026, 12, 2, 10, tzinfo=UTC)


def test_invalid_meetings_are_refused() -> None:
    for bad in (
        meeting(timezone="Mars/Olympus"),
        meeting(rrule="FREQ=SOMETIMES"),
        meeting(title=" "),
        meeting(duration=timedelta(0)),
    ):
        with pytest.raises(MeetingError):
            bad.check()


def test_agenda_broadcast_has_rsvp_buttons() -> None:
    one = meeting(agenda=("Welcome", "Survey results"), location="Skibbereen", link="https://x")
    occurrence = occurrences(
        one, datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )[0]
    message = agenda_message(one, occurrence)
    assert "1. Welcome" in message.text and "Skibbereen" in message.text
    assert "Thursday 3 December 2026, 10:00 GMT" in message.text
    assert [o.id for o in message.options] == [
        "rsvp:7:20261203T1000:going",
        "rsvp:7:20261203T1000:maybe",
        "rsvp:7:20261203T1000:not-going",
    ]


def test_icalendar_feed() -> None:
    recurring = meeting(
        rrule=MONTHLY_FIRST_THURSDAY, cancelled=frozenset({datetime(2027, 1, 7, 10, 0)})
    )
    text = group_calendar(
        Group(1, "cork", "Cork partners", "Europe/Dublin"),
        [recurring],
        datetime(2026, 11, 22, tzinfo=UTC),
    )
    parsed = Calendar.from_ical(text)
    events = [c for c in parsed.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    assert "FREQ=MONTHLY" in text and "EXDATE" in text and "TZID=Europe/Dublin" in text
