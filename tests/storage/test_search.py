"""Full-text search on SQLite (FTS5) and PostgreSQL: ranking, prefixes, accents, what is
left out, queries that try to break it, and pages."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage import Database, SqlUnitOfWork
from storage.repositories.search import (
    MARK_END,
    MARK_START,
    MAX_WORDS,
    PG_VECTOR,
    SearchPage,
    fts5_query,
    search_words,
    strip_markers,
    tsquery,
)
from tests.storage.forum_rows import ForumRows

HOSTILE = [
    "",
    "   ",
    '"',
    '""',
    "'",
    "' OR 1=1 --",
    '"unbalanced',
    "(coop",
    "coop)",
    "((()))",
    "NEAR(coop housing)",
    "coop NEAR housing",
    "AND",
    "OR",
    "NOT",
    "coop AND OR NOT housing",
    "*",
    "coop*",
    "*coop",
    ":",
    "title:coop",
    "text : coop",
    "coop:*",
    "!coop & | <-> <2>",
    "^coop",
    "-coop",
    "+coop",
    "{title text}: coop",
    "\x00coop\x00",
    "\x01\x02\x03",
    "\\",
    "%_%",
    "coöp ☃ 💥 日本語 \u0301",
    "ＣＯＯＰ",
    "a" * 1000,
    "coop " * 200,
    " ".join(f"w{i}" for i in range(500)),
    "\ud800",
]


async def search(database: Database, query: str, page: int = 1, per_page: int = 20) -> SearchPage:
    async with SqlUnitOfWork(database) as work:
        return await work.search.search(query, page=page, per_page=per_page)


async def forum(database: Database) -> tuple[ForumRows, int, int]:
    rows = ForumRows(database)
    ana = await rows.person("Ana Ruiz")
    board = await rows.board("housing", "Housing")
    return rows, ana, board


def test_words_are_letters_and_digits_only() -> None:
    assert search_words('"Coop" (housing) NEAR/3 title:café* x_y 42') == (
        "coop",
        "housing",
        "near",
        "3",
        "title",
        "café",
        "x",
        "y",
        "42",
    )
    assert search_words("a a A") == ("a",)
    assert len(search_words(" ".join(f"w{i}" for i in range(100)))) == MAX_WORDS
    assert fts5_query(("coop", "café")) == '"coop"* "café"*'
    assert tsquery(("coop", "café")) == "'coop':* & 'café':*"
    assert strip_markers(f"a{MARK_START}b{MARK_END}c") == "abc"


async def test_a_title_match_ranks_above_a_match_in_the_text(database: Database) -> None:
    rows, ana, board = await forum(database)
    in_text, text_post = await rows.thread(
        board, "Meeting notes", "We talked about cooperative banks.", author_id=ana
    )
    in_title, title_post = await rows.thread(
        board, "Cooperative housing in Cork", "Who has tried this?", author_id=ana
    )
    await rows.thread(board, "Something else", "Nothing to see.")

    found = await search(database, "cooperative")

    assert found.total == 2
    assert [hit.post_id for hit in found.hits] == [title_post, text_post]
    first, second = found.hits
    assert first.thread_id == in_title and second.thread_id == in_text
    assert first.thread_title == "Cooperative housing in Cork"
    assert first.board_slug == "housing" and first.board_title == "Housing"
    assert first.author_name == "Ana Ruiz"
    assert first.created_at.tzinfo is not None
    assert f"{MARK_START}cooperative{MARK_END}" in second.snippet


async def test_words_match_as_prefixes_and_all_are_required(database: Database) -> None:
    rows, _, board = await forum(database)
    _, both = await rows.thread(board, "Cooperatives", "Social housing for members")
    _, one = await rows.thread(board, "Banks", "Cooperation between cities")

    assert {hit.post_id for hit in (await search(database, "COOP")).hits} == {both, one}
    assert [hit.post_id for hit in (await search(database, "coop hous")).hits] == [both]
    assert (await search(database, "coop missingword")).total == 0
    highlighted = (await search(database, "hous")).hits[0].snippet
    assert f"{MARK_START}housing{MARK_END}" in highlighted


async def test_accents(database: Database) -> None:
    """SQLite folds accents away; PostgreSQL's 'simple' configuration keeps them."""
    rows, _, board = await forum(database)
    _, post = await rows.thread(board, "Rencontre", "Un café solidaire à Lyon")

    assert [hit.post_id for hit in (await search(database, "café")).hits] == [post]
    assert [hit.post_id for hit in (await search(database, "solidaire à")).hits] == [post]
    unaccented = await search(database, "cafe")
    if database.dialect == "sqlite":
        assert [hit.post_id for hit in unaccented.hits] == [post]
    else:
        assert unaccented.total == 0


async def test_only_visible_posts_in_threads_everyone_sees(database: Database) -> None:
    rows, _, board = await forum(database)
    thread, visible = await rows.thread(board, "Open", "agenda for the partners")
    # Indexed by mistake or before moderation: the post's own status still decides.
    await rows.post(thread, "agenda draft, pending", status="pending", index=True)
    await rows.post(thread, "agenda removed", status="hidden", index=True)
    await rows.post(thread, "agenda deleted", status="deleted", index=True)
    await rows.thread(board, "Waiting", "agenda in a hidden thread", hidden=True)

    found = await search(database, "agenda")

    assert found.total == 1
    assert [hit.post_id for hit in found.hits] == [visible]


async def test_hostile_queries_give_a_page_not_an_error(database: Database) -> None:
    rows, _, board = await forum(database)
    await rows.thread(board, "Coop housing", "coop coop housing NEAR title text")

    for query in HOSTILE:
        found = await search(database, query)
        assert found.query == query
        assert found.total == len(found.hits) <= 1, query
        assert found.pages == 1


async def test_a_query_with_a_quote_finds_the_words_around_it(database: Database) -> None:
    rows, _, board = await forum(database)
    _, post = await rows.thread(board, "Coop housing", "Members' meeting (Cork)")

    for query in ['"members', "members' (cork", "cork)", "members* cork:", "+members -cork"]:
        assert [hit.post_id for hit in (await search(database, query)).hits] == [post], query


async def test_pages(database: Database) -> None:
    rows, _, board = await forum(database)
    thread, _ = await rows.thread(board, "Budget", "budget 0")
    for n in range(1, 25):
        await rows.post(thread, f"budget {n}")

    pages = [await search(database, "budget", page=n, per_page=10) for n in (1, 2, 3)]

    assert [page.total for page in pages] == [25, 25, 25]
    assert [page.pages for page in pages] == [3, 3, 3]
    assert [len(page.hits) for page in pages] == [10, 10, 5]
    seen = [hit.post_id for page in pages for hit in page.hits]
    assert len(set(seen)) == 25
    assert (pages[0].has_previous, pages[0].has_next) == (False, True)
    assert (pages[2].has_previous, pages[2].has_next) == (True, False)

    beyond = await search(database, "budget", page=99, per_page=10)
    assert beyond.total == 25 and beyond.hits == ()
    silly = await search(database, "budget", page=-5, per_page=10**9)
    assert silly.page == 1 and len(silly.hits) == 25
    huge = await search(database, "budget", page=10**18, per_page=10)
    assert huge.hits == ()


async def test_postgres_uses_the_full_text_index(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("the GIN index exists on PostgreSQL only")
    rows, _, board = await forum(database)
    await rows.thread(board, "Coop housing", "coop")
    async with database.sessions() as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = (
            await session.scalars(
                text(
                    "EXPLAIN SELECT sd.post_id FROM search_documents sd "
                    f"WHERE {PG_VECTOR} @@ to_tsquery('simple', :q)"
                ),
                {"q": "'coop':*"},
            )
        ).all()
    assert any("ix_search_documents_tsv" in line for line in plan), plan
