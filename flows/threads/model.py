"""Chats that follow a forum thread, and the notices they get when a post appears in it.

The rules live here, free of any platform, so that the chat commands (`/watch`, `/unwatch`)
and the forum's discussion service, which may not import each other, both reach them: who may
make a chat follow a thread, how a thread is named in a command, the text of a notice and the
outbox rows that carry it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.conversation import Outbound
from flows.outbox import OutboxItem
from flows.people import ChatRef, PersonRef, Role

NOTICE_KIND = "thread-post"
# How much of a post a notice quotes; the link leads to the rest.
SNIPPET = 200
# A notice still undelivered after this long is old news and is expired, not sent.
NOTICE_LIFETIME = timedelta(days=7)
# A thread as people give it: `12`, `#12`, `/threads/12`, `https://site/threads/12?page=2#p`.
THREAD_REF = re.compile(r"^#?(\d{1,12})$|/threads/(\d{1,12})(?:[/?#]|$)")


class ThreadWatchError(LookupError):
    """A thread that cannot be followed as asked; the message says why, fit for the chat."""


@dataclass(frozen=True, slots=True)
class WatchedThread:
    """A thread as far as following it goes: its title, and whether everyone may see it."""

    id: int
    title: str
    public: bool


def thread_id_of(text: str) -> int | None:
    """The thread a command names by its number or its forum address, or None."""
    found = THREAD_REF.search(text.strip())
    if found is None:
        return None
    return int(found.group(1) or found.group(2))


def may_watch(person: PersonRef, private: bool) -> bool:
    """Anyone makes their own private chat follow a thread; a shared chat only by the word of a
    coordinator or a moderator, as with following a group."""
    return private or person.has_role(Role.COORDINATOR) or person.has_role(Role.MODERATOR)


def snippet(text: str, limit: int = SNIPPET) -> str:
    """The start of a post's plain text, cut at a word, with an ellipsis when cut."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" .,;:") + "…"


def post_url(public_url: str, post_id: int) -> str:
    return f"{public_url.rstrip('/')}/posts/{post_id}"


def notice_key(thread_id: int, post_id: int, chat: ChatRef) -> str:
    """One notice per post and chat: enqueuing it twice sends it once."""
    return f"{notice_prefix(thread_id, post_id)}{chat.key}"


def notice_prefix(thread_id: int, post_id: int) -> str:
    """What the keys of every notice of one post start with."""
    return f"thread/{thread_id}/post/{post_id}/"


def new_post_message(title: str, author: str | None, text: str, url: str) -> Outbound:
    """The notice a following chat gets: the thread, who wrote, the start of it, the link."""
    by = author or "a former member"
    return Outbound(f"New post in “{title}” by {by}: {snippet(text)}\n{url}")


def notices(
    thread: WatchedThread,
    post_id: int,
    author: str | None,
    text: str,
    chats: Sequence[ChatRef],
    *,
    public_url: str,
    now: datetime,
    skip: frozenset[ChatRef] = frozenset(),
) -> list[OutboxItem]:
    """One outbox row per following chat, but none for a thread not everyone sees, nor to the
    chats in `skip` (the author's own)."""
    if not thread.public:
        return []
    message = new_post_message(thread.title, author, text, post_url(public_url, post_id))
    return [
        OutboxItem(
            notice_key(thread.id, post_id, chat),
            NOTICE_KIND,
            chat,
            message,
            now,
            not_after=now + NOTICE_LIFETIME,
        )
        for chat in chats
        if chat not in skip
    ]
