"""The forum's moderation queue in SQL: posts with open flags and posts waiting for approval,
each with its thread."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Flag, Post, Thread
from storage.repositories.flags import flag_records
from storage.repositories.forum_base import ForumRepository
from storage.repositories.forum_records import PENDING, FlagRecord, QueuedPost
from storage.repositories.posts import post_query, post_records
from storage.repositories.threads import thread_query, thread_record


class SqlModerationQueueRepository(ForumRepository):
    """What waits for a moderator, read through one session."""

    async def open_flags(self, *, limit: int = 100) -> list[QueuedPost]:
        """Posts with open flags, the longest-waiting first, each with its open flags."""
        flags = await flag_records(self._session, Flag.resolved_at.is_(None))
        by_post: dict[int, list[FlagRecord]] = {}
        for flag in flags:
            by_post.setdefault(flag.post_id, []).append(flag)
        return await self._queue(list(by_post)[:limit], by_post)

    async def pending_posts(self, *, limit: int = 100) -> list[QueuedPost]:
        """Posts waiting for approval, the oldest first."""
        ids = await self._session.scalars(
            select(Post.id).where(Post.status == PENDING).order_by(Post.created_at, Post.id)
        )
        return await self._queue(list(ids)[:limit], {})

    async def _queue(
        self, post_ids: list[int], flags: dict[int, list[FlagRecord]]
    ) -> list[QueuedPost]:
        if not post_ids:
            return []
        posts = {
            post.id: post
            for post in await post_records(
                self._session,
                await self._session.execute(post_query().where(Post.id.in_(post_ids))),
            )
        }
        thread_ids = {post.thread_id for post in posts.values()}
        threads = {
            record.id: record
            for record in (
                thread_record(row)
                for row in await self._session.execute(
                    thread_query().where(Thread.id.in_(thread_ids))
                )
            )
        }
        firsts = set(
            await self._session.scalars(
                select(func.min(Post.id))
                .where(Post.thread_id.in_(thread_ids))
                .group_by(Post.thread_id)
            )
        )
        return [
            QueuedPost(
                post=posts[post_id],
                thread=threads[posts[post_id].thread_id],
                first_in_thread=post_id in firsts,
                flags=tuple(flags.get(post_id, ())),
            )
            for post_id in post_ids
            if post_id in posts
        ]
