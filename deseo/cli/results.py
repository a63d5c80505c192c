"""`deseo results FLOW` and `deseo export FLOW`: survey results and exports for coordinators.

Both read the store as it is, across every version of the flow unless `--version` picks one.
Exports are written as the responses are read (see `storage.exports`), so their size is bounded
by the disk, not by memory.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from deseo.cli.common import fail, on_store, out, require_current_schema, settings

if TYPE_CHECKING:
    from flows.conversation import Flow
    from flows.surveys import SurveyResults
    from storage import CsvSink, Database, ExportFormat, XlsxSink, export_responses

__all__ = [
    "CsvSink",
    "ExportFormat",
    "FileFormat",
    "XlsxSink",
    "app",
    "export_responses",
    "render_text",
]
# The export pieces are storage's; they are importable from here as before (benchmarks and
# storage tests do), but loaded only when asked for, so that this module starts light.
_FROM_STORAGE = {"CsvSink", "ExportFormat", "XlsxSink", "export_responses"}


def __getattr__(name: str) -> Any:
    if name in _FROM_STORAGE:
        import storage

        return getattr(storage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


app = typer.Typer(help="Survey results and exports.", no_args_is_help=True)

BAR_WIDTH = 20


class ResultsFormat(StrEnum):
    text = "text"
    json = "json"


AsViewer = typer.Option(
    None,
    "--as",
    help="Read as this person (number) may: refused unless a coordinator, and without the "
    "campaigns whose results they may not see.",
)


async def _hidden(database: Database, flow_id: str, viewer: int | None) -> frozenset[int]:
    """The flow's campaigns to leave out for `viewer` (none without one: whoever runs the CLI
    holds the store)."""
    if viewer is None:
        return frozenset()
    from deseo.services import build_services
    from flows.surveys import CampaignError

    try:
        services = await build_services(settings(), database)
        return await services.campaigns.hidden_from(flow_id, viewer)
    except CampaignError as exc:
        fail(str(exc))


class FileFormat(StrEnum):
    """The `--format` of an export: `storage.ExportFormat`, named without importing storage."""

    csv = "csv"
    xlsx = "xlsx"

    def export_format(self) -> ExportFormat:
        from storage import ExportFormat

        return ExportFormat(self.value)


def _catalog_flow(flow_id: str) -> Flow | None:
    """The flow on offer by that id, for one no conversation has stored yet."""
    from deseo.services import catalog
    from flows.conversation import FlowFileError

    try:
        flows = catalog(settings())
    except (FlowFileError, ValueError):
        return None  # a broken flow file is `deseo flows check`'s to report, not ours
    return flows.get(flow_id) if flow_id in flows else None


@app.command("results")
def results(
    flow_id: str = typer.Argument(..., help="The flow (survey), e.g. messina."),
    filter: str = typer.Option(
        None, "--filter", help="Only responses with this answer: STEP=VALUE, e.g. gender=woman."
    ),
    format: ResultsFormat = typer.Option(
        ResultsFormat.text, "--format", "-f", help="text or json."
    ),
    version: int = typer.Option(None, "--version", min=1, help="Only this flow version."),
    invited: int = typer.Option(
        None, "--invited", min=1, help="How many were invited, for the response rate."
    ),
    completed_only: bool = typer.Option(
        False, "--completed-only", help="Leave out responses still in progress."
    ),
    lang: str = typer.Option(None, "--lang", help="Questions and choices in this language."),
    viewer: int = AsViewer,
) -> None:
    """Results per question: counts and shares, mean and median, free texts, response rate."""
    from flows.surveys import AnswerFilter, FilterError
    from storage import ResultsReader

    try:
        answer_filter = AnswerFilter.parse(filter) if filter else None
    except FilterError as exc:
        fail(f"--filter: {exc}", 2)
    url = settings().database
    require_current_schema(url)

    async def load(database: Database) -> SurveyResults:
        hidden = await _hidden(database, flow_id, viewer)
        return await ResultsReader(database, hidden_campaigns=hidden).results(
            flow_id,
            version=version,
            answer_filter=answer_filter,
            invited=invited,
            completed_only=completed_only,
            language=lang,
            fallback=_catalog_flow(flow_id),
        )

    print_results(lambda: on_store(url, load), format)


def print_results(read: Callable[[], SurveyResults], format: ResultsFormat) -> None:
    """Read results and print them as text or JSON; an unknown survey or a filter that does
    not fit is one line on stderr and a non-zero exit."""
    from flows.surveys import FilterError
    from storage import UnknownSurvey

    try:
        found = read()
    except UnknownSurvey as exc:
        fail(str(exc))
    except FilterError as exc:
        fail(f"--filter: {exc}", 2)
    if format is ResultsFormat.json:
        typer.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
    else:
        from flows.conversation import escape_controls

        # Answers are people's text: none may move the cursor or rewrite the terminal.
        sys.stdout.write(escape_controls(render_text(found)))


@app.command("export")
def export(
    flow_id: str = typer.Argument(..., help="The flow (survey), e.g. messina."),
    format: FileFormat = typer.Option(..., "--format", "-f", help="csv or xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
    version: int = typer.Option(None, "--version", min=1, help="Only this flow version."),
    completed_only: bool = typer.Option(
        False, "--completed-only", help="Leave out responses still in progress."
    ),
    viewer: int = AsViewer,
) -> None:
    """Write one row per response and one column per question, as XLSForm tools do."""
    from storage import UnknownSurvey, export_responses

    url = settings().database
    require_current_schema(url)

    async def run(database: Database) -> int:
        return await export_responses(
            database,
            flow_id,
            format.export_format(),
            output,
            version=version,
            completed_only=completed_only,
            fallback=_catalog_flow(flow_id),
            hidden_campaigns=await _hidden(database, flow_id, viewer),
        )

    try:
        rows = on_store(url, run)
    except UnknownSurvey as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    out.print(f"wrote {rows} responses to {output}", markup=False)


# --- the text report ----------------------------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def render_text(results: SurveyResults) -> str:
    """The results as a person reads them in a terminal."""
    lines = [f"{results.title} ({results.flow_id})"]
    versions = ", ".join(str(v) for v in results.versions) or str(results.flow_version)
    lines.append(f"versions: {versions}")
    if results.filter is not None:
        lines.append(f"filter: {results.filter.step_id} = {results.filter.value}")
    lines.append(
        f"responses: {results.responses} ({results.completed} completed, "
        f"{results.in_progress} in progress)"
    )
    rate = results.response_rate
    if rate is not None:
        lines.append(
            f"response rate: {results.completed} of {results.invited} invited ({rate:.1f}%)"
        )
    for question in results.questions:
        lines.append("")
        lines.append(f"{question.id} ({question.kind}): {question.text}")
        counts = [f"answered {question.answered}", f"skipped {question.skipped}"]
        counts.append(f"not shown {question.not_shown}")
        if question.unanswered:
            counts.append(f"not reached {question.unanswered}")
        lines.append("  " + ", ".join(counts))
        width = max((len(c.label) for c in question.choices), default=0)
        width = min(width, 48)
        for choice in question.choices:
            bar = "#" * round(BAR_WIDTH * choice.percent / 100)
            label = choice.label if len(choice.label) <= width else choice.label[: width - 1] + "…"
            lines.append(f"  {label:<{width}} {choice.count:>6} {choice.percent:6.1f}%  {bar}")
        if question.numbers is not None:
            n = question.numbers
            lines.append(
                f"  mean {_number(n.mean)}, median {_number(n.median)}, "
                f"min {_number(n.minimum)}, max {_number(n.maximum)} (of {n.count})"
            )
        if question.dates is not None:
            lines.append(f"  from {question.dates.earliest} to {question.dates.latest}")
        for text in question.texts:
            lines.append("  - " + " ".join(text.split()))
    return "\n".join(lines) + "\n"
