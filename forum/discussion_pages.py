"""What the discussion's pages share beyond `forum.pages`: refusals as HTTP errors and page
addresses."""

from __future__ import annotations

from fastapi import HTTPException

from forum.discussion_terms import DiscussionError


def refused(exc: DiscussionError) -> HTTPException:
    """The HTTP error a page answers a refusal with."""
    return HTTPException(status_code=exc.status, detail=exc.message)


def page_url(base: str, number: int, fragment: str = "") -> str:
    """`base` at page `number`: page 1 is `base` itself, so each page has one address."""
    url = base if number <= 1 else f"{base}?page={number}"
    return f"{url}#{fragment}" if fragment else url
