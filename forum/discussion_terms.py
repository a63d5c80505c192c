"""The terms the forum's discussion is spoken in: the refusals it answers with, the actions
moderators take, the pages it hands back, and what a title, body or reason must be."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from flows.conversation import clean_text, clean_title
from storage import BoardRecord, Page, PostRecord, QueuedPost, ThreadRecord

TITLE_MAX = 200
BODY_MAX = 50_000
REASON_MAX = 500


class DiscussionError(Exception):
    """A refusal, with a message fit to show the person who asked."""

    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DiscussionError):
    status = 404


class Forbidden(DiscussionError):
    status = 403


class Locked(DiscussionError):
    """The thread is locked: nobody but a moderator may add to it."""

    status = 403


class Invalid(DiscussionError):
    """What was sent will not do (an empty title, a body too long, ...)."""

    status = 422


class PostAction(StrEnum):
    HIDE = "hide"
    DELETE = "delete"
    RESTORE = "restore"
    APPROVE = "approve"


class ThreadAction(StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"


@dataclass(frozen=True, slots=True)
class BoardPage:
    board: BoardRecord
    threads: Page[ThreadRecord]


@dataclass(frozen=True, slots=True)
class ThreadPage:
    thread: ThreadRecord
    board: BoardRecord
    posts: Page[PostRecord]
    first_post_id: int | None


@dataclass(frozen=True, slots=True)
class PostInThread:
    post: PostRecord
    thread: ThreadRecord
    first_in_thread: bool


@dataclass(frozen=True, slots=True)
class ModerationQueue:
    flagged: list[QueuedPost]
    pending: list[QueuedPost]


def valid_title(title: str) -> str:
    cleaned = clean_title(title)
    if not cleaned:
        raise Invalid("Give the thread a title.")
    if len(cleaned) > TITLE_MAX:
        raise Invalid(f"Keep the title under {TITLE_MAX} characters.")
    return cleaned


def valid_body(body: str) -> str:
    cleaned = clean_text(body).strip("\n")
    if not cleaned.strip():
        raise Invalid("Write something first.")
    if len(cleaned) > BODY_MAX:
        raise Invalid(f"Keep a post under {BODY_MAX:,} characters.")
    return cleaned


def valid_reason(reason: str) -> str:
    cleaned = " ".join(clean_text(reason).split())
    if not cleaned:
        raise Invalid("Say what is wrong with the post.")
    if len(cleaned) > REASON_MAX:
        raise Invalid(f"Keep the reason under {REASON_MAX} characters.")
    return cleaned
