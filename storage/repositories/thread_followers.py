"""The chats that follow a forum thread, in SQL: `flows.threads.ports.ThreadFollowerRepository`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.people import ChatRef, Platform
from flows.threads import WatchedThread
from storage.base import insert_for
from storage.models import Thread, ThreadFollower


class SqlThreadFollowerRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def thread(self, thread_id: int) -> WatchedThread | None:
        row = (
            await self._session.execute(
                select(Thread.id, Thread.title, Thread.hidden).where(Thread.id == thread_id)
            )
        ).first()
        return None if row is None else WatchedThread(row.id, row.title, not row.hidden)

    async def follow(self, thread_id: int, chat: ChatRef, at: datetime) -> bool:
        statement = (
            insert_for(self._dialect, ThreadFollower)
            .values(
                thread_id=thread_id,
                platform=chat.platform.value,
                chat_id=chat.chat_id,
                created_at=at,
            )
            .on_conflict_do_nothing()
            .returning(ThreadFollower.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def unfollow(self, thread_id: int, chat: ChatRef) -> bool:
        result = await self._session.execute(
            delete(ThreadFollower).where(
                ThreadFollower.thread_id == thread_id,
                ThreadFollower.platform == chat.platform.value,
                ThreadFollower.chat_id == chat.chat_id,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def chats(self, thread_id: int) -> list[ChatRef]:
        rows = await self._session.execute(
            select(ThreadFollower.platform, ThreadFollower.chat_id)
            .where(ThreadFollower.thread_id == thread_id)
            .order_by(ThreadFollower.id)
        )
        return [ChatRef(Platform(platform), chat_id) for platform, chat_id in rows]

    async def count(self, thread_id: int) -> int:
        found = await self._session.scalar(
            select(func.count(ThreadFollower.id)).where(ThreadFollower.thread_id == thread_id)
        )
        return int(found or 0)

    async def followed_by(self, chat: ChatRef) -> list[WatchedThread]:
        rows = await self._session.execute(
            select(Thread.id, Thread.title, Thread.hidden)
            .join(ThreadFollower, ThreadFollower.thread_id == Thread.id)
            .where(
                ThreadFollower.platform == chat.platform.value,
                ThreadFollower.chat_id == chat.chat_id,
            )
            .order_by(Thread.id)
        )
        return [WatchedThread(row.id, row.title, not row.hidden) for row in rows]
