"""The forum's posts in SQL: read page by page as a viewer's scope allows, replied, edited
(keeping revisions) and moderated, with their threads' counts and the search documents kept in
step.

Rendering belongs to the caller (the forum): this module stores the Markdown, the sanitised HTML
and the plain text it is handed. Where a change makes older posts visible again (a thread's
first post restored), the caller hands a function turning a post's Markdown into plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Person, Post, PostRevision, Thread
from storage.repositories.forum_base import ForumRepository
from storage.repositories.forum_records import (
    PENDING,
    VISIBLE,
    Page,
    PostRecord,
    RevisionRecord,
    Scope,
    page_bounds,
)

TextOf = Callable[[str], str]

_Author = aliased(Person)
_Moderator = aliased(Person)


def post_query() -> Any:
    """Posts with their author's and moderator's names, for `post_records`."""
    return (
        select(Post, _Author.display_name, _Moderator.display_name)
        .outerjoin(_Author, _Author.id == Post.author_id)
        .outerjoin(_Moderator, _Moderator.id == Post.moderated_by)
        .execution_options(populate_existing=True)
    )


async def post_records(session: AsyncSession, rows: Iterable[Any]) -> list[PostRecord]:
    """The records of rows of `post_query`, with the names of the authors they quote."""
    found = list(rows)
    quoted = {post.reply_to_id for post, _, _ in found if post.reply_to_id is not None}
    authors: dict[int, str | None] = {}
    if quoted:
        authors = {
            post_id: name
            for post_id, name in await session.execute(
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


def _posts_in_scope(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    visible = Post.status == VISIBLE
    if scope.person_id is None:
        return visible
    return or_(visible, and_(Post.status == PENDING, Post.author_id == scope.person_id))


class SqlPostRepository(ForumRepository):
    """Posts and their revisions, read and written through one session."""

    async def post(self, post_id: int) -> PostRecord | None:
        rows = await self._session.execute(post_query().where(Post.id == post_id))
        found = await post_records(self._session, rows)
        return found[0] if found else None

    async def first_post_id(self, thread_id: int) -> int | None:
        return await self._session.scalar(
            select(func.min(Post.id)).where(Post.thread_id == thread_id)
        )

    async def posts(
        self, thread_id: int, scope: Scope, *, page: int = 1, size: int = 20
    ) -> Page[PostRecord]:
        """A thread's posts the scope may see, oldest first."""
        where = and_(Post.thread_id == thread_id, _posts_in_scope(scope))
        offset, limit = page_bounds(page, size)
        # The count rides along as a window over the same rows: one query for the page.
        rows = (
            await self._session.execute(
                post_query()
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
        posts = await post_records(self._session, (tuple(row[:3]) for row in rows))
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
                Post.thread_id == post.thread_id, _posts_in_scope(scope), before
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
            await self._documents.sync(post.id, text)
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
        await self._documents.sync(post.id, text)
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
        await self._documents.sync(post.id, text_of(post.body))
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
            await self._documents.drop_thread(thread_id)
            return
        visible = await self._session.execute(
            select(Post.id, Post.body).where(Post.thread_id == thread_id, Post.status == VISIBLE)
        )
        for visible_id, body in list(visible):
            await self._documents.write(visible_id, thread_id, thread.title, text_of(body))
