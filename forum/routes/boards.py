"""The forum's front page, a board's threads page by page, and the form to start a thread."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from forum import permissions
from forum.auth import CsrfChecked, OptionalViewer, SignedIn
from forum.discussion import discussion
from forum.discussion_pages import page_url, refused
from forum.discussion_terms import DiscussionError, Forbidden, Invalid
from forum.pages import form_fields, render, see_other, take_notice

router = APIRouter(include_in_schema=False)

PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/", response_class=HTMLResponse)
async def front_page(request: Request, who: OptionalViewer) -> Response:
    """The boards in order, with how busy each is and its latest thread."""
    service = discussion(request)
    counts = await service.counts() if permissions.can_moderate(who) else None
    return render(
        request,
        "forum/index.html",
        {
            "boards": await service.front_page(),
            "counts": counts,
            "notice": take_notice(request),
        },
        title="Forum",
    )


@router.get("/boards/{slug}", response_class=HTMLResponse)
async def board_page(
    request: Request, slug: str, who: OptionalViewer, page: PageNumber = 1
) -> Response:
    try:
        view = await discussion(request).board_page(who, slug, page)
    except DiscussionError as exc:
        raise refused(exc) from None
    base = f"/boards/{view.board.slug}"
    threads = view.threads
    return render(
        request,
        "forum/board.html",
        {
            "board": view.board,
            "threads": threads,
            "base": base,
            "previous_url": page_url(base, threads.number - 1) if threads.has_previous else None,
            "next_url": page_url(base, threads.number + 1) if threads.has_next else None,
            "can_start": permissions.can_start_thread(who, view.board),
            "notice": take_notice(request),
        },
        title=view.board.title if page == 1 else f"{view.board.title} (page {page})",
    )


@router.get("/boards/{slug}/new", response_class=HTMLResponse)
async def new_thread_form(request: Request, slug: str, who: SignedIn) -> Response:
    try:
        board = await discussion(request).board(slug)
    except DiscussionError as exc:
        raise refused(exc) from None
    if not permissions.can_start_thread(who, board):
        raise refused(Forbidden(f"Only {board.thread_role}s start threads on {board.title}."))
    return render(
        request,
        "forum/new_thread.html",
        {"board": board, "values": {}, "error": None},
        title=f"New thread on {board.title}",
    )


@router.post("/boards/{slug}/new", response_class=HTMLResponse)
async def start_thread(
    request: Request, slug: str, who: SignedIn, _csrf: None = CsrfChecked
) -> Response:
    sent = await form_fields(request)
    service = discussion(request)
    try:
        board = await service.board(slug)
        thread = await service.start_thread(
            who, board.id, sent.get("title", ""), sent.get("body", "")
        )
    except Invalid as exc:
        return render(
            request,
            "forum/new_thread.html",
            {"board": board, "values": sent, "error": exc.message},
            status_code=exc.status,
            title=f"New thread on {board.title}",
        )
    except DiscussionError as exc:
        raise refused(exc) from None
    return see_other(f"/threads/{thread.id}")
