"""A group's meetings as an iCalendar feed, to subscribe to from any calendar application."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from flows.meetings import MeetingService, NotFound

router = APIRouter()


class CalendarResponse(Response):
    """Says in /openapi.json that the feed is iCalendar, not JSON."""

    media_type = "text/calendar"


NO_GROUP: dict[int | str, dict[str, Any]] = {
    404: {"description": "No group has this name.", "content": {"text/html": {}}}
}


@router.get(
    "/groups/{group}/meetings.ics",
    tags=["meetings"],
    response_class=CalendarResponse,
    responses=NO_GROUP,
)
async def meetings_ics(group: str, request: Request) -> Response:
    """The group's meetings (recurring ones with their rule and cancelled dates)."""
    meetings: MeetingService = request.app.state.meetings
    try:
        text = await meetings.calendar(group)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{group}-meetings.ics"'},
    )
