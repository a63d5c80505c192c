"""The web skeleton: the front page and `/healthz`, through an in-process ASGI client."""

from __future__ import annotations

from pathlib import Path

import httpx

from forum import ForumConfig, create_app
from storage import Database
from storage.migrate import head
from tests.services import services_for


def client(database: Database) -> httpx.AsyncClient:
    app = create_app(database, ForumConfig(secret_key="test"), services_for(database))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_healthz_is_ok_at_head(database: Database) -> None:
    async with client(database) as http:
        response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "revision": head(), "head": head()}


async def test_healthz_says_when_migrations_are_pending(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path}/new.db")
    try:
        async with client(database) as http:
            response = await http.get("/healthz")
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "migrations pending"


async def test_healthz_when_the_database_is_down() -> None:
    database = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/x")
    try:
        async with client(database) as http:
            response = await http.get("/healthz")
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


async def test_front_page_says_what_this_is(database: Database) -> None:
    async with client(database) as http:
        response = await http.get("/")
    assert response.status_code == 200
    assert "<h1>deseo</h1>" in response.text
    assert 'lang="en"' in response.text


async def test_a_groups_meetings_as_icalendar(database: Database) -> None:
    from datetime import datetime

    from flows.clock import SystemClock
    from flows.meetings.service import MeetingService
    from storage import unit_of_work_factory

    service = MeetingService(unit_of_work_factory(database), SystemClock())
    await service.create_group("Cork partners", slug="cork", timezone="Europe/Dublin")
    await service.create_meeting("cork", "Partners", datetime(2030, 1, 3, 10, 0))
    async with client(database) as http:
        found = await http.get("/groups/cork/meetings.ics")
        missing = await http.get("/groups/nowhere/meetings.ics")
    assert found.status_code == 200
    assert found.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Partners" in found.text and "BEGIN:VTIMEZONE" in found.text
    assert missing.status_code == 404
