"""Boards, threads and posts written straight through the models, with their search rows.

Search and feed tests use these so that they depend on the schema of migration 0007 only, not
on how the discussion repository decides what to write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import Database
from storage.models import Board, Person, Post, SearchDocument, Thread

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class ForumRows:
    """Writes forum rows one commit at a time; times advance a minute per post."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.now = START

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    async def person(self, name: str) -> int:
        async with self.database.sessions() as session:
            person = Person(display_name=name)
            session.add(person)
            await session.commit()
            return person.id

    async def board(self, slug: str, title: str | None = None) -> int:
        async with self.database.sessions() as session:
            board = Board(slug=slug, title=title or slug.title(), created_at=START)
            session.add(board)
            await session.commit()
            return board.id

    async def thread(
        self,
        board_id: int,
        title: str,
        body: str,
        *,
        author_id: int | None = None,
        hidden: bool = False,
        status: str = "visible",
    ) -> tuple[int, int]:
        """A thread and its opening post; (thread id, post id)."""
        at = self.tick()
        async with self.database.sessions() as session:
            thread = Thread(
                board_id=board_id,
                author_id=author_id,
                title=title,
                created_at=at,
                last_post_at=at,
                hidden=hidden,
            )
            session.add(thread)
            await session.flush()
            thread_id = thread.id
            await session.commit()
        post_id = await self.post(thread_id, body, author_id=author_id, status=status, at=at)
        return thread_id, post_id

    async def post(
        self,
        thread_id: int,
        body: str,
        *,
        author_id: int | None = None,
        status: str = "visible",
        index: bool | None = None,
        at: datetime | None = None,
    ) -> int:
        """A post; indexed for search when visible, or as `index` says."""
        async with self.database.sessions() as session:
            thread = await session.get(Thread, thread_id)
            assert thread is not None
            post = Post(
                thread_id=thread_id,
                author_id=author_id,
                body=body,
                html=f"<p>{body}</p>",
                status=status,
                created_at=at or self.tick(),
            )
            session.add(post)
            await session.flush()
            if status == "visible" if index is None else index:
                session.add(
                    SearchDocument(
                        post_id=post.id, thread_id=thread_id, title=thread.title, text=body
                    )
                )
            await session.commit()
            return post.id
