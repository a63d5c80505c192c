"""The forum's discussion through one session: the board, thread, post, flag and moderation
queue repositories as one (what `SqlUnitOfWork.forum` is), and the counts that span them."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Board, Flag, Post, Thread
from storage.repositories.boards import SqlBoardRepository
from storage.repositories.flags import SqlFlagRepository
from storage.repositories.forum_records import PENDING, VISIBLE, ForumCounts
from storage.repositories.moderation_queue import SqlModerationQueueRepository
from storage.repositories.posts import SqlPostRepository
from storage.repositories.threads import SqlThreadRepository


class SqlDiscussionRepository(
    SqlBoardRepository,
    SqlThreadRepository,
    SqlPostRepository,
    SqlFlagRepository,
    SqlModerationQueueRepository,
):
    """Boards, threads, posts, revisions and flags, read and written through one session.

    Each base takes the same session and dialect and keeps nothing else, so one `__init__`
    serves them all.
    """

    async def counts(self) -> ForumCounts:
        boards = await self._session.scalar(select(func.count(Board.id)))
        threads = await self._session.scalar(
            select(func.count(Thread.id)).where(Thread.hidden.is_(False))
        )
        by_status = {
            status: int(count)
            for status, count in await self._session.execute(
                select(Post.status, func.count(Post.id)).group_by(Post.status)
            )
        }
        flags = await self._session.scalar(
            select(func.count(func.distinct(Flag.post_id))).where(Flag.resolved_at.is_(None))
        )
        return ForumCounts(
            boards=int(boards or 0),
            threads=int(threads or 0),
            visible_posts=int(by_status.get(VISIBLE, 0)),
            pending_posts=int(by_status.get(PENDING, 0)),
            open_flags=int(flags or 0),
        )
