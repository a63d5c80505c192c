"""What the discussion's page tests share: boards and threads made through the repository and
the service, and a look at a page's tags the way a browser's parser sees them."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

from fastapi import FastAPI

from forum.auth import Viewer
from forum.discussion import Discussion
from forum.ratelimit import Limit
from storage import Database, SqlUnitOfWork
from storage.repositories.accounts import AccountRecord
from storage.repositories.forum_records import BoardRecord, PostRecord, ThreadRecord


async def make_board(
    database: Database, slug: str, title: str = "", **options: object
) -> BoardRecord:
    async with SqlUnitOfWork(database) as work:
        board = await work.forum.create_board(slug, title or slug.title(), **options)  # type: ignore[arg-type]
        await work.commit()
    return board


def viewer(account: AccountRecord) -> Viewer:
    return Viewer(account.person_id, account.username, account.display_name, account.roles)


def service(app: FastAPI) -> Discussion:
    """The app's discussion service without rate limits, for setting a scene quickly."""
    return Discussion(app.state.database, app.state.clock)


async def start(
    app: FastAPI, account: AccountRecord, board: BoardRecord, title: str, body: str
) -> ThreadRecord:
    return await service(app).start_thread(viewer(account), board.id, title, body)


async def reply(app: FastAPI, account: AccountRecord, thread_id: int, body: str) -> PostRecord:
    return await service(app).reply(viewer(account), thread_id, body)


async def opening_post(app: FastAPI, thread_id: int) -> PostRecord:
    view = await service(app).thread_page(None, thread_id)
    return view.posts.items[0]


def limit(app: FastAPI, action: str, count: int) -> None:
    """Allow only `count` of `action` per hour in this app."""
    app.state.limiter.limits[action] = Limit(count, timedelta(hours=1))


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.found


def links(page: str, rel: str) -> list[str]:
    """The addresses of `<link>` and `<a>` elements with this rel."""
    return [
        attrs.get("href") or ""
        for tag, attrs in tags(page)
        if tag in ("a", "link") and rel in (attrs.get("rel") or "").split()
    ]


def head(page: str) -> str:
    found = re.search(r"<head>(.*)</head>", page, re.S)
    assert found is not None
    return found.group(1)
