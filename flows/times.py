"""Times as people type them: durations, wall-clock dates, zones. Shared by meetings and
campaigns."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["TimeInputError", "format_offset", "parse_local", "parse_offset", "to_utc", "zone"]

OFFSET = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TimeInputError(ValueError):
    """A time, duration or zone that cannot be read as given; the message says why."""


def parse_offset(text: str) -> timedelta:
    """`30s`, `15m`, `1h`, `1d`, `2w` as a duration before the meeting."""
    match = OFFSET.match(text)
    if match is None:
        raise TimeInputError(f"{text!r} is not a reminder offset such as 30s, 15m, 1h, 1d or 1w")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def format_offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_local(text: str) -> datetime:
    """A wall-clock date and time as people type it (2026-12-03T10:00), without an offset."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=None)
    except ValueError:
        raise TimeInputError(f"{text!r} is not a date and time such as 2026-12-03T10:00") from None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeInputError(f"unknown time zone {name!r} (try Europe/Dublin)") from None


def to_utc(local: datetime, tz: str) -> datetime:
    """A wall-clock time in `tz` as UTC. A time skipped by a spring-forward change is moved
    on by the gap (02:30 becomes 03:30); a repeated autumn time takes its first occurrence."""
    if local.tzinfo is not None:
        raise TimeInputError("give the local time without an offset, and the zone apart")
    # PEP 495: fold=0 reads a time in the spring gap with the offset before the change (so
    # 02:30 becomes 03:30 summer time) and a repeated autumn time as its first occurrence.
    return local.replace(tzinfo=zone(tz), fold=0).astimezone(UTC)
