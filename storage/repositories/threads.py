"""The forum's threads in SQL: listed page by page as a viewer's scope allows, opened by their
first post, retitled, locked, pinned and moved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true, update
from sqlalchemy.orm import aliased

from storage.models import Board, Person, Post, Thread
from storage.repositories.forum_base import ForumRepository
from storage.repositories.forum_records import (
    PENDING,
    VISIBLE,
    Page,
    PostRecord,
    Scope,
    ThreadRecord,
    page_bounds,
)
from storage.repositories.posts import SqlPostRepository

_Author = aliased(Person)


def thread_query() -> Any:
    """Threads with their board's slug and title and their author's name, for `thread_record`."""
    return (
        select(Thread, Board.slug, Board.title, _Author.display_name)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(_Author, _Author.id == Thread.author_id)
    )


def thread_record(row: Any) -> ThreadRecord:
    """The record of one row of `thread_query`."""
    thread, board_slug, board_title, author_name = row
    return ThreadRecord(
        id=thread.id,
        board_id=thread.board_id,
        board_slug=board_slug,
        board_title=board_title,
        author_id=thread.author_id,
        author_name=author_name,
        title=thread.title,
        created_at=thread.created_at,
        last_post_at=thread.last_post_at,
        post_count=thread.post_count,
        pinned=thread.pinned,
        locked=thread.locked,
        hidden=thread.hidden,
    )


def _threads_in_scope(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if scope.person_id is None:
        return Thread.hidden.is_(False)
    return or_(Thread.hidden.is_(False), Thread.author_id == scope.person_id)


class SqlThreadRepository(ForumRepository):
    """Threads, read and written through one session; their search documents kept in step."""

    async def thread(self, thread_id: int) -> ThreadRecord | None:
        row = (
            await self._session.execute(
                thread_query()
                .where(Thread.id == thread_id)
                .execution_options(populate_existing=True)
            )
        ).first()
        return None if row is None else thread_record(row)

    async def threads(
        self, board_id: int, scope: Scope, *, page: int = 1, size: int = 25
    ) -> Page[ThreadRecord]:
        """A board's threads the scope may see: pinned first, then the latest activity first."""
        where = and_(Thread.board_id == board_id, _threads_in_scope(scope))
        total = await self._session.scalar(select(func.count(Thread.id)).where(where)) or 0
        offset, limit = page_bounds(page, size)
        rows = await self._session.execute(
            thread_query()
            .where(where)
            .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
            .offset(offset)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return Page(tuple(thread_record(row) for row in rows), page, size, int(total))

    async def create_thread(
        self,
        board_id: int,
        author_id: int,
        title: str,
        *,
        body: str,
        html: str,
        text: str,
        pending: bool,
        now: datetime,
    ) -> tuple[ThreadRecord, PostRecord]:
        """A thread opened by its first post; a pending first post keeps the thread hidden."""
        thread = Thread(
            board_id=board_id,
            author_id=author_id,
            title=title,
            created_at=now,
            last_post_at=now,
            post_count=0 if pending else 1,
            hidden=pending,
        )
        self._session.add(thread)
        await self._session.flush()
        post = Post(
            thread_id=thread.id,
            author_id=author_id,
            body=body,
            html=html,
            status=PENDING if pending else VISIBLE,
            created_at=now,
        )
        self._session.add(post)
        await self._session.flush()
        if not pending:
            await self._documents.write(post.id, thread.id, title, text)
        found_thread = await self.thread(thread.id)
        found_post = await SqlPostRepository(self._session, self._dialect).post(post.id)
        assert found_thread is not None and found_post is not None
        return found_thread, found_post

    async def retitle(self, thread_id: int, title: str) -> None:
        await self._session.execute(
            update(Thread).where(Thread.id == thread_id).values(title=title)
        )
        await self._documents.retitle(thread_id, title)

    async def set_locked(self, thread_id: int, locked: bool) -> None:
        await self._session.execute(
            update(Thread).where(Thread.id == thread_id).values(locked=locked)
        )

    async def set_pinned(self, thread_id: int, pinned: bool) -> None:
        await self._session.execute(
            update(Thread).where(Thread.id == thread_id).values(pinned=pinned)
        )

    async def move(self, thread_id: int, board_id: int) -> None:
        await self._session.execute(
            update(Thread).where(Thread.id == thread_id).values(board_id=board_id)
        )
