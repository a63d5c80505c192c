"""The forum's boards in SQL: made, changed, put in order, deleted while empty, and summed up
for the front page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update

from storage.models import Board, Thread
from storage.repositories.forum_base import ForumRepository
from storage.repositories.forum_records import BoardRecord, BoardSummary


class BoardExists(Exception):
    """Another board already has this slug."""


class BoardNotEmpty(Exception):
    """A board with threads cannot be deleted; move or delete its threads first."""


def _board(row: Board) -> BoardRecord:
    return BoardRecord(
        id=row.id,
        slug=row.slug,
        title=row.title,
        description=row.description,
        position=row.position,
        approve_first_posts=row.approve_first_posts,
        thread_role=row.thread_role,
    )


class SqlBoardRepository(ForumRepository):
    """Boards, read and written through one session."""

    async def create_board(
        self,
        slug: str,
        title: str,
        *,
        description: str = "",
        position: int | None = None,
        approve_first_posts: bool = False,
        thread_role: str = "member",
    ) -> BoardRecord:
        """A new board; without a position it goes after the others."""
        if await self._session.scalar(select(Board.id).where(Board.slug == slug)):
            raise BoardExists(slug)
        if position is None:
            last = await self._session.scalar(select(func.max(Board.position)))
            position = 0 if last is None else last + 1
        row = Board(
            slug=slug,
            title=title,
            description=description,
            position=position,
            approve_first_posts=approve_first_posts,
            thread_role=thread_role,
        )
        self._session.add(row)
        await self._session.flush()
        return _board(row)

    async def update_board(
        self,
        board_id: int,
        *,
        slug: str | None = None,
        title: str | None = None,
        description: str | None = None,
        position: int | None = None,
        approve_first_posts: bool | None = None,
        thread_role: str | None = None,
    ) -> BoardRecord | None:
        """Change what is given; None when there is no such board."""
        row = await self._session.get(Board, board_id)
        if row is None:
            return None
        if slug is not None and slug != row.slug:
            if await self._session.scalar(select(Board.id).where(Board.slug == slug)):
                raise BoardExists(slug)
            row.slug = slug
        changes: dict[str, Any] = {
            "title": title,
            "description": description,
            "position": position,
            "approve_first_posts": approve_first_posts,
            "thread_role": thread_role,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(row, name, value)
        await self._session.flush()
        return _board(row)

    async def reorder_boards(self, board_ids: Iterable[int]) -> None:
        """Put the boards in this order; boards not named keep their positions after them."""
        ids = list(board_ids)
        for position, board_id in enumerate(ids):
            await self._session.execute(
                update(Board).where(Board.id == board_id).values(position=position)
            )
        others = await self._session.scalars(
            select(Board.id).where(Board.id.not_in(ids)).order_by(Board.position, Board.id)
        )
        for position, board_id in enumerate(list(others), start=len(ids)):
            await self._session.execute(
                update(Board).where(Board.id == board_id).values(position=position)
            )

    async def delete_board(self, board_id: int) -> bool:
        """Delete a board with no threads; False when there is no such board."""
        row = await self._session.get(Board, board_id)
        if row is None:
            return False
        if await self._session.scalar(select(Thread.id).where(Thread.board_id == board_id)):
            raise BoardNotEmpty(row.slug)
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def board(self, board_id: int) -> BoardRecord | None:
        row = await self._session.get(Board, board_id)
        return None if row is None else _board(row)

    async def board_by_slug(self, slug: str) -> BoardRecord | None:
        row = await self._session.scalar(select(Board).where(Board.slug == slug))
        return None if row is None else _board(row)

    async def boards(self) -> list[BoardRecord]:
        rows = await self._session.scalars(select(Board).order_by(Board.position, Board.id))
        return [_board(row) for row in rows]

    async def board_summaries(self) -> list[BoardSummary]:
        """Every board in order, with the threads and posts everyone sees and its latest."""
        listed = Thread.hidden.is_(False)
        totals = {
            board_id: (threads, posts or 0, last)
            for board_id, threads, posts, last in await self._session.execute(
                select(
                    Thread.board_id,
                    func.count(Thread.id),
                    func.sum(Thread.post_count),
                    func.max(Thread.last_post_at),
                )
                .where(listed)
                .group_by(Thread.board_id)
            )
        }
        ranked = (
            select(
                Thread.board_id,
                Thread.id,
                Thread.title,
                func.row_number()
                .over(
                    partition_by=Thread.board_id,
                    order_by=(Thread.last_post_at.desc(), Thread.id.desc()),
                )
                .label("rank"),
            )
            .where(listed)
            .subquery()
        )
        latest = {
            board_id: (thread_id, title)
            for board_id, thread_id, title in await self._session.execute(
                select(ranked.c.board_id, ranked.c.id, ranked.c.title).where(ranked.c.rank == 1)
            )
        }
        summaries = []
        for board in await self.boards():
            threads, posts, last = totals.get(board.id, (0, 0, None))
            thread_id, title = latest.get(board.id, (None, None))
            summaries.append(BoardSummary(board, int(threads), int(posts), last, thread_id, title))
        return summaries

    async def is_empty(self) -> bool:
        """True while there are no boards at all (the defaults may be loaded)."""
        return await self._session.scalar(select(Board.id).limit(1)) is None
