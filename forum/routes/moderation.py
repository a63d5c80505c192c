"""The moderators' queue (flagged posts, posts waiting for approval) and their actions on posts
and threads; every action answers with a 303 back to the page the moderator came from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from flows.people import Role
from forum.auth import CsrfChecked, Viewer, require_role
from forum.discussion import discussion
from forum.discussion_pages import refused
from forum.discussion_terms import DiscussionError, PostAction, ThreadAction
from forum.pages import form_fields, notify, render, return_to, see_other, take_notice
from forum.params import RowId, form_row_id

router = APIRouter(include_in_schema=False)

Moderator = require_role(Role.MODERATOR)
QUEUE = "/moderation"

DONE = {
    PostAction.HIDE: "The post is hidden.",
    PostAction.DELETE: "The post is deleted.",
    PostAction.RESTORE: "The post is visible again.",
    PostAction.APPROVE: "The post is approved and visible to everyone.",
    ThreadAction.LOCK: "The thread is locked.",
    ThreadAction.UNLOCK: "The thread is open for replies again.",
    ThreadAction.PIN: "The thread is pinned to the top of its board.",
    ThreadAction.UNPIN: "The thread is no longer pinned.",
}


@router.get("/moderation", response_class=HTMLResponse)
async def queue(request: Request, who: Viewer = Moderator) -> Response:
    """Open flags and pending posts, the longest-waiting first."""
    try:
        found = await discussion(request).queue(who)
    except DiscussionError as exc:
        raise refused(exc) from None
    return render(
        request,
        "forum/moderation.html",
        {"queue": found, "here": QUEUE, "notice": take_notice(request)},
        title="Moderation",
    )


@router.post("/moderation/posts/{post_id}/{action}")
async def moderate_post(
    request: Request,
    post_id: RowId,
    action: PostAction,
    who: Viewer = Moderator,
    _csrf: None = CsrfChecked,
) -> Response:
    sent = await form_fields(request)
    try:
        await discussion(request).moderate_post(who, post_id, action, sent.get("note", ""))
    except DiscussionError as exc:
        raise refused(exc) from None
    notify(request, DONE[action])
    return see_other(return_to(sent.get("next"), QUEUE))


# Before `/moderation/threads/{id}/{action}`, which would otherwise take "move" as an action.
@router.post("/moderation/threads/{thread_id}/move")
async def move_thread(
    request: Request, thread_id: RowId, who: Viewer = Moderator, _csrf: None = CsrfChecked
) -> Response:
    sent = await form_fields(request)
    board = sent.get("board_id", "")
    try:
        moved = await discussion(request).move(who, thread_id, form_row_id(board) or 0)
    except DiscussionError as exc:
        raise refused(exc) from None
    notify(request, f"The thread is now on {moved.board_title}.")
    return see_other(return_to(sent.get("next"), f"/threads/{thread_id}"))


@router.post("/moderation/threads/{thread_id}/{action}")
async def moderate_thread(
    request: Request,
    thread_id: RowId,
    action: ThreadAction,
    who: Viewer = Moderator,
    _csrf: None = CsrfChecked,
) -> Response:
    sent = await form_fields(request)
    try:
        await discussion(request).moderate_thread(who, thread_id, action)
    except DiscussionError as exc:
        raise refused(exc) from None
    notify(request, DONE[action])
    return see_other(return_to(sent.get("next"), f"/threads/{thread_id}"))


@router.post("/moderation/flags/{post_id}/resolve")
async def resolve_flags(
    request: Request, post_id: RowId, who: Viewer = Moderator, _csrf: None = CsrfChecked
) -> Response:
    """Close a post's flags and leave the post as it is."""
    sent = await form_fields(request)
    try:
        closed = await discussion(request).resolve_flags(who, post_id, "dismissed")
    except DiscussionError as exc:
        raise refused(exc) from None
    notify(request, f"{closed} flag(s) dismissed; the post stays as it is.")
    return see_other(return_to(sent.get("next"), QUEUE))
