"""Rendering pages and what every page's forms share: every template gets the viewer, a CSRF
token and the site's settings; a form's fields, the address to return to after it, the 303
that goes there, and a one-line notice carried to the next page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

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


# The session key a one-line notice waits under until the next page shows it.
NOTICE = "flash"


def return_to(target: str | None, default: str) -> str:
    """A path on this site to go to after a form, or `default` for anything else (another
    site, "//host", backslashes, control characters)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
        or len(target) > 2000
    ):
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def notify(request: Request, text: str) -> None:
    """A notice for the next page this session sees."""
    request.session[NOTICE] = text


def take_notice(request: Request) -> str | None:
    text = request.session.pop(NOTICE, None)
    return text if isinstance(text, str) else None


async def form_fields(request: Request) -> dict[str, str]:
    """The form's text fields (files and repeated names beyond the first are ignored)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}
