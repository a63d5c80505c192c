"""`deseo doctor`: what is configured, what is reachable, and what would start."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from deseo.cli.common import on_store, out, settings, store_revision

if TYPE_CHECKING:
    from storage import Database


async def _outbox_counts(database: Database) -> dict[str, int]:
    from storage import SqlUnitOfWork

    async with SqlUnitOfWork(database) as uow:
        return await uow.outbox.counts()


def doctor() -> None:
    """Check the settings, the database and the bot tokens, and say what `deseo up` would start."""
    from bot import adapters
    from deseo.settings import SECRET_FILE
    from storage import display_url, migrate

    config = settings()
    url = config.database
    revision = store_revision(url)  # an unreachable store ends the check with one line
    head = migrate.head()
    problems = 0

    def line(name: str, status: str, *, ok: bool = True) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        mark = "[green]ok[/]  " if ok else "[red]fix[/] "
        out.print(f"{mark} {name:<12} {status}")

    line("database", f"{display_url(url)} answers")
    if revision == head:
        state = migrate.state(url)
        if state.differences:
            line("schema", f"at {revision} but differs from the models", ok=False)
        else:
            line("schema", f"at {revision} (head)")
    elif revision is None:
        line("schema", f"empty: `deseo up` or `deseo db upgrade` will create it ({head})")
    else:
        line("schema", f"at {revision}, head is {head}: run `deseo db upgrade`", ok=False)

    if config.secret_key:
        line("secret key", "set in DESEO_SECRET_KEY")
    elif (config.data_dir / SECRET_FILE).exists():
        line("secret key", f"kept in {config.data_dir / SECRET_FILE}")
    else:
        line("secret key", f"will be generated into {config.data_dir / SECRET_FILE}")

    platforms = adapters(config)
    for adapter in platforms:
        name = adapter.name.value
        if adapter.settings_problem:
            line(name, adapter.settings_problem, ok=False)
        elif adapter.configured:
            line(name, "token set")
        else:
            line(name, f"not configured (set {adapter.token_setting} to start the bot)")

    if revision == head:
        counts = on_store(url, _outbox_counts)
        waiting = counts.get("pending", 0) + counts.get("sending", 0)
        dead = counts.get("dead", 0)
        line("outbox", f"{waiting} waiting, {counts.get('sent', 0)} sent, {dead} dead")

    starts = [f"web on {config.web_url}", "worker (outbox, reminders)"]
    starts += [adapter.name.value for adapter in platforms if adapter.configured]
    out.print(f"      {'would start':<12} {', '.join(starts)}")
    if problems:
        raise typer.Exit(1)
