"""Atom feeds of new threads: across the forum, and one per board, for any feed reader."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from forum.atom import ATOM_MEDIA_TYPE, AtomEntry, AtomFeed, render_atom, summary_of
from forum.auth import uow
from storage import FeedThread

router = APIRouter(tags=["feeds"])

FEED_LENGTH = 30


class AtomResponse(Response):
    """Says in /openapi.json that these routes answer with Atom, not JSON."""

    media_type = "application/atom+xml"


NO_BOARD: dict[int | str, dict[str, Any]] = {
    404: {"description": "No board has this slug.", "content": {"text/html": {}}}
}


@router.get("/feeds/latest.atom", response_class=AtomResponse)
async def latest(request: Request) -> Response:
    """The 30 newest threads everyone can see, on every board."""
    async with uow(request) as work:
        threads = await work.feeds.latest_threads(limit=FEED_LENGTH)
    site = request.app.state.config.site_name
    return _atom(request, f"{site}: latest threads", "/feeds/latest.atom", "/", threads)


@router.get("/boards/{slug}/feed.atom", response_class=AtomResponse, responses=NO_BOARD)
async def board(slug: str, request: Request) -> Response:
    """The 30 newest threads everyone can see on one board; 404 for a board that is not there."""
    async with uow(request) as work:
        found = await work.feeds.board(slug)
        if found is None:
            raise HTTPException(status_code=404, detail="There is no such board.")
        threads = await work.feeds.latest_threads(limit=FEED_LENGTH, board_id=found.id)
    site = request.app.state.config.site_name
    path = f"/boards/{quote(found.slug, safe='')}"
    return _atom(
        request,
        f"{site}: {found.title}",
        f"{path}/feed.atom",
        path,
        threads,
        subtitle=found.description,
    )


def _atom(
    request: Request,
    title: str,
    self_path: str,
    page_path: str,
    threads: list[FeedThread],
    *,
    subtitle: str = "",
) -> Response:
    base = request.app.state.config.public_url.rstrip("/")
    entries = tuple(
        AtomEntry(
            id=f"{base}/threads/{thread.thread_id}",
            title=thread.title,
            link=f"{base}/threads/{thread.thread_id}",
            published=thread.published,
            updated=thread.updated,
            author=thread.author_name or "A former member",
            summary=summary_of(thread.text),
        )
        for thread in threads
    )
    # An empty feed has changed last now as far as anyone can tell.
    updated = max((e.updated for e in entries), default=request.app.state.clock.now())
    feed = AtomFeed(
        title=title,
        subtitle=subtitle,
        self_url=base + self_path,
        page_url=base + page_path,
        updated=updated,
        entries=entries,
    )
    return Response(render_atom(feed), media_type=ATOM_MEDIA_TYPE)
