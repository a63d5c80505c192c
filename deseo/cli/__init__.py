"""The `deseo` command: every way to run, check and administer deseo from a terminal."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from bot import DiscordStartError, TelegramStartError
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
from deseo.runtime import StartupError
from deseo.settings import SettingsError
from storage import DatabaseURLError, StoreUnavailable, explain_failure

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


def main() -> None:
    """Entry point: run the command; a known failure is one line on stderr, never a traceback."""
    try:
        app()
    except (CommandError, StartupError, DiscordStartError, TelegramStartError) as exc:
        err.print(f"deseo: {exc}")
        sys.exit(getattr(exc, "code", 1))
    except (SettingsError, DatabaseURLError) as exc:
        err.print(f"deseo: {exc}")
        sys.exit(2)
    except StoreUnavailable as exc:
        err.print(f"deseo: {exc}")
        sys.exit(1)
    except (OSError, SQLAlchemyError) as exc:
        err.print(f"deseo: database error: {explain_failure(exc)}")
        sys.exit(1)
