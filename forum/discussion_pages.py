"""What the discussion's pages share: refusals as HTTP errors, page addresses, the address to
return to after a form, and one-line notices carried to the next page."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse

from forum.discussion import DiscussionError

# The session key a notice waits under; the accounts pages use the same one.
NOTICE = "flash"


def refused(exc: DiscussionError) -> HTTPException:
    """The HTTP error a page answers a refusal with."""
    return HTTPException(status_code=exc.status, detail=exc.message)


def page_url(base: str, number: int, fragment: str = "") -> str:
    """`base` at page `number`: page 1 is `base` itself, so each page has one address."""
    url = base if number <= 1 else f"{base}?page={number}"
    return f"{url}#{fragment}" if fragment else url


def return_to(target: str | None, default: str) -> str:
    """A path on this site to go back to after a form, or `default` for anything else
    (another site, "//host", backslashes, control characters)."""
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
