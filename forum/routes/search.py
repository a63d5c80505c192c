"""`/search`: find posts by their words, best matches first, a page at a time."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from forum.auth import OptionalViewer, uow
from forum.pages import render
from storage import MARK_END, MARK_START, SearchPage

router = APIRouter()

PER_PAGE = 20
# Beyond this a query is cut: only its first words are searched for anyway.
MAX_QUERY_CHARS = 1000

_MARKER = re.compile(f"([{MARK_START}{MARK_END}])")


def highlight(snippet: str) -> Markup:
    """The snippet as HTML: its text escaped, and only then its match markers made `<mark>`
    tags, in balanced pairs whatever markers the text holds."""
    parts: list[str] = []
    inside = False
    for part in _MARKER.split(snippet):
        if part == MARK_START and not inside:
            parts.append("<mark>")
            inside = True
        elif part == MARK_END and inside:
            parts.append("</mark>")
            inside = False
        elif part not in (MARK_START, MARK_END):
            parts.append(str(escape(part)))
    if inside:
        parts.append("</mark>")
    return Markup("".join(parts))


def page_url(query: str, page: int) -> str:
    return "/search?" + urlencode({"q": query, "page": page} if page > 1 else {"q": query})


def _page_number(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 1


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search(
    request: Request, _who: OptionalViewer, q: str = "", page: str = "1"
) -> HTMLResponse:
    """The search form, and below it one page of results for `q`."""
    query = q.strip()[:MAX_QUERY_CHARS]
    found: SearchPage | None = None
    if query:
        async with uow(request) as work:
            found = await work.search.search(query, page=_page_number(page), per_page=PER_PAGE)
    context = {
        "query": query,
        "found": found,
        "snippets": [highlight(hit.snippet) for hit in found.hits] if found else [],
        # From beyond the last page, "previous" leads back to the last one.
        "previous_url": (
            page_url(query, min(found.page - 1, found.pages))
            if found and found.has_previous
            else None
        ),
        "next_url": page_url(query, found.page + 1) if found and found.has_next else None,
    }
    title = f"Search: {query}" if query else "Search"
    return render(request, "search/page.html", context, title=title)
