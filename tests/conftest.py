"""Shared fixtures: a migrated store on SQLite and on PostgreSQL for every test that asks.

PostgreSQL tests run against the server on 127.0.0.1:5432 in a database made for this test run
and dropped after it. Where that server cannot be reached they are skipped, except under
`CI=true`, where an unreachable server fails the run instead of quietly testing less.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

import storage.models  # noqa: F401  (registers the tables)
from storage import Database
from storage.base import Base
from storage.migrate import upgrade

PG_SERVER = os.environ.get("DESEO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_SERVER, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_reachable() -> str | None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _async_url(database: str) -> str:
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


class PostgresDatabases:
    """Makes throwaway databases on the test server and drops them all at the end."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def create(self) -> str:
        name = f"deseo_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return _async_url(name)

    def drop_all(self) -> None:
        for name in self.made:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    problem = _pg_reachable()
    if problem is not None:
        message = f"PostgreSQL at {PG_SERVER} is unreachable ({problem})"
        if IN_CI:
            pytest.fail(message + "; CI=true, so this fails instead of skipping", pytrace=False)
        pytest.skip(message)
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "deseo.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres: PostgresDatabases) -> str:
    url = postgres.create()
    upgrade(url)
    return url


def _truncate_all(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
        try:
            await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty store: a fresh SQLite file, or the run's PostgreSQL database emptied."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "deseo.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_migrated")
    yield url
    _truncate_all(url)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store with no tables at all, for migration tests."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    return databases.create()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    yield db
    await db.dispose()
