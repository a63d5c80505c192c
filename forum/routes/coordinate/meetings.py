"""`/coordinate/meetings`: the groups and their coming meetings with the answers to their
invitations; a form to schedule a meeting and buttons to cancel one. Changes go through
`MeetingService`, as `deseo meetings` and the chats' `/schedule` do, so the groups' chats are
told and the reminders planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flows.meetings import Group, MeetingError, MeetingService, NotFound, Upcoming, when_text
from flows.people import Role
from flows.times import TimeInputError, parse_local
from forum.auth import CsrfChecked, Viewer, require_role
from forum.discussion import discussion
from forum.discussion_terms import DiscussionError
from forum.pages import render
from forum.params import RowId
from forum.permissions import can_schedule_meetings

router = APIRouter(prefix="/coordinate", include_in_schema=False)

# The board a meeting's agenda thread opens on (one of `forum/default_boards.yaml`).
MEETINGS_BOARD = "meetings"
Coordinator = require_role(Role.COORDINATOR)
NOTICES = {
    "scheduled": "Scheduled: the agenda goes to the group's chats and the reminders are planned.",
    "cancelled": "Cancelled: the group's chats are told.",
}


@dataclass(frozen=True)
class Coming:
    item: Upcoming
    when: str
    counts: dict[str, int]


def _service(request: Request) -> MeetingService:
    service: MeetingService = request.app.state.meetings
    return service


async def _page(
    request: Request,
    who: Viewer,
    *,
    values: dict[str, str] | None = None,
    problem: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    service = _service(request)
    groups: list[Group] = [group for group, _ in await service.groups()]
    coming = []
    for item in await service.meetings():
        counts = await service.rsvp_counts(item.meeting.id, item.occurrence.key)
        coming.append(Coming(item, when_text(item.occurrence, item.meeting.timezone), counts))
    context: dict[str, Any] = {
        "groups": groups,
        "coming": coming,
        "values": values or {},
        "problem": problem,
        "notice": notice,
        "can_schedule": can_schedule_meetings(who),
    }
    return render(
        request, "coordinate/meetings.html", context, title="Meetings", status_code=status_code
    )


@router.get("/meetings", response_class=HTMLResponse)
async def meetings(
    request: Request, who: Annotated[Viewer, Coordinator], done: str = ""
) -> HTMLResponse:
    return await _page(request, who, notice=NOTICES.get(done))


@router.post("/meetings", dependencies=[CsrfChecked])
async def schedule(
    request: Request,
    who: Annotated[Viewer, Coordinator],
    group: Annotated[str, Form(max_length=100)],
    title: Annotated[str, Form(max_length=200)],
    start: Annotated[str, Form(max_length=40)],
    timezone: Annotated[str, Form(max_length=64)] = "",
    location: Annotated[str, Form(max_length=300)] = "",
    link: Annotated[str, Form(max_length=500)] = "",
    agenda: Annotated[str, Form(max_length=5000)] = "",
    discuss: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Schedule a meeting: its agenda is broadcast to the group's chats, reminders planned;
    with `discuss`, the agenda also opens a thread on the Meetings board, linked from the
    broadcast."""
    if not can_schedule_meetings(who):
        raise HTTPException(status_code=403, detail="Only coordinators schedule meetings.")
    values = {
        "group": group,
        "title": title,
        "start": start,
        "timezone": timezone,
        "location": location,
        "link": link,
        "agenda": agenda,
        "discuss": discuss,
    }
    items = tuple(line.strip() for line in agenda.splitlines() if line.strip())
    try:
        starts: datetime = parse_local(start)
        await _service(request).meetings(group)  # an unknown group fails before the thread
        if discuss:
            thread_url = await _agenda_thread(request, who, title, start, location, link, items)
            items = (*items, f"Discuss it beforehand: {thread_url}")
        await _service(request).create_meeting(
            group,
            title,
            starts,
            timezone.strip() or None,
            location=location.strip() or None,
            link=link.strip() or None,
            agenda=items,
        )
    except (TimeInputError, NotFound) as exc:
        return await _page(request, who, values=values, problem=str(exc), status_code=422)
    return RedirectResponse("/coordinate/meetings?done=scheduled", status_code=303)


@router.post("/meetings/{meeting_id}/cancel", dependencies=[CsrfChecked])
async def cancel(
    request: Request,
    who: Annotated[Viewer, Coordinator],
    meeting_id: RowId,
    occurrence: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Cancel a meeting, or only one occurrence of a recurring one; the chats are told."""
    if not can_schedule_meetings(who):
        raise HTTPException(status_code=403, detail="Only coordinators cancel meetings.")
    try:
        local = parse_local(occurrence) if occurrence else None
        await _service(request).cancel_meeting(meeting_id, local)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except TimeInputError as exc:
        return await _page(request, who, problem=str(exc), status_code=422)
    return RedirectResponse("/coordinate/meetings?done=cancelled", status_code=303)


async def _agenda_thread(
    request: Request,
    who: Viewer,
    title: str,
    start: str,
    location: str,
    link: str,
    items: tuple[str, ...],
) -> str:
    """Open the meeting's thread on the Meetings board; its address."""
    service = discussion(request)
    try:
        board = await service.board(MEETINGS_BOARD)
    except DiscussionError:
        raise MeetingError(
            f"there is no {MEETINGS_BOARD!r} board for the agenda: create it with "
            f"`deseo boards create {MEETINGS_BOARD} Meetings`"
        ) from None
    lines = [f"**When:** {start.replace('T', ' ')}"]
    if location.strip():
        lines.append(f"**Where:** {location.strip()}")
    if link.strip():
        lines.append(f"**Link:** <{link.strip()}>")
    if items:
        lines += ["", "**Agenda**", "", *(f"{n}. {item}" for n, item in enumerate(items, 1))]
    try:
        thread = await service.start_thread(who, board.id, title, "\n".join(lines))
    except DiscussionError as exc:
        raise MeetingError(exc.message) from None
    return f"{str(request.app.state.config.public_url).rstrip('/')}/threads/{thread.id}"
