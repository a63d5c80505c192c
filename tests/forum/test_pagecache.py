"""The anonymous readers' page cache: what it keeps, for how long, and what empties it."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from forum.pagecache import PageCache
from storage import Database
from tests.forum.helpers import client, create_account, log_in, make_app


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting_app() -> tuple[Starlette, list[str]]:
    calls: list[str] = []

    async def page(request: Request) -> Response:
        calls.append(request.url.path)
        response = PlainTextResponse(f"page {len(calls)}")
        if request.query_params.get("cookie"):
            response.set_cookie("x", "1")
        if request.query_params.get("missing"):
            response.status_code = 404
        return response

    async def change(request: Request) -> Response:
        calls.append("POST")
        return PlainTextResponse("done")

    routes = [
        Route("/threads/{n}", page),
        Route("/chat", page),
        Route("/threads/{n}", change, methods=["POST"]),
    ]
    return Starlette(routes=routes), calls


def cached(app: Starlette, clock: Clock) -> httpx.AsyncClient:
    wrapped = PageCache(app, seconds=2, session_cookie="deseo_session", clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://t")


async def test_an_anonymous_page_is_reused_for_a_few_seconds() -> None:
    app, calls = counting_app()
    clock = Clock()
    async with cached(app, clock) as http:
        first = await http.get("/threads/1")
        again = await http.get("/threads/1")
        other_page = await http.get("/threads/1?page=2")
        clock.now += 2.5
        later = await http.get("/threads/1")
    assert first.text == again.text == "page 1"
    assert other_page.text == "page 2"
    assert later.text == "page 3"
    assert len(calls) == 3


async def test_signed_in_readers_and_other_pages_are_never_cached() -> None:
    app, calls = counting_app()
    async with cached(app, Clock()) as http:
        for _ in range(2):
            await http.get("/threads/1", headers={"Cookie": "deseo_session=abc"})
            await http.get("/threads/1", headers={"Authorization": "Bearer t"})
            await http.get("/chat")
            await http.get("/threads/2?cookie=1")
            await http.get("/threads/3?missing=1")
    assert len(calls) == 10


async def test_any_change_through_the_app_empties_the_cache() -> None:
    app, calls = counting_app()
    async with cached(app, Clock()) as http:
        await http.get("/threads/1")
        await http.post("/threads/1")
        after = await http.get("/threads/1")
    assert after.text == "page 3"
    assert calls == ["/threads/1", "POST", "/threads/1"]


async def test_a_reply_shows_at_once_to_anonymous_readers(database: Database) -> None:
    from storage.models import Board

    async with database.sessions() as session:
        session.add(Board(slug="general", title="General", description=""))
        await session.commit()
    await create_account(database, "ana")
    app = make_app(database, page_cache_seconds=60)
    async with client(app) as member, client(app) as reader:
        await log_in(member, "ana")
        token = (await member.get("/boards/general/new")).text
        from tests.forum.helpers import csrf_of

        made = await member.post(
            "/boards/general/new",
            data={"csrf_token": csrf_of(token), "title": "Cork", "body": "First words"},
        )
        thread = made.headers["location"].split("#")[0]
        before = await reader.get(thread)
        assert "First words" in before.text and "set-cookie" not in before.headers
        page = await member.get(thread)
        await member.post(
            f"{thread}/reply", data={"csrf_token": csrf_of(page.text), "body": "A reply"}
        )
        after = await reader.get(thread)
    assert "A reply" in after.text
