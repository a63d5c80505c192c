"""What the forum's Atom feeds read: the newest visible threads, each with its opening post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Board, Person, Post, SearchDocument, Thread

# A feed shows only the start of a post; reading more than this of each would be waste.
SUMMARY_SOURCE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class FeedBoard:
    """A board as its feed describes it."""

    id: int
    slug: str
    title: str
    description: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FeedThread:
    """A thread as a feed entry: `text` is the start of its opening post as plain text."""

    thread_id: int
    title: str
    board_slug: str
    board_title: str
    author_name: str | None
    published: datetime
    updated: datetime
    text: str


class SqlFeedRepository:
    """Reads threads everyone may see, newest first, for feeds."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def board(self, slug: str) -> FeedBoard | None:
        found = await self._session.scalar(select(Board).where(Board.slug == slug))
        if found is None:
            return None
        return FeedBoard(found.id, found.slug, found.title, found.description, found.created_at)

    async def latest_threads(
        self, *, limit: int = 30, board_id: int | None = None
    ) -> list[FeedThread]:
        """The `limit` newest threads that are not hidden, on one board or on all of them.

        An entry is updated when its opening post is edited, not when someone replies, since
        the entry shows the opening post.
        """
        opening = (
            select(Post.id)
            .where(Post.thread_id == Thread.id)
            .order_by(Post.created_at, Post.id)
            .limit(1)
            .correlate(Thread)
            .scalar_subquery()
        )
        # The indexed plain text when there is one; the Markdown source is the next best thing.
        body = func.coalesce(SearchDocument.text, Post.body)
        statement = (
            select(
                Thread.id,
                Thread.title,
                Board.slug,
                Board.title,
                Person.display_name,
                Post.created_at,
                Post.edited_at,
                func.substr(body, 1, SUMMARY_SOURCE_CHARS),
            )
            .join(Board, Board.id == Thread.board_id)
            .join(Post, Post.id == opening)
            .outerjoin(Person, Person.id == Thread.author_id)
            .outerjoin(SearchDocument, SearchDocument.post_id == Post.id)
            .where(Thread.hidden.is_(False), Post.status == "visible")
            .order_by(Thread.created_at.desc(), Thread.id.desc())
            .limit(limit)
        )
        if board_id is not None:
            statement = statement.where(Thread.board_id == board_id)
        rows = await self._session.execute(statement)
        return [
            FeedThread(
                thread_id=thread_id,
                title=title,
                board_slug=slug,
                board_title=board_title,
                author_name=author,
                published=created,
                updated=edited or created,
                text=text or "",
            )
            for thread_id, title, slug, board_title, author, created, edited, text in rows
        ]
