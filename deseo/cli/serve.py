"""`deseo up`, `web`, `bots` and `worker`: run the product, whole or in parts."""

from __future__ import annotations

import asyncio

import typer

from deseo.cli.common import (
    configure_logging,
    fail,
    out,
    require_current_schema,
    settings,
    store_revision,
)
from deseo.compose import catalog, load_bundled_content
from deseo.runtime import Part, run_parts, scheduler_part, web_part
from deseo.settings import Settings
from flows.catalog import FlowCatalog
from storage import Database, display_url, migrate


def _bot_parts(config: Settings, *, required: bool) -> list[Part]:
    for problem in (config.telegram_token_problem(), config.discord_token_problem()):
        if problem:
            fail(problem, 2)
    if required and not (config.telegram_token or config.discord_token):
        fail("no bot token is set: set DESEO_TELEGRAM_TOKEN or DESEO_DISCORD_TOKEN", 2)
    return []


async def _load_content(url: str, flows: FlowCatalog) -> list[str]:
    database = Database.from_url(url)
    try:
        return await load_bundled_content(database, flows)
    finally:
        await database.dispose()


def _announce(url: str, revision: str, parts: list[Part], config: Settings) -> None:
    out.print(f"deseo: store {display_url(url)} at revision {revision}")
    for part in parts:
        out.print(f"  {part.name:<10} {part.where}")
    for name, token in (("telegram", config.telegram_token), ("discord", config.discord_token)):
        if not token:
            out.print(f"  {name:<10} not started: DESEO_{name.upper()}_TOKEN is not set")
    out.print("Press Ctrl-C to stop.")


def _run(url: str, parts: list[Part]) -> None:
    async def main() -> None:
        try:
            await run_parts(parts)
        finally:
            await database.dispose()

    database = _databases[url]
    try:
        asyncio.run(main())
    except OSError as exc:
        fail(f"stopped: {exc.strerror or exc}")
    except RuntimeError as exc:
        fail(f"stopped: {exc}")
    out.print("deseo stopped.")


_databases: dict[str, Database] = {}


def _database(url: str) -> Database:
    _databases[url] = Database.from_url(url)
    return _databases[url]


def up(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more.")) -> None:
    """Migrate the store, load the bundled content, and run everything in one process."""
    configure_logging(verbose)
    config = settings()
    url = config.database
    store_revision(url)
    flows = catalog()
    migrate.upgrade(url)
    revision = require_current_schema(url)
    database = _database(url)
    for line in asyncio.run(_load_content(url, flows)):
        out.print(f"deseo: {line}")
    parts = [web_part(config, database), scheduler_part([]), *_bot_parts(config, required=False)]
    _announce(url, revision, parts, config)
    _run(url, parts)


def web(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more.")) -> None:
    """Run the web forum and API alone."""
    configure_logging(verbose)
    config = settings()
    url = config.database
    revision = require_current_schema(url)
    parts = [web_part(config, _database(url))]
    _announce(url, revision, parts, config)
    _run(url, parts)


def bots(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more.")) -> None:
    """Run the chat bots whose tokens are set, alone."""
    configure_logging(verbose)
    config = settings()
    url = config.database
    revision = require_current_schema(url)
    _database(url)
    parts = _bot_parts(config, required=True)
    _announce(url, revision, parts, config)
    _run(url, parts)


def worker(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more.")) -> None:
    """Run the scheduler and the outbox dispatcher alone; several may share one PostgreSQL."""
    configure_logging(verbose)
    config = settings()
    url = config.database
    revision = require_current_schema(url)
    _database(url)
    parts = [scheduler_part([])]
    _announce(url, revision, parts, config)
    _run(url, parts)
