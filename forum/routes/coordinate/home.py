"""`/coordinate`: the way into each of the coordinators' pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from flows.people import Role
from forum.auth import require_role
from forum.pages import render

router = APIRouter(prefix="/coordinate", include_in_schema=False)
Coordinator = require_role(Role.COORDINATOR)


@router.get("", response_class=HTMLResponse, dependencies=[Coordinator])
async def coordinate(request: Request) -> HTMLResponse:
    return render(request, "coordinate/index.html", title="Coordination")
