"""`deseo up`, `web`, `bots` and `worker`: run the product, whole or in parts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from deseo.cli.common import (
    configure_logging,
    fail,
    on_store,
    out,
    require_current_schema,
    settings,
    store_revision,
)

if TYPE_CHECKING:
    from deseo.runtime import Part
    from deseo.services import Services
    from deseo.settings import Settings
    from flows.conversation import FlowCatalog
    from storage import Database

Verbose = typer.Option(False, "--verbose", "-v", help="Log more.")


def _check_bots(config: Settings, *, required: bool) -> None:
    """Stop on a malformed token, or on no token at all when the bots are `required`."""
    from bot import adapters

    platforms = adapters(config)
    for adapter in platforms:
        if adapter.settings_problem:
            fail(adapter.settings_problem, 2)
    if required and not any(adapter.configured for adapter in platforms):
        tokens = " or ".join(adapter.token_setting for adapter in platforms)
        fail(f"no bot token is set: set {tokens}", 2)


def _announce(url: str, revision: str, parts: list[Part], config: Settings) -> None:
    from bot import adapters
    from storage import display_url

    out.print(f"deseo: store {display_url(url)} at revision {revision}")
    for part in parts:
        out.print(f"  {part.name:<10} {part.where}")
    for adapter in adapters(config):
        if not adapter.configured:
            name = adapter.name.value
            out.print(f"  {name:<10} not started: {adapter.token_setting} is not set")
    out.print("Press Ctrl-C to stop.")


# The parts a command runs, built inside the event loop from the process's one set of services.
Build = Callable[["Settings", "Database", "Services"], list["Part"]]


def _run(
    url: str,
    revision: str,
    config: Settings,
    build: Build,
    flows: FlowCatalog | None = None,
) -> None:
    from deseo.runtime import run_parts
    from deseo.services import build_services
    from storage import Database

    async def main() -> None:
        database = Database.from_url(url)
        try:
            services = await build_services(config, database, flows=flows)
            parts = build(config, database, services)
            _announce(url, revision, parts, config)
            await run_parts(parts)
        finally:
            await database.dispose()

    try:
        asyncio.run(main())
    except OSError as exc:
        fail(f"stopped: {exc.strerror or exc}")
    except RuntimeError as exc:
        fail(f"stopped: {exc}")
    out.print("deseo stopped.")


def up(verbose: bool = Verbose) -> None:
    """Migrate the store, load the bundled content, and run everything in one process."""
    from deseo.compose import load_bundled_content
    from deseo.runtime import bot_parts, web_part, worker_part
    from deseo.services import catalog
    from forum import create_default_boards
    from storage import migrate

    configure_logging(verbose)
    config = settings()
    url = config.database
    store_revision(url)
    flows = catalog(config)
    migrate.upgrade(url)
    revision = require_current_schema(url)
    for line in on_store(url, lambda database: load_bundled_content(database, flows)):
        out.print(f"deseo: {line}")
    for line in on_store(url, create_default_boards):
        out.print(f"deseo: {line}")
    _check_bots(config, required=False)

    def build(config: Settings, database: Database, services: Services) -> list[Part]:
        return [
            web_part(config, database, services),
            worker_part(config, services),
            *bot_parts(config, services),
        ]

    _run(url, revision, config, build, flows)


def _serve_alone(verbose: bool, build: Build, *, bots: bool = False) -> None:
    """Run some parts against a store that is already migrated (several processes may)."""
    configure_logging(verbose)
    config = settings()
    if bots:
        _check_bots(config, required=True)
    url = config.database
    revision = require_current_schema(url)
    _run(url, revision, config, build)


def web(verbose: bool = Verbose) -> None:
    """Run the web forum and API alone."""
    from deseo.runtime import web_part

    _serve_alone(verbose, lambda config, database, services: [web_part(config, database, services)])


def bots(verbose: bool = Verbose) -> None:
    """Run the chat bots whose tokens are set, alone."""
    from deseo.runtime import bot_parts

    _serve_alone(verbose, lambda config, _, services: bot_parts(config, services), bots=True)


def discord_sync() -> None:
    """Publish the Discord slash commands now (otherwise only when they change, at start)."""
    from bot import DiscordStartError, sync_discord_commands
    from deseo.services import build_services

    config = settings()
    if not config.discord_token:
        fail("DESEO_DISCORD_TOKEN is not set", 2)
    problem = config.discord_token_problem()
    if problem:
        fail(problem, 2)
    url = config.database
    require_current_schema(url)

    async def run(database: Database) -> int:
        services = await build_services(config, database)
        return await sync_discord_commands(
            config.discord_token or "", services.conversations, state_dir=config.data_dir
        )

    try:
        count = on_store(url, run)
    except DiscordStartError as exc:
        fail(str(exc))
    out.print(f"published {count} slash commands to Discord")


def worker(verbose: bool = Verbose) -> None:
    """Run the scheduler and the outbox dispatcher alone; several may share one PostgreSQL."""
    from deseo.runtime import worker_part

    _serve_alone(verbose, lambda config, _, services: [worker_part(config, services)])
