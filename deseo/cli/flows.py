"""`deseo flows ...`, `deseo chat` and `deseo report`: flows from the terminal."""

from __future__ import annotations

import getpass
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from deseo.cli.common import (
    chat_in_terminal,
    err,
    fail,
    on_services,
    out,
    require_current_schema,
    settings,
)

if TYPE_CHECKING:
    from flows.conversation import Flow, State
    from storage import Database

app = typer.Typer(help="List and check flows.", no_args_is_help=True)


@app.command("list")
def list_flows() -> None:
    """List the flows deseo offers."""
    from deseo.services import catalog

    for flow in catalog(settings()):
        questions = sum(len(p.questions) for p in flow.phases)
        title = flow.title[flow.default_language]
        out.print(
            f"{flow.id:<14} v{flow.version:<3} {flow.kind:<11} {len(flow.phases)} phases, "
            f"{questions:>3} questions  {title}"
        )


@app.command()
def check(
    paths: list[Path] = typer.Argument(None, help="Flow files; default: the bundled ones."),
) -> None:
    """Check flow files; name the file, the step and the fault of each problem."""
    from flows.conversation import CONTENT, FlowFileError, load_flow_file

    files = paths or sorted(CONTENT.glob("*.yaml"))
    broken = 0
    for path in files:
        try:
            flow = load_flow_file(path)
        except FlowFileError as exc:
            broken += 1
            for line in str(exc).splitlines():
                err.print(line, markup=False)
            continue
        questions = sum(len(p.questions) for p in flow.phases)
        phases = len(flow.phases)
        out.print(f"ok  {path}: {flow.id} v{flow.version}, {phases} phases, {questions} questions")
    if broken:
        fail(f"{broken} of {len(files)} flow file(s) have problems")


def chat(
    flow_id: str = typer.Argument(None, help="The flow to run; default: your unfinished one."),
    new: bool = typer.Option(False, "--new", help="Start over instead of resuming."),
) -> None:
    """Chat through a flow in the terminal; answers can also be piped in, one per line."""
    from bot import ConsoleChat
    from deseo.services import build_services
    from flows.conversation import Sender
    from flows.people import Platform

    config = settings()
    url = config.database
    require_current_schema(url)
    who = Sender(Platform.CONSOLE, getpass.getuser(), getpass.getuser(), config.language)

    async def run(database: Database) -> int:
        services = await build_services(config, database)
        chat = ConsoleChat(
            services.conversations,
            who,
            sys.stdin,
            sys.stdout,
            color=sys.stdout.isatty(),
            interactive=sys.stdin.isatty(),
        )
        return await chat.run(flow_id, new=new)

    chat_in_terminal(url, run)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


def report(
    conversation_id: int = typer.Argument(..., help="The conversation's number."),
    format: ReportFormat = typer.Option(
        ReportFormat.md, "--format", "-f", help="md, html or json."
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Write to a file instead."),
) -> None:
    """Print the report of a conversation: readiness, gaps and notes per phase."""
    from flows.conversation import build_report, to_html, to_markdown

    config = settings()
    url = config.database
    require_current_schema(url)

    def render(found: tuple[Flow, State] | None) -> str | None:
        if found is None:
            return None
        flow, state = found
        built = build_report(
            flow, state.answers, state.language, complete=state.status == "completed"
        )
        if format is ReportFormat.json:
            return json.dumps(built.to_json(), ensure_ascii=False, indent=2) + "\n"
        return to_html(built) if format is ReportFormat.html else to_markdown(built)

    found = on_services(
        url, lambda services, _: services.conversations.report(conversation_id), config
    )
    text = render(found)
    if text is None:
        fail(f"there is no conversation {conversation_id}")
    if output is not None:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
    else:
        sys.stdout.write(text)
