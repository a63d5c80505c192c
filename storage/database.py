"""The store: an async engine and session factory made from a database URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 10


class StoreUnavailable(Exception):
    """The database cannot be reached or used; the message says why in one line."""


def explain_failure(exc: BaseException) -> str:
    """A one-line reason for a failure to reach the database, from whatever the driver raised."""
    cause: BaseException = getattr(exc, "orig", None) or exc
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, TimeoutError):
        return "no answer (timed out)"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return text.removeprefix("(sqlite3.OperationalError) ")


class DatabaseURLError(ValueError):
    """The database URL cannot be used; the message says why in one line."""


def normalise_url(url: str) -> URL:
    """Parse a database URL and give it the async driver deseo uses.

    `sqlite:///x.db` becomes `sqlite+aiosqlite:///x.db` and `postgres://` or `postgresql://`
    become `postgresql+asyncpg://`, so people can paste the URL their host gives them.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseURLError(
        f"unsupported database {backend!r} in {display_url(parsed)}: use sqlite or postgresql"
    )


def display_url(url: URL | str) -> str:
    """The URL with any password hidden, for messages and logs."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one writer writes; the busy timeout makes a second writer
    # wait instead of failing at once; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for the URL; SQLite files get their folder made and WAL switched on."""
    parsed = normalise_url(str(url) if isinstance(url, URL) else url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # Fail in seconds, not asyncpg's default minute, when the server cannot be reached.
    kwargs.setdefault("connect_args", {}).setdefault("timeout", CONNECT_TIMEOUT_S)
    return create_async_engine(parsed, **kwargs)


class Database:
    """One store: its engine and the factory of sessions bound to it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine, expire_on_commit=False
        )

    @classmethod
    def from_url(cls, url: str | URL, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    async def ping(self) -> None:
        """Run a trivial query; raises `StoreUnavailable` when the database cannot be used."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (OSError, SQLAlchemyError) as exc:
            raise StoreUnavailable(
                f"cannot reach the database {display_url(self.url)}: {explain_failure(exc)}"
            ) from exc

    async def revision(self) -> str | None:
        """The migration revision the database is at, or None before the first migration."""
        async with self.engine.connect() as conn:
            has_table = await conn.run_sync(
                lambda sync: sync.dialect.has_table(sync, "alembic_version")
            )
            if not has_table:
                return None
            row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
            return None if row is None else str(row[0])

    async def dispose(self) -> None:
        await self.engine.dispose()
