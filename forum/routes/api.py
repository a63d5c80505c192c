"""The JSON API under `/api`: boards, threads and posts to read; with a bearer token (or a
signed-in session sending its CSRF token in `X-CSRF-Token`), new threads and replies. A bearer
token the store does not know is refused on every route. Described by `/openapi.json`.

It calls the same `forum.discussion.Discussion` the pages call, so a post made through the API
is checked, rendered and moderated exactly like one made in a browser.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from forum.auth import ApiSignedIn, ApiViewer, api_viewer
from forum.discussion import Discussion, discussion
from forum.discussion_terms import BODY_MAX, TITLE_MAX, DiscussionError
from forum.params import BodyRowId, RowId
from storage import BoardSummary, PostRecord, ThreadRecord

# Every route reads the token, so that an unknown one is refused even where nobody is needed;
# FastAPI computes the dependency once per request, for the routes that name it again.
router = APIRouter(prefix="/api", tags=["forum"], dependencies=[Depends(api_viewer)])

T = TypeVar("T")

Service = Annotated[Discussion, Depends(discussion)]
PageNumber = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]


class ApiError(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ApiError, "description": "No token, or an unknown or revoked one."},
    403: {
        "model": ApiError,
        "description": "The token's person may not do this, or a session wrote without its "
        "CSRF token in X-CSRF-Token.",
    },
    404: {"model": ApiError, "description": "No such board, thread or post."},
    422: {"description": "The request does not fit the schema, or the text will not do."},
    429: {"model": ApiError, "description": "Too many posts in a short time."},
}


class BoardOut(BaseModel):
    id: int
    slug: str
    title: str
    description: str
    thread_role: str = Field(description="The role needed to start a thread on this board.")
    threads: int
    posts: int
    last_post_at: datetime | None


class ThreadOut(BaseModel):
    id: int
    board_id: int
    board_slug: str
    title: str
    author: str | None
    created_at: datetime
    last_post_at: datetime
    post_count: int
    pinned: bool
    locked: bool
    url: str


class PostOut(BaseModel):
    id: int
    thread_id: int
    author: str | None
    body: str = Field(description="The Markdown source.")
    html: str = Field(description="The sanitised HTML the forum shows.")
    status: str = Field(description="visible, or pending while it waits for a moderator.")
    reply_to_id: int | None
    created_at: datetime
    edited_at: datetime | None
    url: str


class ThreadsPage(BaseModel):
    page: int
    pages: int
    total: int
    threads: list[ThreadOut]


class ThreadWithPosts(BaseModel):
    thread: ThreadOut
    page: int
    pages: int
    total: int
    posts: list[PostOut]


class NewThread(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown.")


class NewPost(BaseModel):
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown.")
    quote_post_id: BodyRowId | None = Field(
        default=None, description="A post of the same thread this one quotes."
    )


def _site(request: Request) -> str:
    return str(request.app.state.config.public_url).rstrip("/")


def _board(summary: BoardSummary) -> BoardOut:
    board = summary.board
    return BoardOut(
        id=board.id,
        slug=board.slug,
        title=board.title,
        description=board.description,
        thread_role=board.thread_role,
        threads=summary.threads,
        posts=summary.posts,
        last_post_at=summary.last_post_at,
    )


def _thread(request: Request, thread: ThreadRecord) -> ThreadOut:
    return ThreadOut(
        id=thread.id,
        board_id=thread.board_id,
        board_slug=thread.board_slug,
        title=thread.title,
        author=thread.author_name,
        created_at=thread.created_at,
        last_post_at=thread.last_post_at,
        post_count=thread.post_count,
        pinned=thread.pinned,
        locked=thread.locked,
        url=f"{_site(request)}/threads/{thread.id}",
    )


def _post(request: Request, post: PostRecord) -> PostOut:
    return PostOut(
        id=post.id,
        thread_id=post.thread_id,
        author=post.author_name,
        body=post.body,
        html=post.html,
        status=post.status,
        reply_to_id=post.reply_to_id,
        created_at=post.created_at,
        edited_at=post.edited_at,
        url=f"{_site(request)}/posts/{post.id}",
    )


def _refused(exc: DiscussionError) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


@router.get("/boards", response_model=list[BoardOut], responses={401: ERRORS[401]})
async def list_boards(service: Service) -> list[BoardOut]:
    """Every board, in the order the forum shows them."""
    return [_board(summary) for summary in await service.front_page()]


@router.get("/boards/{board_id}/threads", response_model=ThreadsPage, responses=ERRORS)
async def board_threads(
    board_id: RowId, request: Request, service: Service, who: ApiViewer, page: PageNumber = 1
) -> ThreadsPage:
    """A board's threads, pinned first, then the latest active."""
    try:
        found = await service.board_page(who, board_id, page)
    except DiscussionError as exc:
        raise _refused(exc) from None
    return ThreadsPage(
        page=found.threads.number,
        pages=found.threads.pages,
        total=found.threads.total,
        threads=[_thread(request, t) for t in found.threads.items],
    )


@router.get("/threads/{thread_id}", response_model=ThreadWithPosts, responses=ERRORS)
async def thread_posts(
    thread_id: RowId, request: Request, service: Service, who: ApiViewer, page: PageNumber = 1
) -> ThreadWithPosts:
    """A thread and one page of its posts, oldest first."""
    try:
        found = await service.thread_page(who, thread_id, page)
    except DiscussionError as exc:
        raise _refused(exc) from None
    return ThreadWithPosts(
        thread=_thread(request, found.thread),
        page=found.posts.number,
        pages=found.posts.pages,
        total=found.posts.total,
        posts=[_post(request, p) for p in found.posts.items],
    )


@router.get("/posts/{post_id}", response_model=PostOut, responses=ERRORS)
async def one_post(post_id: RowId, request: Request, service: Service, who: ApiViewer) -> PostOut:
    try:
        found = await service.post(who, post_id)
    except DiscussionError as exc:
        raise _refused(exc) from None
    return _post(request, found.post)


@router.post(
    "/boards/{board_id}/threads", response_model=ThreadOut, status_code=201, responses=ERRORS
)
async def new_thread(
    board_id: RowId, payload: NewThread, request: Request, service: Service, who: ApiSignedIn
) -> JSONResponse:
    """Start a thread as the token's person. A new member's first post may wait for a
    moderator on some boards: the thread is then answered, but listed to others only later."""
    thread = await _write(service.start_thread(who, board_id, payload.title, payload.body))
    body = _thread(request, thread)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=201, headers={"Location": body.url}
    )


@router.post(
    "/threads/{thread_id}/posts", response_model=PostOut, status_code=201, responses=ERRORS
)
async def new_post(
    thread_id: RowId, payload: NewPost, request: Request, service: Service, who: ApiSignedIn
) -> JSONResponse:
    """Reply to a thread as the token's person."""
    post = await _write(service.reply(who, thread_id, payload.body, payload.quote_post_id))
    body = _post(request, post)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=201, headers={"Location": body.url}
    )


async def _write(call: Awaitable[T]) -> T:
    try:
        return await call
    except DiscussionError as exc:
        raise _refused(exc) from None
