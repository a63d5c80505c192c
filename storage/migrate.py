"""Schema migrations: Alembic driven from code, so no alembic.ini has to sit beside the user.

Every function takes the database URL and runs Alembic's own commands against the scripts in
`storage/migrations/`. They are synchronous, as Alembic is, and start their own event loop for
the async drivers: from inside a running loop call them through `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import NullPool

from storage.base import Base, modelled
from storage.database import make_engine, normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | URL) -> Config:
    """An Alembic configuration for the database at `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # The URL travels in attributes, not the ini options, where a "%" in a password would break.
    config.attributes["url"] = normalise_url(str(url) if isinstance(url, URL) else url)
    return config


def head() -> str:
    """The newest revision the code knows."""
    current = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if current is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return current


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database forward to `revision` (the newest by default)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str) -> None:
    """Migrate the database back to `revision` (`base` empties it)."""
    command.downgrade(alembic_config(url), revision)


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the code: its revision, the head, what differs."""

    revision: str | None
    head: str
    differences: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return self.revision == self.head

    @property
    def current(self) -> bool:
        """At the newest revision and matching the models exactly."""
        return self.at_head and not self.differences


def _compare(connection: Connection) -> tuple[str | None, list[Any]]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "render_as_batch": connection.dialect.name == "sqlite",
            "include_name": modelled,
        },
    )
    return context.get_current_revision(), compare_metadata(context, Base.metadata)


async def _inspect(url: URL) -> tuple[str | None, list[Any]]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_compare)
    finally:
        await engine.dispose()


def state(url: str | URL) -> SchemaState:
    """Read the database's revision and compare its tables with the models."""
    revision, diffs = asyncio.run(_inspect(alembic_config(url).attributes["url"]))
    return SchemaState(revision=revision, head=head(), differences=tuple(map(str, diffs)))


def new_revision(message: str) -> str:
    """Write a new migration script from the difference between the models and head.

    For developers: it migrates a scratch SQLite database to head and lets Alembic's
    autogenerate write what the models add. Read the script before committing it.
    """
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{scratch}/scratch.db"
        upgrade(url)
        config = alembic_config(url)
        known = list(ScriptDirectory.from_config(config).walk_revisions())
        # Numbered revisions read in order in a folder listing and in `deseo db current`.
        rev_id = f"{len(known) + 1:04d}"
        script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
    if script is None or isinstance(script, list):
        raise RuntimeError("Alembic wrote no single script")
    return str(script.path)
