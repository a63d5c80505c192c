"""What every command shares: reading settings, opening the store, saying things, failing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from deseo.services import Services
    from deseo.settings import Settings
    from flows.people import ChatRef
    from storage import Database

# Only typer and the standard library are imported here: `deseo --help` must not load the
# product. Each command imports what it runs inside its function.

T = TypeVar("T")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CommandError(Exception):
    """A command cannot go on; its message is one line for the person who ran it."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    raise CommandError(message, code)


def settings() -> Settings:
    """The settings as the environment says now: read afresh on every call, so commands run
    in one process (tests, CliRunner) each see their own environment."""
    from deseo.settings import load_settings

    return load_settings()


def on_store(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the store at `url` in an event loop of its own, and close the
    store's connections after, whatever happens."""

    from storage import Database

    async def run() -> T:
        database = Database.from_url(url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def on_services(
    url: str,
    work: Callable[[Services, Database], Awaitable[T]],
    config: Settings | None = None,
) -> T:
    """Run `work` over the process's services (built once, from `config` or the settings as
    they are now) on the store at `url`, in an event loop of its own."""

    async def run(database: Database) -> T:
        from deseo.services import build_services

        return await work(await build_services(config or settings(), database), database)

    return on_store(url, run)


async def _revision(database: Database) -> str | None:
    await database.ping()
    return await database.revision()


def store_revision(url: str) -> str | None:
    """The store's migration revision; fails with one line when the store cannot be reached."""
    from storage import StoreUnavailable

    try:
        return on_store(url, _revision)
    except StoreUnavailable as exc:
        fail(str(exc))


def require_current_schema(url: str) -> str:
    """Fail unless the store is reachable and migrated to the revision this code needs."""
    from storage import display_url, migrate

    revision = store_revision(url)
    expected = migrate.head()
    if revision != expected:
        fail(
            f"the database {display_url(url)} is at revision {revision or 'none'}, "
            f"this deseo needs {expected}: run `deseo db upgrade`"
        )
    return revision


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    # httpx logs every request at INFO, which would print bot tokens in URLs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs every run of every job; the jobs log what they did themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def version_callback(value: bool) -> None:
    if value:
        from deseo import __version__

        out.print(f"deseo {__version__}")
        raise typer.Exit()


def chat_option(text: str, option: str = "--chat") -> ChatRef:
    """A chat as every command names it: `telegram:CHAT_ID`, `discord:CHANNEL_ID`, on one of
    the registered chat platforms."""
    from bot import adapters
    from flows.people import ChatRef

    known = [adapter.name.value for adapter in adapters(settings())]
    try:
        chat = ChatRef.parse(text)
    except ValueError as exc:
        chat = None
        problem = str(exc)
    if chat is not None and chat.platform.value in known:
        return chat
    if chat is not None:
        problem = f"{chat.platform.value!r} is not one of the chat platforms ({', '.join(known)})"
    fail(f"{option}: {problem} (for example telegram:CHAT_ID or discord:CHANNEL_ID)", 2)


def chat_in_terminal(url: str, run: Callable[[Database], Awaitable[int]]) -> NoReturn:
    """Run a conversation in the terminal on the store, exiting with its code; Ctrl-C stops it
    with the reassurance that the answers so far are kept."""
    try:
        code = on_store(url, run)
    except KeyboardInterrupt:
        out.print("\nStopped. Your answers are saved.")
        code = 1
    raise typer.Exit(code)
