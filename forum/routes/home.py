"""The front page: what deseo is, and the way into each of its parts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request) -> HTMLResponse:
    config = request.app.state.config
    return request.app.state.templates.TemplateResponse(
        request, "home.html", {"config": config, "title": "Welcome"}
    )
