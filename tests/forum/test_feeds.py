"""Atom feeds of new threads, read back with an XML parser as a feed reader would."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx

from flows.clock import FixedClock
from forum import ForumConfig, create_app
from forum.atom import summary_of
from storage import Database
from tests.services import services_for
from tests.storage.forum_rows import ForumRows

SITE = "https://forum.example.org"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
HOSTILE_TITLE = 'Tea & <b>cake</b> "here" ]]> \x01\x0b\ufffe end'


def client(database: Database) -> httpx.AsyncClient:
    # The trailing slash is on purpose: URLs must come out with exactly one.
    config = ForumConfig(secret_key="test", public_url=SITE + "/")
    app = create_app(database, config, services_for(database, clock=FixedClock(NOW)))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def parse(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def timestamp(value: str | None) -> datetime:
    assert value is not None and RFC3339.match(value), value
    return datetime.fromisoformat(value)


def links(element: ET.Element) -> dict[str, str]:
    return {link.get("rel", ""): link.get("href", "") for link in element.findall(f"{A}link")}


def check_feed(feed: ET.Element) -> list[ET.Element]:
    """The rules every Atom feed keeps; gives its entries."""
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}id", "").startswith(SITE + "/")
    assert feed.findtext(f"{A}title")
    timestamp(feed.findtext(f"{A}updated"))
    feed_links = links(feed)
    assert feed_links["self"] == feed.findtext(f"{A}id")
    assert feed_links["alternate"].startswith(SITE + "/")
    entries = feed.findall(f"{A}entry")
    ids = [entry.findtext(f"{A}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{A}title") is not None
        assert timestamp(entry.findtext(f"{A}published")) <= timestamp(
            entry.findtext(f"{A}updated")
        )
        assert entry.findtext(f"{A}author/{A}name")
        assert re.fullmatch(rf"{SITE}/threads/\d+", links(entry)["alternate"])
        summary = entry.find(f"{A}summary")
        assert summary is not None and summary.get("type") == "text"
    return entries


async def test_latest_threads_across_boards(database: Database) -> None:
    rows = ForumRows(database)
    ana = await rows.person("Ana <Ruiz>")
    housing = await rows.board("housing", "Housing")
    cities = await rows.board("cities", "Cities")
    first, _ = await rows.thread(housing, "First", "The opening post.", author_id=ana)
    await rows.post(first, "A reply does not become the summary.")
    hostile, _ = await rows.thread(
        cities, HOSTILE_TITLE, "<script>alert(1)</script> & ]]> \x08 bye\n\n" + "word " * 200
    )
    await rows.thread(housing, "Hidden", "Waiting for a moderator", hidden=True)

    async with client(database) as http:
        feed = parse(await http.get("/feeds/latest.atom"))

    entries = check_feed(feed)
    assert feed.findtext(f"{A}id") == f"{SITE}/feeds/latest.atom"
    assert links(feed)["alternate"] == f"{SITE}/"
    assert [entry.findtext(f"{A}id") for entry in entries] == [
        f"{SITE}/threads/{hostile}",
        f"{SITE}/threads/{first}",
    ]
    newest, oldest = entries
    assert newest.findtext(f"{A}title") == 'Tea & <b>cake</b> "here" ]]>  end'
    summary = newest.findtext(f"{A}summary", "")
    assert summary.startswith("<script>alert(1)</script> & ]]> bye word word")
    assert summary.endswith("…") and len(summary) <= 301
    assert newest.findtext(f"{A}author/{A}name") == "A former member"
    assert oldest.findtext(f"{A}summary") == "The opening post."
    assert oldest.findtext(f"{A}author/{A}name") == "Ana <Ruiz>"
    assert timestamp(feed.findtext(f"{A}updated")) == timestamp(newest.findtext(f"{A}updated"))


async def test_the_feed_holds_the_thirty_newest(database: Database) -> None:
    rows = ForumRows(database)
    board = await rows.board("general")
    made = [(await rows.thread(board, f"Thread {n}", f"Post {n}"))[0] for n in range(32)]

    async with client(database) as http:
        entries = check_feed(parse(await http.get("/feeds/latest.atom")))

    assert [entry.findtext(f"{A}id") for entry in entries] == [
        f"{SITE}/threads/{thread}" for thread in reversed(made[2:])
    ]


async def test_a_boards_feed(database: Database) -> None:
    rows = ForumRows(database)
    housing = await rows.board("housing", "Housing & homes")
    cities = await rows.board("cities", "Cities")
    ours, _ = await rows.thread(housing, "Ours", "here")
    await rows.thread(cities, "Theirs", "there")

    async with client(database) as http:
        feed = parse(await http.get("/boards/housing/feed.atom"))
        other = parse(await http.get("/boards/cities/feed.atom"))
        missing = await http.get("/boards/nowhere/feed.atom")

    entries = check_feed(feed)
    assert feed.findtext(f"{A}id") == f"{SITE}/boards/housing/feed.atom"
    assert feed.findtext(f"{A}title") == "deseo: Housing & homes"
    assert links(feed)["alternate"] == f"{SITE}/boards/housing"
    assert [entry.findtext(f"{A}id") for entry in entries] == [f"{SITE}/threads/{ours}"]
    assert [entry.findtext(f"{A}title") for entry in check_feed(other)] == ["Theirs"]
    assert missing.status_code == 404


async def test_an_empty_forum_has_a_valid_feed(database: Database) -> None:
    async with client(database) as http:
        feed = parse(await http.get("/feeds/latest.atom"))
    assert check_feed(feed) == []
    assert timestamp(feed.findtext(f"{A}updated")) == NOW


def test_summaries_are_cut_at_a_word() -> None:
    assert summary_of("  short\n\ttext ") == "short text"
    long = summary_of("lorem ipsum, " * 50)
    assert long.endswith("ipsum…") and len(long) <= 301
    assert summary_of("x" * 1000) == "x" * 300 + "…"
    assert summary_of("a\x00b\x1fc") == "abc"
