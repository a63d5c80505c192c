"""A thread's posts page by page with the reply form under them, and a post's own pages: where
it is, editing it, its earlier versions, and flagging it for the moderators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from forum import markdown, permissions
from forum.auth import CsrfChecked, OptionalViewer, SignedIn, Viewer
from forum.discussion import Discussion, discussion
from forum.discussion_pages import page_url, refused
from forum.discussion_terms import DiscussionError, Forbidden, Invalid, PostInThread, ThreadPage
from forum.pages import form_fields, notify, render, see_other, take_notice
from forum.params import QueryRowId, RowId, form_row_id
from storage import PostRecord, RevisionRecord

router = APIRouter(include_in_schema=False)

PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@dataclass(frozen=True, slots=True)
class PostView:
    """A post with what this viewer may do to it, so the page offers only what is allowed."""

    post: PostRecord
    page: int
    can_edit: bool
    can_flag: bool
    can_quote: bool


@dataclass(frozen=True, slots=True)
class RevisionView:
    revision: RevisionRecord
    html: str


async def _post_url(service: Discussion, who: Viewer | None, post_id: int) -> str:
    thread_id, page = await service.locate(who, post_id)
    return page_url(f"/threads/{thread_id}", page, f"post-{post_id}")


def _post_views(request: Request, who: Viewer | None, view: ThreadPage) -> list[PostView]:
    now = request.app.state.clock.now()
    can_reply = permissions.can_reply(who, view.thread)
    return [
        PostView(
            post=post,
            page=view.posts.number,
            can_edit=permissions.can_edit(who, post, view.thread, now),
            can_flag=permissions.can_flag(who, post),
            can_quote=can_reply and post.status == "visible",
        )
        for post in view.posts.items
    ]


async def _thread_response(
    request: Request,
    who: Viewer | None,
    thread_id: int,
    page: int,
    *,
    reply_body: str = "",
    quote_id: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    service = discussion(request)
    try:
        view = await service.thread_page(who, thread_id, page)
    except DiscussionError as exc:
        raise refused(exc) from None
    base = f"/threads/{view.thread.id}"
    posts = view.posts
    moderator = permissions.can_moderate(who)
    config = request.app.state.config
    return render(
        request,
        "forum/thread.html",
        {
            "thread": view.thread,
            "board": view.board,
            "posts": posts,
            "post_views": _post_views(request, who, view),
            "first_post_id": view.first_post_id,
            "base": base,
            "here": page_url(base, posts.number),
            "previous_url": page_url(base, posts.number - 1) if posts.has_previous else None,
            "next_url": page_url(base, posts.number + 1) if posts.has_next else None,
            "can_reply": permissions.can_reply(who, view.thread),
            "moderator": moderator,
            "boards": await service.boards() if moderator else [],
            "reply_body": reply_body,
            "quote_id": quote_id,
            "error": error,
            "notice": take_notice(request),
            "chat_bots": bool(config.chat_bots),
            "followers": await service.follower_count(who, view.thread.id)
            if moderator and who is not None
            else None,
        },
        status_code=status_code,
        title=view.thread.title if page == 1 else f"{view.thread.title} (page {page})",
    )


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
async def thread_page(
    request: Request,
    thread_id: RowId,
    who: OptionalViewer,
    page: PageNumber = 1,
    quote: QueryRowId = None,
) -> Response:
    """The posts on one page; with `quote`, the reply form starts with that post quoted."""
    body, quote_id = "", None
    if quote is not None and who is not None:
        try:
            found = await discussion(request).post(who, quote)
        except DiscussionError:
            found = None
        if found is not None and found.thread.id == thread_id and found.post.status == "visible":
            body, quote_id = markdown.quote(found.post.body), found.post.id
    return await _thread_response(request, who, thread_id, page, reply_body=body, quote_id=quote_id)


@router.post("/threads/{thread_id}/reply", response_class=HTMLResponse)
async def reply(
    request: Request, thread_id: RowId, who: SignedIn, _csrf: None = CsrfChecked
) -> Response:
    sent = await form_fields(request)
    quoted = sent.get("quote_post_id", "").strip()
    quote_id = form_row_id(quoted)
    service = discussion(request)
    try:
        if quoted and quote_id is None:
            raise Invalid("The post to quote is not one of this thread's.")
        post = await service.reply(who, thread_id, sent.get("body", ""), quote_id)
    except Invalid as exc:
        # Back to the last page, where the form is, with what was written kept.
        last = (await service.thread_page(who, thread_id)).posts.pages
        return await _thread_response(
            request,
            who,
            thread_id,
            last,
            reply_body=sent.get("body", ""),
            quote_id=quote_id,
            error=exc.message,
            status_code=exc.status,
        )
    except DiscussionError as exc:
        raise refused(exc) from None
    if post.status == "pending":
        notify(request, "Thanks! Your post will appear once a moderator has approved it.")
    return see_other(await _post_url(service, who, post.id))


@router.get("/posts/{post_id}")
async def post_link(request: Request, post_id: RowId, who: OptionalViewer) -> Response:
    """A lasting address for a post: sends the reader to its place in its thread."""
    try:
        return see_other(await _post_url(discussion(request), who, post_id))
    except DiscussionError as exc:
        raise refused(exc) from None


async def _editable(request: Request, who: Viewer, post_id: int) -> PostInThread:
    try:
        found = await discussion(request).post(who, post_id)
    except DiscussionError as exc:
        raise refused(exc) from None
    now = request.app.state.clock.now()
    if not permissions.can_edit(who, found.post, found.thread, now):
        raise refused(Forbidden("You can no longer edit this post."))
    return found


def _edit_page(
    request: Request,
    found: PostInThread,
    body: str,
    title: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "forum/edit.html",
        {
            "found": found,
            "body": body,
            "thread_title": title,
            "error": error,
        },
        status_code=status_code,
        title=f"Edit a post in {found.thread.title}",
    )


@router.get("/posts/{post_id}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, post_id: RowId, who: SignedIn) -> Response:
    found = await _editable(request, who, post_id)
    return _edit_page(request, found, found.post.body, found.thread.title)


@router.post("/posts/{post_id}/edit", response_class=HTMLResponse)
async def edit(
    request: Request, post_id: RowId, who: SignedIn, _csrf: None = CsrfChecked
) -> Response:
    sent = await form_fields(request)
    service = discussion(request)
    title = sent.get("title") if "title" in sent else None
    try:
        await service.edit(who, post_id, sent.get("body", ""), title)
    except Invalid as exc:
        found = await _editable(request, who, post_id)
        return _edit_page(
            request,
            found,
            sent.get("body", ""),
            title if title is not None else found.thread.title,
            exc.message,
            exc.status,
        )
    except DiscussionError as exc:
        raise refused(exc) from None
    notify(request, "Your post is saved; its earlier version is in its history.")
    return see_other(await _post_url(service, who, post_id))


@router.get("/posts/{post_id}/history", response_class=HTMLResponse)
async def history(request: Request, post_id: RowId, who: OptionalViewer) -> Response:
    """The post as it is now, then each earlier version, the latest first."""
    try:
        found, revisions = await discussion(request).history(who, post_id)
    except DiscussionError as exc:
        raise refused(exc) from None
    return render(
        request,
        "forum/history.html",
        {
            "found": found,
            "revisions": [RevisionView(r, markdown.render(r.body)) for r in revisions],
        },
        title=f"History of a post in {found.thread.title}",
    )


def _flag_page(
    request: Request,
    found: PostInThread,
    reason: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "forum/flag.html",
        {"found": found, "reason": reason, "error": error},
        status_code=status_code,
        title="Flag a post",
    )


async def _flaggable(request: Request, who: Viewer, post_id: int) -> PostInThread:
    try:
        found = await discussion(request).post(who, post_id)
    except DiscussionError as exc:
        raise refused(exc) from None
    if not permissions.can_flag(who, found.post):
        raise refused(Forbidden("You cannot flag this post."))
    return found


@router.get("/posts/{post_id}/flag", response_class=HTMLResponse)
async def flag_form(request: Request, post_id: RowId, who: SignedIn) -> Response:
    return _flag_page(request, await _flaggable(request, who, post_id))


@router.post("/posts/{post_id}/flag", response_class=HTMLResponse)
async def flag(
    request: Request, post_id: RowId, who: SignedIn, _csrf: None = CsrfChecked
) -> Response:
    sent = await form_fields(request)
    service = discussion(request)
    try:
        added = await service.flag(who, post_id, sent.get("reason", ""))
    except Invalid as exc:
        found = await _flaggable(request, who, post_id)
        return _flag_page(request, found, sent.get("reason", ""), exc.message, exc.status)
    except DiscussionError as exc:
        raise refused(exc) from None
    notify(
        request,
        "Thank you: the moderators will look at this post."
        if added
        else "You had flagged this post already; the moderators will look at it.",
    )
    return see_other(await _post_url(service, who, post_id))
