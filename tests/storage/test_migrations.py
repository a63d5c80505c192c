"""The migrations build the schema the models describe, and undo it, on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect

from storage import Database
from storage.base import Base
from storage.migrate import downgrade, head, state, upgrade


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        db = Database.from_url(url)
        try:
            async with db.engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    model_tables = {t.name for t in Base.metadata.sorted_tables}

    upgrade(empty_database_url)
    assert state(empty_database_url).revision == head()
    assert model_tables <= _tables(empty_database_url)

    downgrade(empty_database_url, "base")
    assert state(empty_database_url).revision is None
    assert _tables(empty_database_url) & model_tables == set()

    upgrade(empty_database_url)
    assert state(empty_database_url).current


def test_models_and_migrations_agree(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    result = state(empty_database_url)
    assert result.differences == (), "run `deseo db revision MESSAGE` and commit the script"


def test_every_step_downgrades_and_upgrades_again(empty_database_url: str) -> None:
    # Walks each revision down and up one at a time, so that a broken downgrade is found early.
    upgrade(empty_database_url)
    downgrade(empty_database_url, "-1")
    upgrade(empty_database_url, "+1")
    assert state(empty_database_url).current
