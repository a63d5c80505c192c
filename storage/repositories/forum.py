"""The forum's discussion in SQL: boards, threads, posts, their history, flags, and the search
documents kept in step with what everyone may see.

Rendering belongs to the caller (the forum): this module stores the Markdown, the sanitised HTML
and the plain text it is handed. Where a change makes older posts visible again (a thread's
first post restored), the caller hands a function turning a post's Markdown into plain text.

What a post's status means here: `visible` to everyone, `pending` until a moderator approves
it, `hidden` or `deleted` by a moderator. A thread is hidden while its first post is not
visible; its posts are then out of the search documents, and `post_count` counts the visible
posts. Who may see what is decided by the caller, which hands in a `Scope`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.base import insert_for
from storage.models import Board, Flag, Person, Post, PostRevision, SearchDocument, Thread

T = TypeVar("T")
TextOf = Callable[[str], str]

VISIBLE = "visible"
PENDING = "pending"
HIDDEN = "hidden"
DELETED = "deleted"


class BoardExists(Exception):
    """Another board already has this slug."""


class BoardNotEmpty(Exception):
    """A board with threads cannot be deleted; move or delete its threads first."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What one viewer may see: everything (moderators), or what everyone sees plus, for a
    signed-in person, their own pending posts and their own hidden threads."""

    everything: bool = False
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list: its items, its number (from 1) and how many there are."""

    items: tuple[T, ...]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@dataclass(frozen=True, slots=True)
class BoardRecord:
    id: int
    slug: str
    title: str
    description: str
    position: int
    approve_first_posts: bool
    # A `flows.people.Role` value: who may start threads here.
    thread_role: str


@dataclass(frozen=True, slots=True)
class BoardSummary:
    """A board as the front page lists it: how busy it is and what moved last."""

    board: BoardRecord
    threads: int
    posts: int
    last_post_at: datetime | None
    last_thread_id: int | None
    last_thread_title: str | None


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    id: int
    board_id: int
    board_slug: str
    board_title: str
    author_id: int | None
    author_name: str | None
    title: str
    created_at: datetime
    last_post_at: datetime
    post_count: int
    pinned: bool
    locked: bool
    hidden: bool


@dataclass(frozen=True, slots=True)
class PostRecord:
    id: int
    thread_id: int
    author_id: int | None
    author_name: str | None
    body: str
    html: str
    status: str
    reply_to_id: int | None
    reply_to_author: str | None
    created_at: datetime
    edited_at: datetime | None
    moderated_by: int | None
    moderator_name: str | None
    moderation_note: str | None


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    """A body a post had before an edit, and who replaced it when."""

    id: int
    post_id: int
    body: str
    edited_by: int | None
    editor_name: str | None
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class FlagRecord:
    id: int
    post_id: int
    flagger_id: int
    flagger_name: str | None
    reason: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class QueuedPost:
    """A post waiting for a moderator: pending approval, or flagged (with its open flags)."""

    post: PostRecord
    thread: ThreadRecord
    first_in_thread: bool
    flags: tuple[FlagRecord, ...]


@dataclass(frozen=True, slots=True)
class ForumCounts:
    boards: int
    threads: int
    visible_posts: int
    pending_posts: int
    open_flags: int


_Author = aliased(Person)
_Moderator = aliased(Person)


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


def _page_bounds(number: int, size: int) -> tuple[int, int]:
    if number < 1 or size < 1:
        raise ValueError("pages are numbered from 1 and hold at least one item")
    return (number - 1) * size, size


class SqlForumRepository:
    """Boards, threads, posts, revisions and flags, read and written through one session."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    # Boards ---------------------------------------------------------------------------------

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

    # Threads --------------------------------------------------------------------------------

    def _thread_query(self) -> Any:
        return (
            select(Thread, Board.slug, Board.title, _Author.display_name)
            .join(Board, Board.id == Thread.board_id)
            .outerjoin(_Author, _Author.id == Thread.author_id)
        )

    @staticmethod
    def _thread(row: Any) -> ThreadRecord:
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

    @staticmethod
    def _threads_in_scope(scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        if scope.person_id is None:
            return Thread.hidden.is_(False)
        return or_(Thread.hidden.is_(False), Thread.author_id == scope.person_id)

    async def thread(self, thread_id: int) -> ThreadRecord | None:
        row = (
            await self._session.execute(
                self._thread_query()
                .where(Thread.id == thread_id)
                .execution_options(populate_existing=True)
            )
        ).first()
        return None if row is None else self._thread(row)

    async def threads(
        self, board_id: int, scope: Scope, *, page: int = 1, size: int = 25
    ) -> Page[ThreadRecord]:
        """A board's threads the scope may see: pinned first, then the latest activity first."""
        where = and_(Thread.board_id == board_id, self._threads_in_scope(scope))
        total = await self._session.scalar(select(func.count(Thread.id)).where(where)) or 0
        offset, limit = _page_bounds(page, size)
        rows = await self._session.execute(
            self._thread_query()
            .where(where)
            .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
            .offset(offset)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return Page(tuple(self._thread(row) for row in rows), page, size, int(total))

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
            await self._index(post.id, thread.id, title, text)
        found_thread = await self.thread(thread.id)
        found_post = await self.post(post.id)
        assert found_thread is not None and found_post is not None
        return found_thread, found_post

    async def retitle(self, thread_id: int, title: str) -> None:
        await self._session.execute(
            update(Thread).where(Thread.id == thread_id).values(title=title)
        )
        await self._session.execute(
            update(SearchDocument).where(SearchDocument.thread_id == thread_id).values(title=title)
        )

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

    # Posts ----------------------------------------------------------------------------------

    def _post_query(self) -> Any:
        return (
            select(Post, _Author.display_name, _Moderator.display_name)
            .outerjoin(_Author, _Author.id == Post.author_id)
            .outerjoin(_Moderator, _Moderator.id == Post.moderated_by)
            .execution_options(populate_existing=True)
        )

    async def _posts(self, rows: Iterable[Any]) -> list[PostRecord]:
        found = list(rows)
        quoted = {post.reply_to_id for post, _, _ in found if post.reply_to_id is not None}
        authors: dict[int, str | None] = {}
        if quoted:
            authors = {
                post_id: name
                for post_id, name in await self._session.execute(
                    select(Post.id, Person.display_name)
                    .outerjoin(Person, Person.id == Post.author_id)
                    .where(Post.id.in_(quoted))
                )
            }
        return [
            PostRecord(
                id=post.id,
                thread_id=post.thread_id,
                author_id=post.author_id,
                author_name=author_name,
                body=post.body,
                html=post.html,
                status=post.status,
                reply_to_id=post.reply_to_id,
                reply_to_author=authors.get(post.reply_to_id) if post.reply_to_id else None,
                created_at=post.created_at,
                edited_at=post.edited_at,
                moderated_by=post.moderated_by,
                moderator_name=moderator_name,
                moderation_note=post.moderation_note,
            )
            for post, author_name, moderator_name in found
        ]

    @staticmethod
    def _posts_in_scope(scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        visible = Post.status == VISIBLE
        if scope.person_id is None:
            return visible
        return or_(visible, and_(Post.status == PENDING, Post.author_id == scope.person_id))

    async def post(self, post_id: int) -> PostRecord | None:
        rows = await self._session.execute(self._post_query().where(Post.id == post_id))
        found = await self._posts(rows)
        return found[0] if found else None

    async def first_post_id(self, thread_id: int) -> int | None:
        return await self._session.scalar(
            select(func.min(Post.id)).where(Post.thread_id == thread_id)
        )

    async def posts(
        self, thread_id: int, scope: Scope, *, page: int = 1, size: int = 20
    ) -> Page[PostRecord]:
        """A thread's posts the scope may see, oldest first."""
        where = and_(Post.thread_id == thread_id, self._posts_in_scope(scope))
        offset, limit = _page_bounds(page, size)
        # The count rides along as a window over the same rows: one query for the page.
        rows = (
            await self._session.execute(
                self._post_query()
                .add_columns(func.count().over().label("total"))
                .where(where)
                .order_by(Post.created_at, Post.id)
                .offset(offset)
                .limit(limit)
            )
        ).all()
        if rows:
            total = int(rows[0].total)
        else:  # a page past the end has no row to carry the count
            total = int(await self._session.scalar(select(func.count(Post.id)).where(where)) or 0)
        posts = await self._posts(tuple(row[:3]) for row in rows)
        return Page(tuple(posts), page, size, total)

    async def position(self, post_id: int, scope: Scope) -> int | None:
        """How many posts the scope sees before this one in its thread (None if none such)."""
        post = await self._session.get(Post, post_id)
        if post is None:
            return None
        before = or_(
            Post.created_at < post.created_at,
            and_(Post.created_at == post.created_at, Post.id < post.id),
        )
        count = await self._session.scalar(
            select(func.count(Post.id)).where(
                Post.thread_id == post.thread_id, self._posts_in_scope(scope), before
            )
        )
        return int(count or 0)

    async def has_visible_post(self, person_id: int) -> bool:
        """True once anything this person wrote has been seen by everyone."""
        found = await self._session.scalar(
            select(Post.id).where(Post.author_id == person_id, Post.status == VISIBLE).limit(1)
        )
        return found is not None

    async def reply(
        self,
        thread_id: int,
        author_id: int,
        *,
        body: str,
        html: str,
        text: str,
        pending: bool,
        now: datetime,
        reply_to_id: int | None = None,
    ) -> PostRecord:
        """A new post at the end of the thread; a visible one counts and moves the thread up."""
        post = Post(
            thread_id=thread_id,
            author_id=author_id,
            body=body,
            html=html,
            status=PENDING if pending else VISIBLE,
            reply_to_id=reply_to_id,
            created_at=now,
        )
        self._session.add(post)
        await self._session.flush()
        if not pending:
            await self._session.execute(
                update(Thread)
                .where(Thread.id == thread_id)
                .values(post_count=Thread.post_count + 1, last_post_at=now)
            )
            await self._sync_search(post.id, text)
        found = await self.post(post.id)
        assert found is not None
        return found

    async def edit(
        self,
        post_id: int,
        editor_id: int,
        *,
        body: str,
        html: str,
        text: str,
        now: datetime,
    ) -> PostRecord | None:
        """Replace the post's body, keeping the one it had as a revision."""
        post = await self._session.get(Post, post_id)
        if post is None:
            return None
        self._session.add(
            PostRevision(post_id=post.id, body=post.body, edited_by=editor_id, replaced_at=now)
        )
        post.body = body
        post.html = html
        post.edited_at = now
        await self._session.flush()
        await self._sync_search(post.id, text)
        return await self.post(post.id)

    async def revisions(self, post_id: int) -> list[RevisionRecord]:
        """The post's earlier bodies, the most recently replaced first."""
        rows = await self._session.execute(
            select(PostRevision, Person.display_name)
            .outerjoin(Person, Person.id == PostRevision.edited_by)
            .where(PostRevision.post_id == post_id)
            .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
        )
        return [
            RevisionRecord(
                id=revision.id,
                post_id=revision.post_id,
                body=revision.body,
                edited_by=revision.edited_by,
                editor_name=name,
                replaced_at=revision.replaced_at,
            )
            for revision, name in rows
        ]

    async def set_status(
        self,
        post_id: int,
        status: str,
        *,
        by: int | None,
        note: str | None = None,
        text_of: TextOf,
    ) -> PostRecord | None:
        """Hide, delete, restore or approve a post, and keep its thread and search in step.

        `text_of` makes the plain text of posts that become searchable again.
        """
        post = await self._session.get(Post, post_id)
        if post is None:
            return None
        post.status = status
        post.moderated_by = by
        post.moderation_note = note
        await self._session.flush()
        await self._refresh_thread(post.thread_id, text_of)
        await self._sync_search(post.id, text_of(post.body))
        return await self.post(post.id)

    async def _refresh_thread(self, thread_id: int, text_of: TextOf) -> None:
        """Recount a thread after a post's status changed, and hide or show it by its first."""
        thread = await self._session.get(Thread, thread_id, populate_existing=True)
        assert thread is not None
        first = await self._session.scalar(
            select(Post.status).where(Post.thread_id == thread_id).order_by(Post.id).limit(1)
        )
        count, last = (
            await self._session.execute(
                select(func.count(Post.id), func.max(Post.created_at)).where(
                    Post.thread_id == thread_id, Post.status == VISIBLE
                )
            )
        ).one()
        was_hidden = thread.hidden
        thread.hidden = first != VISIBLE
        thread.post_count = int(count)
        thread.last_post_at = last or thread.created_at
        await self._session.flush()
        if thread.hidden == was_hidden:
            return
        if thread.hidden:
            await self._session.execute(
                delete(SearchDocument).where(SearchDocument.thread_id == thread_id)
            )
            return
        visible = await self._session.execute(
            select(Post.id, Post.body).where(Post.thread_id == thread_id, Post.status == VISIBLE)
        )
        for visible_id, body in list(visible):
            await self._index(visible_id, thread_id, thread.title, text_of(body))

    # Search documents -----------------------------------------------------------------------

    async def _index(self, post_id: int, thread_id: int, title: str, text: str) -> None:
        statement = insert_for(self._dialect, SearchDocument).values(
            post_id=post_id, thread_id=thread_id, title=title, text=text
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[SearchDocument.post_id],
                set_={"thread_id": thread_id, "title": title, "text": text},
            )
        )

    async def _sync_search(self, post_id: int, text: str) -> None:
        """Write the post's search document with `text` if everyone may see the post, else
        drop it."""
        found = await self._searchable(post_id)
        if found is None:
            await self._session.execute(
                delete(SearchDocument).where(SearchDocument.post_id == post_id)
            )
        else:
            thread_id, title = found
            await self._index(post_id, thread_id, title, text)

    async def _searchable(self, post_id: int) -> tuple[int, str] | None:
        row = (
            await self._session.execute(
                select(Thread.id, Thread.title)
                .join(Post, Post.thread_id == Thread.id)
                .where(Post.id == post_id, Post.status == VISIBLE, Thread.hidden.is_(False))
            )
        ).first()
        return None if row is None else (row[0], row[1])

    # Flags ----------------------------------------------------------------------------------

    async def flag(self, post_id: int, flagger_id: int, reason: str, *, now: datetime) -> bool:
        """Note a member's flag on a post; False if they had flagged it already."""
        existing = await self._session.scalar(
            select(Flag.id).where(Flag.post_id == post_id, Flag.flagger_id == flagger_id)
        )
        if existing is not None:
            return False
        self._session.add(
            Flag(post_id=post_id, flagger_id=flagger_id, reason=reason, created_at=now)
        )
        await self._session.flush()
        return True

    async def resolve_flags(self, post_id: int, *, by: int, outcome: str, now: datetime) -> int:
        """Close every open flag on the post with `outcome`; how many there were."""
        result = await self._session.execute(
            update(Flag)
            .where(Flag.post_id == post_id, Flag.resolved_at.is_(None))
            .values(resolved_at=now, resolved_by=by, outcome=outcome[:32])
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def flags(self, post_id: int) -> list[FlagRecord]:
        """Every flag on the post, open or resolved, oldest first."""
        return await self._flags(Flag.post_id == post_id)

    async def _flags(self, where: ColumnElement[bool]) -> list[FlagRecord]:
        rows = await self._session.execute(
            select(Flag, Person.display_name)
            .outerjoin(Person, Person.id == Flag.flagger_id)
            .where(where)
            .order_by(Flag.created_at, Flag.id)
        )
        return [
            FlagRecord(
                id=flag.id,
                post_id=flag.post_id,
                flagger_id=flag.flagger_id,
                flagger_name=name,
                reason=flag.reason,
                created_at=flag.created_at,
                resolved_at=flag.resolved_at,
                resolved_by=flag.resolved_by,
                outcome=flag.outcome,
            )
            for flag, name in rows
        ]

    async def open_flags(self, *, limit: int = 100) -> list[QueuedPost]:
        """Posts with open flags, the longest-waiting first, each with its open flags."""
        flags = await self._flags(Flag.resolved_at.is_(None))
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
            for post in await self._posts(
                await self._session.execute(self._post_query().where(Post.id.in_(post_ids)))
            )
        }
        thread_ids = {post.thread_id for post in posts.values()}
        threads = {
            record.id: record
            for record in (
                self._thread(row)
                for row in await self._session.execute(
                    self._thread_query().where(Thread.id.in_(thread_ids))
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

    async def is_empty(self) -> bool:
        """True while there are no boards at all (the defaults may be loaded)."""
        return await self._session.scalar(select(Board.id).limit(1)) is None
