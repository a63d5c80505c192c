"""The engine, the URL rules and the UTC column type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from storage import Database, DatabaseURLError, StoreUnavailable, normalise_url
from storage.models import Person


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+psycopg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_urls_get_the_async_driver(given: str, driver: str) -> None:
    assert normalise_url(given).drivername == driver


@pytest.mark.parametrize("given", ["mysql://u@h/db", "not a url"])
def test_unusable_urls_are_refused(given: str) -> None:
    with pytest.raises(DatabaseURLError):
        normalise_url(given)


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/w.db")
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await db.dispose()


async def test_unreachable_store_says_why_in_one_line() -> None:
    db = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/x")
    try:
        with pytest.raises(StoreUnavailable) as caught:
            await db.ping()
    finally:
        await db.dispose()
    message = str(caught.value)
    assert "\n" not in message
    assert "127.0.0.1:1" in message and "refused" in message


async def test_times_come_back_aware_and_in_utc(database: Database) -> None:
    dublin_summer = timezone(timedelta(hours=1))
    written = datetime(2026, 7, 1, 10, 30, tzinfo=dublin_summer)
    async with database.sessions() as session:
        session.add(Person(display_name="Aoife", created_at=written))
        await session.commit()
    async with database.sessions() as session:
        read = (await session.scalars(select(Person.created_at))).one()
    assert read.tzinfo is not None and read.utcoffset() == timedelta(0)
    assert read == written
    assert read == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


async def test_naive_times_are_refused(database: Database) -> None:
    async with database.sessions() as session:
        session.add(Person(display_name="Naive", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            await session.commit()


async def test_revision_is_read_from_the_store(database: Database) -> None:
    from storage.migrate import head

    assert await database.revision() == head()
