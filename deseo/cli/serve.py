"""`deseo up`, `web`, `bots` and `worker`: run the product, whole or in parts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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
    from deseo.settings import Settings
    from flows.conversation import FlowCatalog
    from storage import Database

Verbose = typer.Option(False, "--verbose", "-v", help="Log more.")


def _bot_parts(
    config: Settings, database: Database, *, required: bool, flows: FlowCatalog | None = None
) -> list[Part]:
    from bot import ChatServices, adapters
    from deseo.compose import (
        campaign_service,
        conversation_service,
        meeting_service,
        referral_service,
    )
    from deseo.runtime import bot_parts

    platforms = adapters(config)
    for adapter in platforms:
        if adapter.settings_problem:
            fail(adapter.settings_problem, 2)
    if not any(adapter.configured for adapter in platforms):
        if required:
            tokens = " or ".join(adapter.token_setting for adapter in platforms)
            fail(f"no bot token is set: set {tokens}", 2)
        return []
    # One set of services for every platform: flows are read and checked once.
    conversations = conversation_service(database, flows)
    services = ChatServices(
        conversations,
        meeting_service(database),
        referral_service(database),
        campaign_service(database, conversations),
    )
    return bot_parts(config, services)


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


def _run(database: Database, parts: list[Part]) -> None:
    from deseo.runtime import run_parts

    async def main() -> None:
        try:
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
    from deseo.compose import catalog, conversation_service, load_bundled_content, referral_service
    from deseo.runtime import web_part, worker_part
    from forum import create_default_boards
    from storage import Database, migrate

    configure_logging(verbose)
    config = settings()
    url = config.database
    store_revision(url)
    flows = catalog()
    migrate.upgrade(url)
    revision = require_current_schema(url)
    for line in on_store(url, lambda database: load_bundled_content(database, flows)):
        out.print(f"deseo: {line}")
    for line in on_store(url, create_default_boards):
        out.print(f"deseo: {line}")
    database = Database.from_url(url)
    parts = [
        web_part(config, database, conversation_service(database, flows)),
        worker_part(config, database, referral_service(database)),
        *_bot_parts(config, database, required=False, flows=flows),
    ]
    _announce(url, revision, parts, config)
    _run(database, parts)


def _serve_alone(verbose: bool, build: Callable[[Settings, Database], list[Part]]) -> None:
    """Run some parts against a store that is already migrated (several processes may)."""
    from storage import Database

    configure_logging(verbose)
    config = settings()
    url = config.database
    revision = require_current_schema(url)
    database = Database.from_url(url)
    parts = build(config, database)
    _announce(url, revision, parts, config)
    _run(database, parts)


def web(verbose: bool = Verbose) -> None:
    """Run the web forum and API alone."""
    from deseo.runtime import web_part

    _serve_alone(verbose, lambda config, database: [web_part(config, database)])


def bots(verbose: bool = Verbose) -> None:
    """Run the chat bots whose tokens are set, alone."""
    _serve_alone(verbose, lambda config, database: _bot_parts(config, database, required=True))


def discord_sync() -> None:
    """Publish the Discord slash commands now (otherwise only when they change, at start)."""
    from bot import DiscordStartError, sync_discord_commands
    from deseo.compose import conversation_service

    config = settings()
    if not config.discord_token:
        fail("DESEO_DISCORD_TOKEN is not set", 2)
    problem = config.discord_token_problem()
    if problem:
        fail(problem, 2)
    url = config.database
    require_current_schema(url)

    def run(database: Database) -> Awaitable[int]:
        return sync_discord_commands(
            config.discord_token or "", conversation_service(database), state_dir=config.data_dir
        )

    try:
        count = on_store(url, run)
    except DiscordStartError as exc:
        fail(str(exc))
    out.print(f"published {count} slash commands to Discord")


def worker(verbose: bool = Verbose) -> None:
    """Run the scheduler and the outbox dispatcher alone; several may share one PostgreSQL."""
    from deseo.compose import referral_service
    from deseo.runtime import worker_part

    _serve_alone(
        verbose,
        lambda config, database: [worker_part(config, database, referral_service(database))],
    )
