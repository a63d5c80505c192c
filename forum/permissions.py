"""What a viewer may do in the forum: every permission decision, in one place.

Routes and the API ask these functions; templates show or hide a button by the same answers,
so a page never offers what the server would refuse.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from flows.people import Role
from forum.auth import Viewer

# An author may edit their post for this long; moderators may always.
EDIT_WINDOW = timedelta(days=30)


class BoardLike(Protocol):
    @property
    def thread_role(self) -> str: ...


class ThreadLike(Protocol):
    @property
    def locked(self) -> bool: ...


class PostLike(Protocol):
    @property
    def author_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def is_moderator(who: Viewer | None) -> bool:
    return who is not None and who.has_role(Role.MODERATOR)


def is_coordinator(who: Viewer | None) -> bool:
    return who is not None and who.has_role(Role.COORDINATOR)


def is_admin(who: Viewer | None) -> bool:
    return who is not None and who.has_role(Role.ADMIN)


def can_start_thread(who: Viewer | None, board: BoardLike) -> bool:
    if who is None:
        return False
    return who.has_role(Role(board.thread_role)) or is_moderator(who)


def can_reply(who: Viewer | None, thread: ThreadLike) -> bool:
    if who is None:
        return False
    return not thread.locked or is_moderator(who)


def can_see_post(who: Viewer | None, post: PostLike) -> bool:
    """Visible posts to all; a pending one to its author too; the rest to moderators only."""
    if post.status == "visible":
        return True
    if is_moderator(who):
        return True
    return post.status == "pending" and who is not None and who.person_id == post.author_id


def can_edit(who: Viewer | None, post: PostLike, thread: ThreadLike, now: datetime) -> bool:
    if who is None:
        return False
    if is_moderator(who):
        return True
    return (
        post.author_id == who.person_id
        and post.status in ("visible", "pending")
        and not thread.locked
        and now - post.created_at <= EDIT_WINDOW
    )


def can_flag(who: Viewer | None, post: PostLike) -> bool:
    return who is not None and post.author_id != who.person_id and post.status == "visible"


def can_moderate(who: Viewer | None) -> bool:
    """Hide, delete, restore, approve posts; lock, pin and move threads; read the flag queue."""
    return is_moderator(who)


def can_manage_boards(who: Viewer | None) -> bool:
    return is_admin(who)


def can_manage_roles(who: Viewer | None) -> bool:
    return is_admin(who)
