"""Making chats follow forum threads and stop, one transaction each."""

from __future__ import annotations

from flows.clock import Clock
from flows.people import ChatRef
from flows.threads.model import ThreadWatchError, WatchedThread, thread_id_of
from flows.threads.ports import ThreadFollowerRepository, ThreadUnits


class ThreadWatchService:
    """Make chats follow threads and stop, in one transaction each."""

    def __init__(self, units: ThreadUnits, clock: Clock) -> None:
        self._units = units
        self._clock = clock

    async def watch(self, ref: str, chat: ChatRef) -> tuple[WatchedThread, bool]:
        """Make the chat follow the thread `ref` names; False when it already did."""
        async with self._units() as uow:
            thread = await self._thread(uow.thread_followers, ref)
            new = await uow.thread_followers.follow(thread.id, chat, self._clock.now())
            await uow.commit()
            return thread, new

    async def unwatch(self, ref: str, chat: ChatRef) -> tuple[WatchedThread, bool]:
        """Stop the chat following the thread; False when it did not follow it."""
        async with self._units() as uow:
            thread = await self._thread(uow.thread_followers, ref, public_only=False)
            gone = await uow.thread_followers.unfollow(thread.id, chat)
            await uow.commit()
            # A chat may leave a thread that has since been hidden, but learns nothing of a
            # hidden thread it never followed.
            if not gone and not thread.public:
                raise ThreadWatchError(f"There is no thread {thread.id}.")
            return thread, gone

    async def followed_by(self, chat: ChatRef) -> list[WatchedThread]:
        async with self._units() as uow:
            return await uow.thread_followers.followed_by(chat)

    async def followers(self, thread_id: int) -> list[ChatRef]:
        async with self._units() as uow:
            return await uow.thread_followers.chats(thread_id)

    @staticmethod
    async def _thread(
        repository: ThreadFollowerRepository, ref: str, *, public_only: bool = True
    ) -> WatchedThread:
        thread_id = thread_id_of(ref)
        if thread_id is None:
            raise ThreadWatchError(
                f"{ref[:80]!r} is not a thread: give its number or its forum address, "
                "such as 12 or https://…/threads/12"
            )
        thread = await repository.thread(thread_id)
        # A thread only moderators see is not admitted to exist.
        if thread is None or (public_only and not thread.public):
            raise ThreadWatchError(f"There is no thread {thread_id}.")
        return thread
