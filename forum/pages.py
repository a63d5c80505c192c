"""Rendering pages: every template gets the viewer, a CSRF token and the site's settings."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from forum.auth import CSRF_FIELD, Viewer, csrf_token


class LazyToken:
    """The session's CSRF token, made when a template first writes it."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def __str__(self) -> str:
        return csrf_token(self._request)

    def __html__(self) -> str:
        return str(self)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    title: str = "",
) -> HTMLResponse:
    """The template filled with `context` and what every page shows (viewer, CSRF field)."""
    who: Viewer | None = getattr(request.state, "viewer", None)
    base = {
        "config": request.app.state.config,
        "viewer": who,
        "csrf_field": CSRF_FIELD,
        # Made only if the page has a form: a page without one sets no session cookie.
        "csrf_token": LazyToken(request),
        "title": title,
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, base | (context or {}), status_code=status_code
    )
    return response
