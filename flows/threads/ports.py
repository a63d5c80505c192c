"""What thread watching needs from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from flows.people import ChatRef
from flows.threads.model import WatchedThread
from flows.transaction import Transaction


class ThreadFollowerRepository(Protocol):
    """The chats that follow a forum thread, to be told of its new posts."""

    async def thread(self, thread_id: int) -> WatchedThread | None:
        """The thread's title and whether everyone may see it, or None if there is none."""
        ...

    async def follow(self, thread_id: int, chat: ChatRef, at: datetime) -> bool:
        """Make a chat follow a thread; False if it already did."""
        ...

    async def unfollow(self, thread_id: int, chat: ChatRef) -> bool:
        """Stop a chat following a thread; False if it did not."""
        ...

    async def chats(self, thread_id: int) -> list[ChatRef]:
        """The chats following the thread, the earliest first."""
        ...

    async def count(self, thread_id: int) -> int: ...

    async def followed_by(self, chat: ChatRef) -> list[WatchedThread]:
        """The threads a chat follows, by id."""
        ...


class ThreadWork(Transaction, Protocol):
    """What thread watching needs: the chats that follow threads."""

    @property
    def thread_followers(self) -> ThreadFollowerRepository: ...


ThreadUnits = Callable[[], ThreadWork]
