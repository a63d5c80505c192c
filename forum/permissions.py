"""What a viewer may do in the forum: every permission decision, in one place.

Routes and the API ask these functions; templates show or hide a button by the same answers,
so a page never offers what the server would refuse.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from flows.people import Role
from flows.surveys import results_readable
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


class ListedThread(Protocol):
    @property
    def hidden(self) -> bool: ...
    @property
    def author_id(self) -> int | None: ...


class ApprovingBoard(Protocol):
    @property
    def approve_first_posts(self) -> bool: ...


def can_see_thread(who: Viewer | None, thread: ListedThread) -> bool:
    """A thread everyone sees; a hidden one (first post pending or removed) to moderators and
    its author."""
    if not thread.hidden or is_moderator(who):
        return True
    return who is not None and who.person_id == thread.author_id


def can_see_everything(who: Viewer | None) -> bool:
    """Pending, hidden and deleted posts and hidden threads, wherever they are listed."""
    return is_moderator(who)


def waits_for_approval(who: Viewer, board: ApprovingBoard, has_visible_post: bool) -> bool:
    """A new member's first post on a board that asks for it waits for a moderator."""
    return board.approve_first_posts and not has_visible_post and not is_moderator(who)


def can_change_role(who: Viewer | None, person_id: int, role: Role) -> bool:
    """Admins grant and take roles; nobody takes the admin role from themselves, so that the
    forum cannot lose its last admin by a slip."""
    if not can_manage_roles(who) or role is Role.MEMBER:
        return False
    assert who is not None
    return not (role is Role.ADMIN and person_id == who.person_id)


# --- coordinators' pages --------------------------------------------------------------------


class CampaignLike(Protocol):
    """A survey campaign as far as permissions care (`flows.surveys.Campaign` is one)."""

    @property
    def created_by(self) -> int | None: ...


def can_coordinate(who: Viewer | None) -> bool:
    """Open the coordinators' pages at all (their index, the directory, unmet needs)."""
    return is_coordinator(who)


def can_see_results(
    who: Viewer | None,
    flow_id: str,
    campaign: CampaignLike | None = None,
    coordinators: Collection[int] = (),
) -> bool:
    """Read a survey's results and export its responses: of the whole flow (`campaign` None),
    or only of one campaign's responses.

    Every coordinator may read a flow's results. A campaign's follow the chats' rule,
    `flows.surveys.results_readable`: its coordinators and its creator, or any coordinator
    when it names none; admins read everything.
    """
    if who is None:
        return False
    if campaign is None:
        return is_coordinator(who)
    return results_readable(who.person_id, who.roles, campaign.created_by, coordinators)


def can_schedule_meetings(who: Viewer | None) -> bool:
    """Schedule and cancel the groups' meetings, as `/schedule` does in the chats."""
    return is_coordinator(who)


def can_follow_referrals(who: Viewer | None) -> bool:
    """See every referral across the network, with its history (providers see theirs in the
    chat)."""
    return is_coordinator(who)


def can_list_campaigns(who: Viewer | None, sees_a_campaign: bool) -> bool:
    """Open the list of survey campaigns: coordinators, and anyone who may read the results of
    at least one campaign (named its coordinator without holding the role); the list shows each
    only the campaigns whose results they may read (`can_see_results`)."""
    return who is not None and (is_coordinator(who) or sees_a_campaign)


def can_close_campaign(
    who: Viewer | None, campaign: CampaignLike, coordinators: Collection[int] = ()
) -> bool:
    """Close a survey campaign before its time: whoever may read its results."""
    # With a campaign given, its flow plays no part in the rule.
    return can_see_results(who, "", campaign, coordinators)
