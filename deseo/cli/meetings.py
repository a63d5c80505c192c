"""`deseo groups ...`, `deseo meetings ...` and `deseo people grant`: coordinators' work from
the terminal. Every change goes through the same services the bots use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from deseo.cli.common import (
    chat_option,
    fail,
    on_services,
    out,
    require_current_schema,
    settings,
)
from flows.people import Role

if TYPE_CHECKING:
    from flows.meetings import MeetingService
    from storage import Database

T = TypeVar("T")
groups_app = typer.Typer(
    help="Groups (partnerships) and the chats that follow them.", no_args_is_help=True
)
meetings_app = typer.Typer(help="Meetings: schedule, change, cancel, export.", no_args_is_help=True)
people_app = typer.Typer(help="People and their roles.", no_args_is_help=True)


def _with(work: Callable[[MeetingService, Database], Awaitable[T]]) -> T:
    from flows.meetings import NotFound
    from flows.times import TimeInputError

    url = settings().database
    require_current_schema(url)
    try:
        return on_services(url, lambda services, database: work(services.meetings, database))
    except (TimeInputError, NotFound) as exc:
        fail(str(exc))


def _local(text: str, option: str) -> datetime:
    from flows.times import TimeInputError, parse_local

    try:
        return parse_local(text)
    except TimeInputError as exc:
        fail(f"{option}: {exc}", 2)


@groups_app.command("create")
def create_group(
    name: str = typer.Argument(..., help="The group's name, e.g. 'Cork DESEO partners'."),
    slug: str = typer.Option(None, help="Short id used in commands (default: from the name)."),
    tz: str = typer.Option(None, "--tz", help="The group's time zone (default: DESEO_TIMEZONE)."),
) -> None:
    """Create a group."""
    timezone = tz or settings().timezone
    group = _with(lambda s, _: s.create_group(name, slug=slug, timezone=timezone))
    out.print(f"group {group.slug} created ({group.name}, {group.timezone})")


@groups_app.command("follow")
def follow(
    group: str = typer.Argument(..., help="The group's slug or number."),
    chat_text: str = typer.Option(
        ..., "--chat", help="The chat: telegram:CHAT_ID or discord:CHANNEL_ID."
    ),
) -> None:
    """Make a chat receive the group's agendas and reminders."""
    chat = chat_option(chat_text)
    found, new = _with(lambda s, _: s.follow(group, chat))
    out.print(f"{chat.key} {'now follows' if new else 'already followed'} {found.slug}")


@groups_app.command("list")
def list_groups() -> None:
    """List groups and the chats that follow them."""
    groups = _with(lambda s, _: s.groups())
    if not groups:
        out.print("no groups yet: `deseo groups create NAME`")
    for group, chats in groups:
        followers = ", ".join(c.key for c in chats) or "no chats yet"
        out.print(f"{group.slug:<20} {group.name}  [{group.timezone}]  {followers}")


@meetings_app.command("create")
def create_meeting(
    group: str = typer.Option(..., "--group", help="The group's slug or number."),
    title: str = typer.Option(..., "--title"),
    start: str = typer.Option(..., "--start", help="Local start, e.g. 2026-12-03T10:00."),
    tz: str = typer.Option(None, "--tz", help="IANA time zone (default: the group's)."),
    end: str = typer.Option(None, "--end", help="Local end (default: one hour after start)."),
    rrule: str = typer.Option(None, "--rrule", help="Recurrence, e.g. FREQ=MONTHLY;BYDAY=1TH."),
    remind: list[str] = typer.Option(None, "--remind", help="Reminder offset: 30s, 15m, 1h, 1d."),
    location: str = typer.Option(None, "--location"),
    link: str = typer.Option(None, "--link"),
    agenda: list[str] = typer.Option(None, "--agenda", help="An agenda item (repeatable)."),
) -> None:
    """Schedule a meeting, broadcast its agenda and plan its reminders (default: 1 d and 1 h)."""
    from flows.times import TimeInputError, format_offset, parse_offset

    starts = _local(start, "--start")
    duration = _local(end, "--end") - starts if end else timedelta(hours=1)
    try:
        offsets = tuple(parse_offset(r) for r in remind) if remind else None
    except TimeInputError as exc:
        fail(f"--remind: {exc}", 2)
    extra: dict[str, Any] = {"reminders_before": offsets} if offsets else {}
    meeting = _with(
        lambda s, _: s.create_meeting(
            group,
            title,
            starts,
            tz,
            duration=duration,
            rrule=rrule,
            location=location,
            link=link,
            agenda=tuple(agenda or ()),
            **extra,
        )
    )
    offsets_text = ", ".join(format_offset(r) for r in meeting.reminders)
    out.print(f"meeting {meeting.id} scheduled; agenda broadcast; reminders {offsets_text} before")


@meetings_app.command("update")
def update_meeting(
    meeting_id: int = typer.Argument(..., help="The meeting's number."),
    title: str = typer.Option(None, "--title"),
    start: str = typer.Option(None, "--start", help="New local start, e.g. 2026-12-03T14:00."),
    tz: str = typer.Option(None, "--tz", help="New IANA time zone."),
    end: str = typer.Option(None, "--end", help="New local end."),
    rrule: str = typer.Option(None, "--rrule", help="New recurrence; 'none' to stop repeating."),
    remind: list[str] = typer.Option(None, "--remind", help="New reminder offsets (repeatable)."),
    location: str = typer.Option(None, "--location"),
    link: str = typer.Option(None, "--link"),
    agenda: list[str] = typer.Option(None, "--agenda", help="New agenda items (repeatable)."),
) -> None:
    """Change a meeting: its chats are told, its pending reminders move with it."""
    from flows.times import TimeInputError, parse_offset

    changes: dict[str, Any] = {}
    if title:
        changes["title"] = title
    if start:
        changes["start_local"] = _local(start, "--start")
    if tz:
        changes["timezone"] = tz
    if rrule:
        changes["rrule"] = None if rrule.lower() == "none" else rrule
    if location:
        changes["location"] = location
    if link:
        changes["link"] = link
    if agenda:
        changes["agenda"] = tuple(agenda)
    if remind:
        try:
            changes["reminders"] = tuple(parse_offset(r) for r in remind)
        except TimeInputError as exc:
            fail(f"--remind: {exc}", 2)
    if not changes and not end:
        fail("say what to change: --title, --start, --end, --rrule, --remind, ...", 2)

    async def work(s: MeetingService, _: Database) -> None:
        if end:
            current = await s.meeting(meeting_id)
            starts = changes.get("start_local", current.start_local)
            changes["duration"] = _local(end, "--end") - starts
        await s.update_meeting(meeting_id, **changes)

    _with(work)
    out.print(f"meeting {meeting_id} changed; its chats are told and its reminders moved")


@meetings_app.command("list")
def list_meetings(group: str = typer.Option(None, "--group", help="Only this group.")) -> None:
    """List coming meetings with their next occurrence and RSVPs."""
    from flows.meetings import when_text

    async def work(s: MeetingService, _: Database) -> list[str]:
        lines = []
        for item in await s.meetings(group):
            counts = await s.rsvp_counts(item.meeting.id, item.occurrence.key)
            repeat = f"  repeats {item.meeting.rrule}" if item.meeting.rrule else ""
            lines.append(
                f"{item.meeting.id:>4}  {item.group.slug:<14} {item.meeting.title}  "
                f"{when_text(item.occurrence, item.meeting.timezone)}{repeat}  "
                f"going {counts['going']}, maybe {counts['maybe']}, not going {counts['not-going']}"
            )
        return lines

    lines = _with(work)
    out.print("\n".join(lines) if lines else "no meetings coming up")


@meetings_app.command("cancel")
def cancel(
    meeting_id: int = typer.Argument(..., help="The meeting's number."),
    occurrence: str = typer.Option(
        None, "--occurrence", help="Only this local start, e.g. 2027-01-07T10:00."
    ),
) -> None:
    """Cancel a meeting, or one occurrence of a recurring one; its chats are told."""
    local = _local(occurrence, "--occurrence") if occurrence else None
    _with(lambda s, _: s.cancel_meeting(meeting_id, local))
    what = f"occurrence {local:%Y-%m-%d %H:%M} of meeting" if local else "meeting"
    out.print(f"{what} {meeting_id} cancelled; its pending reminders are removed")


@meetings_app.command("ics")
def ics(
    group: str = typer.Argument(..., help="The group's slug or number."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to a file."),
) -> None:
    """Print the group's meetings as an iCalendar file."""
    text = _with(lambda s, _: s.calendar(group))
    if output is not None:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


@people_app.command("grant")
def grant(
    role: Role = typer.Argument(..., help="coordinator, partner, moderator, admin, ..."),
    telegram: str = typer.Option(None, "--telegram", help="The person's Telegram user id."),
    discord: str = typer.Option(None, "--discord", help="The person's Discord user id."),
) -> None:
    """Give a role to the person behind a Telegram or Discord account."""
    from bot import DISCORD, TELEGRAM
    from storage import SqlUnitOfWork

    if bool(telegram) == bool(discord):
        fail("give one of --telegram ID or --discord ID", 2)
    platform, external = (TELEGRAM, telegram) if telegram else (DISCORD, discord)

    async def work(_: MeetingService, database: Database) -> str:
        async with SqlUnitOfWork(database) as uow:
            person = await uow.people.identify(
                platform, external, display_name=f"{platform.value} {external}"
            )
            await uow.people.grant(person.id, role)
            await uow.commit()
            return person.display_name

    name = _with(work)
    out.print(f"{name} ({platform.value} {external}) is now {role.value}")
