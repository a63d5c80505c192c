"""The discussion repository on SQLite and PostgreSQL: boards in order, threads and posts page by
page, visible counts, posts waiting for approval, edit history, flags, and the search documents
kept in step with what everyone may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from flows.people.model import Platform
from storage import Database, SqlUnitOfWork
from storage.models import SearchDocument
from storage.repositories.boards import BoardExists, BoardNotEmpty
from storage.repositories.forum_records import Scope, ThreadRecord

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
EVERYONE = Scope()


def words(body: str) -> str:
    # The repository stores what it is handed; the forum hands plain text made from Markdown.
    return body.replace("*", "")


async def person(database: Database, name: str) -> int:
    async with SqlUnitOfWork(database) as work:
        found = await work.people.identify(Platform.WEB, name, display_name=name.title())
        await work.commit()
    return found.id


async def board(database: Database, slug: str, **options: object) -> int:
    async with SqlUnitOfWork(database) as work:
        made = await work.forum.create_board(slug, slug.title(), **options)  # type: ignore[arg-type]
        await work.commit()
    return made.id


async def thread(
    database: Database,
    board_id: int,
    author: int,
    title: str,
    body: str,
    *,
    at: datetime = START,
    pending: bool = False,
) -> tuple[ThreadRecord, int]:
    async with SqlUnitOfWork(database) as work:
        made, post = await work.forum.create_thread(
            board_id,
            author,
            title,
            body=body,
            html=f"<p>{body}</p>",
            text=words(body),
            pending=pending,
            now=at,
        )
        await work.commit()
    return made, post.id


async def reply(
    database: Database,
    thread_id: int,
    author: int,
    body: str,
    *,
    at: datetime = START,
    pending: bool = False,
    reply_to: int | None = None,
) -> int:
    async with SqlUnitOfWork(database) as work:
        post = await work.forum.reply(
            thread_id,
            author,
            body=body,
            html=f"<p>{body}</p>",
            text=words(body),
            pending=pending,
            now=at,
            reply_to_id=reply_to,
        )
        await work.commit()
    return post.id


async def documents(database: Database) -> dict[int, tuple[str, str]]:
    """The search documents: post id -> (title, text)."""
    async with database.sessions() as session:
        rows = await session.execute(select(SearchDocument))
        return {doc.post_id: (doc.title, doc.text) for (doc,) in rows}


async def set_status(database: Database, post_id: int, status: str, by: int) -> None:
    async with SqlUnitOfWork(database) as work:
        await work.forum.set_status(post_id, status, by=by, note="test", text_of=words)
        await work.commit()


async def test_boards_are_listed_in_order_and_slugs_are_unique(database: Database) -> None:
    async with SqlUnitOfWork(database) as work:
        general = await work.forum.create_board("general", "General", description="Anything")
        news = await work.forum.create_board("news", "News", position=-1, thread_role="coordinator")
        later = await work.forum.create_board("later", "Later")
        with pytest.raises(BoardExists):
            await work.forum.create_board("news", "Again")
        await work.commit()
    assert (general.position, later.position) == (0, 1)
    async with SqlUnitOfWork(database) as work:
        assert [b.slug for b in await work.forum.boards()] == ["news", "general", "later"]
        await work.forum.reorder_boards([later.id, general.id])
        changed = await work.forum.update_board(
            news.id, title="Announcements", approve_first_posts=True
        )
        with pytest.raises(BoardExists):
            await work.forum.update_board(later.id, slug="general")
        await work.commit()
        assert await work.forum.update_board(9999, title="x") is None
    assert changed is not None and changed.title == "Announcements" and changed.approve_first_posts
    async with SqlUnitOfWork(database) as work:
        assert [b.slug for b in await work.forum.boards()] == ["later", "general", "news"]
        found = await work.forum.board_by_slug("news")
        assert found is not None and found.thread_role == "coordinator"


async def test_only_an_empty_board_is_deleted(database: Database) -> None:
    author = await person(database, "ana")
    busy = await board(database, "busy")
    empty = await board(database, "empty")
    await thread(database, busy, author, "Hello", "first")
    async with SqlUnitOfWork(database) as work:
        with pytest.raises(BoardNotEmpty):
            await work.forum.delete_board(busy)
        assert await work.forum.delete_board(empty)
        assert not await work.forum.delete_board(empty)
        await work.commit()
    async with SqlUnitOfWork(database) as work:
        assert [b.slug for b in await work.forum.boards()] == ["busy"]
        assert not await work.forum.is_empty()


async def test_threads_page_pinned_first_then_latest_activity(database: Database) -> None:
    author = await person(database, "ana")
    board_id = await board(database, "general")
    made = []
    for n in range(5):
        made.append(
            (await thread(database, board_id, author, f"T{n}", "x", at=START + timedelta(n)))[0]
        )
    # A reply moves T0 to the top; pinning T1 puts it above everything.
    await reply(database, made[0].id, author, "bump", at=START + timedelta(days=10))
    async with SqlUnitOfWork(database) as work:
        await work.forum.set_pinned(made[1].id, True)
        await work.commit()
    async with SqlUnitOfWork(database) as work:
        first = await work.forum.threads(board_id, EVERYONE, page=1, size=2)
        second = await work.forum.threads(board_id, EVERYONE, page=2, size=2)
        third = await work.forum.threads(board_id, EVERYONE, page=3, size=2)
    assert [t.title for t in first.items] == ["T1", "T0"]
    assert [t.title for t in second.items] == ["T4", "T3"]
    assert [t.title for t in third.items] == ["T2"]
    assert (first.total, first.pages, first.has_previous, first.has_next) == (5, 3, False, True)
    assert third.has_previous and not third.has_next
    assert first.items[0].pinned and first.items[1].post_count == 2


async def test_posts_page_oldest_first_and_replies_know_what_they_quote(
    database: Database,
) -> None:
    ana, ben = await person(database, "ana"), await person(database, "ben")
    board_id = await board(database, "general")
    made, first = await thread(database, board_id, ana, "Hello", "opening")
    ids = [first]
    for n in range(4):
        ids.append(await reply(database, made.id, ben, f"reply {n}", reply_to=first))
    async with SqlUnitOfWork(database) as work:
        page_one = await work.forum.posts(made.id, EVERYONE, page=1, size=3)
        page_two = await work.forum.posts(made.id, EVERYONE, page=2, size=3)
        where = await work.forum.position(ids[4], EVERYONE)
        found = await work.forum.thread(made.id)
    assert [p.id for p in page_one.items] == ids[:3]
    assert [p.id for p in page_two.items] == ids[3:]
    assert page_two.items[0].reply_to_id == first and page_two.items[0].reply_to_author == "Ana"
    assert page_one.items[0].author_name == "Ana"
    assert where == 4
    assert found is not None and found.post_count == 5


async def test_a_pending_first_post_hides_its_thread_until_approved(database: Database) -> None:
    newcomer, moderator = await person(database, "new"), await person(database, "mod")
    board_id = await board(database, "general", approve_first_posts=True)
    async with SqlUnitOfWork(database) as work:
        assert not await work.forum.has_visible_post(newcomer)
    made, post_id = await thread(database, board_id, newcomer, "Hi all", "my first", pending=True)
    assert made.hidden and made.post_count == 0
    as_author = Scope(person_id=newcomer)
    async with SqlUnitOfWork(database) as work:
        assert (await work.forum.threads(board_id, EVERYONE)).total == 0
        assert (await work.forum.threads(board_id, as_author)).total == 1
        assert (await work.forum.threads(board_id, Scope(everything=True))).total == 1
        assert (await work.forum.posts(made.id, EVERYONE)).total == 0
        assert (await work.forum.posts(made.id, as_author)).total == 1
        queue = await work.forum.pending_posts()
        counts = await work.forum.counts()
    assert [(q.post.id, q.first_in_thread) for q in queue] == [(post_id, True)]
    assert counts.pending_posts == 1 and counts.threads == 0
    assert await documents(database) == {}

    await set_status(database, post_id, "visible", moderator)
    async with SqlUnitOfWork(database) as work:
        shown = await work.forum.thread(made.id)
        assert await work.forum.has_visible_post(newcomer)
        assert await work.forum.pending_posts() == []
        approved = await work.forum.post(post_id)
    assert shown is not None and not shown.hidden and shown.post_count == 1
    assert approved is not None and approved.moderated_by == moderator
    assert await documents(database) == {post_id: ("Hi all", "my first")}


async def test_pending_reply_counts_only_once_approved(database: Database) -> None:
    ana, new, mod = [await person(database, n) for n in ("ana", "new", "mod")]
    board_id = await board(database, "general")
    made, _ = await thread(database, board_id, ana, "Hello", "opening")
    later = START + timedelta(hours=3)
    pending = await reply(database, made.id, new, "waiting", pending=True, at=later)
    async with SqlUnitOfWork(database) as work:
        found = await work.forum.thread(made.id)
    assert found is not None and found.post_count == 1 and found.last_post_at == START
    await set_status(database, pending, "visible", mod)
    async with SqlUnitOfWork(database) as work:
        found = await work.forum.thread(made.id)
    assert found is not None and found.post_count == 2 and found.last_post_at == later


async def test_edits_keep_revisions_and_update_search(database: Database) -> None:
    ana, mod = await person(database, "ana"), await person(database, "mod")
    board_id = await board(database, "general")
    made, post_id = await thread(database, board_id, ana, "Hello", "version one")
    for n, editor in ((2, ana), (3, mod)):
        async with SqlUnitOfWork(database) as work:
            edited = await work.forum.edit(
                post_id,
                editor,
                body=f"version {n}",
                html=f"<p>version {n}</p>",
                text=f"version {n}",
                now=START + timedelta(hours=n),
            )
            await work.commit()
        assert edited is not None and edited.edited_at == START + timedelta(hours=n)
    async with SqlUnitOfWork(database) as work:
        history = await work.forum.revisions(post_id)
        assert await work.forum.edit(9999, ana, body="", html="", text="", now=START) is None
    assert [(r.body, r.editor_name) for r in history] == [
        ("version 2", "Mod"),
        ("version one", "Ana"),
    ]
    assert await documents(database) == {post_id: ("Hello", "version 3")}

    async with SqlUnitOfWork(database) as work:
        await work.forum.retitle(made.id, "Hello again")
        await work.commit()
    assert await documents(database) == {post_id: ("Hello again", "version 3")}


async def test_hiding_deleting_and_restoring_keep_counts_and_search_in_step(
    database: Database,
) -> None:
    ana, ben, mod = [await person(database, n) for n in ("ana", "ben", "mod")]
    board_id = await board(database, "general")
    made, first = await thread(database, board_id, ana, "Hello", "opening")
    second = await reply(database, made.id, ben, "second")
    third = await reply(database, made.id, ben, "third")
    assert set(await documents(database)) == {first, second, third}

    await set_status(database, second, "hidden", mod)
    await set_status(database, third, "deleted", mod)
    async with SqlUnitOfWork(database) as work:
        found = await work.forum.thread(made.id)
        assert [p.id for p in (await work.forum.posts(made.id, EVERYONE)).items] == [first]
        everything = await work.forum.posts(made.id, Scope(everything=True))
    assert found is not None and found.post_count == 1
    assert [p.status for p in everything.items] == ["visible", "hidden", "deleted"]
    assert everything.items[1].moderator_name == "Mod"
    assert set(await documents(database)) == {first}

    # The opening post hidden hides the thread, and its replies leave search with it.
    await set_status(database, second, "visible", mod)
    await set_status(database, first, "hidden", mod)
    async with SqlUnitOfWork(database) as work:
        found = await work.forum.thread(made.id)
        listed = await work.forum.threads(board_id, EVERYONE)
        summary = (await work.forum.board_summaries())[0]
    assert found is not None and found.hidden and found.post_count == 1
    assert listed.total == 0 and summary.threads == 0
    assert await documents(database) == {}

    await set_status(database, first, "visible", mod)
    assert await documents(database) == {first: ("Hello", "opening"), second: ("Hello", "second")}


async def test_search_documents_reach_the_full_text_index(database: Database) -> None:
    ana = await person(database, "ana")
    board_id = await board(database, "general")
    await thread(database, board_id, ana, "Cooperative housing", "a *community* land trust")
    async with database.sessions() as session:
        if database.dialect == "sqlite":
            found = await session.scalar(
                text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'community'")
            )
        else:
            found = await session.scalar(
                text(
                    "SELECT count(*) FROM search_documents "
                    "WHERE to_tsvector('simple', text) @@ to_tsquery('simple', 'community')"
                )
            )
    assert found == 1


async def test_moving_locking_and_summaries(database: Database) -> None:
    ana = await person(database, "ana")
    general, news = await board(database, "general"), await board(database, "news")
    made, _ = await thread(database, general, ana, "Hello", "opening")
    await thread(database, general, ana, "Newer", "x", at=START + timedelta(hours=1))
    async with SqlUnitOfWork(database) as work:
        await work.forum.move(made.id, news)
        await work.forum.set_locked(made.id, True)
        await work.commit()
    async with SqlUnitOfWork(database) as work:
        moved = await work.forum.thread(made.id)
        summaries = {s.board.slug: s for s in await work.forum.board_summaries()}
    assert moved is not None and moved.board_slug == "news" and moved.locked
    assert (summaries["general"].threads, summaries["general"].last_thread_title) == (1, "Newer")
    assert summaries["news"].posts == 1 and summaries["news"].last_post_at == START


async def test_flags_once_per_member_then_resolved(database: Database) -> None:
    ana, ben, cy, mod = [await person(database, n) for n in ("ana", "ben", "cy", "mod")]
    board_id = await board(database, "general")
    _, post_id = await thread(database, board_id, ana, "Hello", "spam spam")
    async with SqlUnitOfWork(database) as work:
        assert await work.forum.flag(post_id, ben, "spam", now=START)
        assert not await work.forum.flag(post_id, ben, "spam again", now=START)
        assert await work.forum.flag(post_id, cy, "rude", now=START + timedelta(minutes=1))
        await work.commit()
    async with SqlUnitOfWork(database) as work:
        queue = await work.forum.open_flags()
        counts = await work.forum.counts()
    assert [(q.post.id, [f.reason for f in q.flags]) for q in queue] == [
        (post_id, ["spam", "rude"])
    ]
    assert queue[0].thread.title == "Hello" and queue[0].flags[0].flagger_name == "Ben"
    assert counts.open_flags == 1
    async with SqlUnitOfWork(database) as work:
        closed = await work.forum.resolve_flags(post_id, by=mod, outcome="dismissed", now=START)
        await work.commit()
    async with SqlUnitOfWork(database) as work:
        assert await work.forum.open_flags() == []
        kept = await work.forum.flags(post_id)
    assert closed == 2
    assert {(f.outcome, f.resolved_by) for f in kept} == {("dismissed", mod)}
