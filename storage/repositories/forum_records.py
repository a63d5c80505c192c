"""What the forum's repositories hand back: boards, threads, posts, revisions, flags and the
moderation queue as frozen records, one page of a longer list, and the scope of one viewer.

What a post's status means: `visible` to everyone, `pending` until a moderator approves it,
`hidden` or `deleted` by a moderator. A thread is hidden while its first post is not visible;
its posts are then out of the search documents, and `post_count` counts the visible posts. Who
may see what is decided by the caller (the forum), which hands in a `Scope`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Generic, TypeVar

T = TypeVar("T")

VISIBLE = "visible"
PENDING = "pending"
HIDDEN = "hidden"
DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Scope:
    """What one viewer may see: everything (moderators), or what everyone sees plus, for a
    signed-in person, their own pending posts and their own hidden threads."""

    everything: bool = False
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list: its items, its number (from 1) and how many there are."""

    items: tuple[T, ...]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_bounds(number: int, size: int) -> tuple[int, int]:
    """The offset and limit of page `number` of `size` items."""
    if number < 1 or size < 1:
        raise ValueError("pages are numbered from 1 and hold at least one item")
    return (number - 1) * size, size


@dataclass(frozen=True, slots=True)
class BoardRecord:
    id: int
    slug: str
    title: str
    description: str
    position: int
    approve_first_posts: bool
    # A `flows.people.Role` value: who may start threads here.
    thread_role: str


@dataclass(frozen=True, slots=True)
class BoardSummary:
    """A board as the front page lists it: how busy it is and what moved last."""

    board: BoardRecord
    threads: int
    posts: int
    last_post_at: datetime | None
    last_thread_id: int | None
    last_thread_title: str | None


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    id: int
    board_id: int
    board_slug: str
    board_title: str
    author_id: int | None
    author_name: str | None
    title: str
    created_at: datetime
    last_post_at: datetime
    post_count: int
    pinned: bool
    locked: bool
    hidden: bool


@dataclass(frozen=True, slots=True)
class PostRecord:
    id: int
    thread_id: int
    author_id: int | None
    author_name: str | None
    body: str
    html: str
    status: str
    reply_to_id: int | None
    reply_to_author: str | None
    created_at: datetime
    edited_at: datetime | None
    moderated_by: int | None
    moderator_name: str | None
    moderation_note: str | None


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    """A body a post had before an edit, and who replaced it when."""

    id: int
    post_id: int
    body: str
    edited_by: int | None
    editor_name: str | None
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class FlagRecord:
    id: int
    post_id: int
    flagger_id: int
    flagger_name: str | None
    reason: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class QueuedPost:
    """A post waiting for a moderator: pending approval, or flagged (with its open flags)."""

    post: PostRecord
    thread: ThreadRecord
    first_in_thread: bool
    flags: tuple[FlagRecord, ...]


@dataclass(frozen=True, slots=True)
class ForumCounts:
    boards: int
    threads: int
    visible_posts: int
    pending_posts: int
    open_flags: int
