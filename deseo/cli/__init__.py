"""The `deseo` command: every way to run, check and administer deseo from a terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from deseo.cli import (
    boards,
    db,
    doctor,
    flows,
    meetings,
    referrals,
    serve,
    services,
    surveys,
    users,
)
from deseo.cli.common import CommandError, err, version_callback

app = typer.Typer(
    name="deseo",
    help="Chat bots, surveys, orientation and a forum for the REVES network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """Chat bots, surveys, orientation and a forum for the REVES network."""


app.command()(serve.up)
app.command()(serve.web)
app.command()(serve.bots)
app.command()(serve.worker)
app.command("discord-sync")(serve.discord_sync)
app.command()(doctor.doctor)
app.command()(flows.chat)
app.command()(flows.report)
app.add_typer(flows.app, name="flows")
app.add_typer(meetings.groups_app, name="groups")
app.add_typer(meetings.meetings_app, name="meetings")
app.add_typer(meetings.people_app, name="people")
app.add_typer(services.app, name="services")
app.add_typer(surveys.app, name="survey")
app.add_typer(referrals.app, name="referrals")
app.add_typer(db.app, name="db")
app.add_typer(boards.app, name="boards")
app.add_typer(users.app, name="users")


def main(args: Sequence[str] | None = None) -> None:
    """Entry point: run the command (`args`, or the process's arguments); a known failure is
    one line on stderr and an exit code, never a traceback."""
    try:
        app(args=args, prog_name="deseo")
    except CommandError as exc:
        err.print(f"deseo: {exc}")
        sys.exit(exc.code)
    except Exception as exc:
        known = explain(exc)
        if known is None:
            raise
        code, line = known
        err.print(f"deseo: {line}")
        sys.exit(code)


def explain(exc: Exception) -> tuple[int, str] | None:
    """The exit code and the line to print for a failure deseo knows; None for a bug.

    The exception types are imported only once something failed, so that starting the command
    does not load the product."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot import DiscordStartError, TelegramStartError
    from deseo.runtime import StartupError
    from deseo.settings import SettingsError
    from storage import DatabaseURLError, StoreUnavailable, explain_failure

    if isinstance(exc, StartupError | DiscordStartError | TelegramStartError):
        return int(getattr(exc, "code", 1)), str(exc)
    if isinstance(exc, SettingsError | DatabaseURLError):
        return 2, str(exc)
    if isinstance(exc, StoreUnavailable):
        return 1, str(exc)
    if isinstance(exc, OSError | SQLAlchemyError):
        return 1, f"database error: {explain_failure(exc)}"
    return None
