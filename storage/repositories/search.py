"""Full-text search over the forum's visible posts: SQLite FTS5 or PostgreSQL, one interface;
and the search documents it reads, kept in step with what everyone may see.

The query is never handed to the database's query language as typed: it is cut into words of
letters and digits, and each becomes a quoted prefix term, all of them required. Quotes,
brackets, operators (AND, OR, NEAR, `*`, `:`) and stray bytes therefore match as plain words
or not at all, and can neither fail the query nor change its meaning.

Accents: SQLite's tokenizer removes diacritics, so `cafe` finds `café` and the other way round;
PostgreSQL's index uses the 'simple' configuration, which keeps them, so there `cafe` finds
only `cafe` (and, as a prefix, `cafeteria`), and `café` only `café`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import RowMapping, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import UTCDateTime, insert_for
from storage.models import Post, SearchDocument, Thread
from storage.repositories.forum_records import VISIBLE

# Snippets mark matches with these control characters. Indexed text should pass through
# `strip_markers` so that markers come only from the search engine; pages turn them into tags
# in balanced pairs all the same, so a stray one in a post can do no harm.
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"

MAX_WORDS = 12
MAX_WORD_LENGTH = 60
MAX_PAGE = 10_000
MAX_PER_PAGE = 100

_WORD = re.compile(r"[^\W_]+")
_MARKERS = re.compile(f"[{MARK_START}{MARK_END}]")

# The GIN index of migration 0007 is on exactly this expression; any other spelling of it
# (a bound 'simple', another weight) would make PostgreSQL scan every document.
PG_VECTOR = (
    "(setweight(to_tsvector('simple', sd.title), 'A') || "
    "setweight(to_tsvector('simple', sd.text), 'B'))"
)
_PG_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, ShortWord=2, "
    f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)
# Title matches count ten times a match in the text, as weight A does against B on PostgreSQL.
_SQLITE_RANK = "bm25(search_fts, 10.0, 1.0)"
_SNIPPET_TOKENS = 32

_VISIBLE = "p.status = 'visible' AND NOT t.hidden"
_COLUMNS = (
    "p.id AS post_id, t.id AS thread_id, t.title AS thread_title, b.slug AS board_slug, "
    "b.title AS board_title, pe.display_name AS author_name, p.created_at AS created_at"
)
_MORE_JOINS = "JOIN boards b ON b.id = t.board_id LEFT JOIN people pe ON pe.id = p.author_id"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One post that matched; `snippet` is plain text with matches between the markers."""

    post_id: int
    thread_id: int
    thread_title: str
    snippet: str
    board_slug: str
    board_title: str
    author_name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits, best first, and how many there are in all."""

    query: str
    words: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the hits fill; at least one, so a page can say "page 1 of 1"."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_words(query: str) -> tuple[str, ...]:
    """The distinct words of `query` that a search looks for, lower-cased, in order."""
    words: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", query)):
        word = word.lower()[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
        if len(words) == MAX_WORDS:
            break
    return tuple(words)


def strip_markers(value: str) -> str:
    """`value` without the characters snippets use to mark matches."""
    return _MARKERS.sub("", value)


def fts5_query(words: tuple[str, ...]) -> str:
    """An FTS5 query requiring every word as a prefix; words hold no quote to escape."""
    return " ".join(f'"{word}"*' for word in words)


def tsquery(words: tuple[str, ...]) -> str:
    """A `to_tsquery` text requiring every word as a prefix; words hold no quote to escape."""
    return " & ".join(f"'{word}':*" for word in words)


class SqlSearchRepository:
    """Searches the `search_documents` of visible posts in threads that are not hidden."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def search(self, query: str, *, page: int = 1, per_page: int = 20) -> SearchPage:
        """Page `page` of the posts holding every word of `query`, best match first.

        A query without words, or any words the store cannot use, gives an empty page.
        """
        page = min(max(page, 1), MAX_PAGE)
        per_page = min(max(per_page, 1), MAX_PER_PAGE)
        words = search_words(query)
        if not words:
            return SearchPage(query, words, (), 0, page, per_page)
        if self._dialect == "postgresql":
            total, hits = await self._postgres(words, page, per_page)
        else:
            total, hits = await self._sqlite(words, page, per_page)
        return SearchPage(query, words, hits, total, page, per_page)

    async def _sqlite(
        self, words: tuple[str, ...], page: int, per_page: int
    ) -> tuple[int, tuple[SearchHit, ...]]:
        match = fts5_query(words)
        matching = (
            "FROM search_fts JOIN posts p ON p.id = search_fts.rowid "
            "JOIN threads t ON t.id = p.thread_id "
        )
        where = f"WHERE search_fts MATCH :match AND {_VISIBLE} "
        total = await self._session.scalar(
            text(f"SELECT count(*) {matching} {where}"), {"match": match}
        )
        if not total:
            return 0, ()
        statement = text(
            f"SELECT {_COLUMNS}, "
            "snippet(search_fts, 1, :start, :stop, :ellipsis, :tokens) AS snippet "
            f"{matching} {_MORE_JOINS} {where}"
            f"ORDER BY {_SQLITE_RANK}, p.created_at DESC, p.id DESC "
            "LIMIT :limit OFFSET :offset"
        ).columns(created_at=UTCDateTime())
        rows = await self._session.execute(
            statement,
            {
                "match": match,
                "start": MARK_START,
                "stop": MARK_END,
                "ellipsis": ELLIPSIS,
                "tokens": _SNIPPET_TOKENS,
                "limit": per_page,
                "offset": (page - 1) * per_page,
            },
        )
        return int(total), tuple(_hit(row) for row in rows.mappings())

    async def _postgres(
        self, words: tuple[str, ...], page: int, per_page: int
    ) -> tuple[int, tuple[SearchHit, ...]]:
        query = "to_tsquery('simple', :match)"
        matching = (
            "FROM search_documents sd JOIN posts p ON p.id = sd.post_id "
            "JOIN threads t ON t.id = p.thread_id "
            f"WHERE {PG_VECTOR} @@ {query} AND {_VISIBLE}"
        )
        match = tsquery(words)
        total = await self._session.scalar(text(f"SELECT count(*) {matching}"), {"match": match})
        if not total:
            return 0, ()
        # Headlines are dear, so they are made only for the page's rows, after the ranking.
        statement = text(
            f"SELECT {_COLUMNS}, ts_headline('simple', sd.text, {query}, :headline) AS snippet "
            f"FROM (SELECT sd.post_id, ts_rank_cd({PG_VECTOR}, {query}) AS rank {matching} "
            "ORDER BY rank DESC, p.created_at DESC, p.id DESC "
            "LIMIT :limit OFFSET :offset) ranked "
            "JOIN search_documents sd ON sd.post_id = ranked.post_id "
            "JOIN posts p ON p.id = sd.post_id JOIN threads t ON t.id = p.thread_id "
            f"{_MORE_JOINS} "
            "ORDER BY ranked.rank DESC, p.created_at DESC, p.id DESC"
        ).columns(created_at=UTCDateTime())
        rows = await self._session.execute(
            statement,
            {
                "match": match,
                "headline": _PG_HEADLINE,
                "limit": per_page,
                "offset": (page - 1) * per_page,
            },
        )
        return int(total), tuple(_hit(row) for row in rows.mappings())


def _hit(row: RowMapping) -> SearchHit:
    return SearchHit(
        post_id=int(row["post_id"]),
        thread_id=int(row["thread_id"]),
        thread_title=str(row["thread_title"]),
        snippet=str(row["snippet"] or ""),
        board_slug=str(row["board_slug"]),
        board_title=str(row["board_title"]),
        author_name=row["author_name"],
        created_at=row["created_at"],
    )


class SearchDocuments:
    """The `search_documents` rows: one per post everyone may see, with its thread's title and
    the plain text the caller made of its Markdown."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def write(self, post_id: int, thread_id: int, title: str, text: str) -> None:
        """Add the post's document, or replace the one it had."""
        statement = insert_for(self._dialect, SearchDocument).values(
            post_id=post_id, thread_id=thread_id, title=title, text=text
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[SearchDocument.post_id],
                set_={"thread_id": thread_id, "title": title, "text": text},
            )
        )

    async def sync(self, post_id: int, text: str) -> None:
        """Write the post's search document with `text` if everyone may see the post, else
        drop it."""
        found = await self._searchable(post_id)
        if found is None:
            await self._session.execute(
                delete(SearchDocument).where(SearchDocument.post_id == post_id)
            )
        else:
            thread_id, title = found
            await self.write(post_id, thread_id, title, text)

    async def drop_thread(self, thread_id: int) -> None:
        """Drop the documents of every post in the thread."""
        await self._session.execute(
            delete(SearchDocument).where(SearchDocument.thread_id == thread_id)
        )

    async def retitle(self, thread_id: int, title: str) -> None:
        """Give the documents of the thread's posts its new title."""
        await self._session.execute(
            update(SearchDocument).where(SearchDocument.thread_id == thread_id).values(title=title)
        )

    async def _searchable(self, post_id: int) -> tuple[int, str] | None:
        row = (
            await self._session.execute(
                select(Thread.id, Thread.title)
                .join(Post, Post.thread_id == Thread.id)
                .where(Post.id == post_id, Post.status == VISIBLE, Thread.hidden.is_(False))
            )
        ).first()
        return None if row is None else (row[0], row[1])
