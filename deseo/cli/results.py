"""`deseo results FLOW` and `deseo export FLOW`: survey results and exports for coordinators.

Both read the store as it is, across every version of the flow unless `--version` picks one.
Exports are written as the responses are read, so their size is bounded by the disk, not by
memory: CSV through the csv module, XLSX through openpyxl's write-only workbook.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Awaitable, Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

import typer

from deseo.cli.common import fail, on_store, out, require_current_schema, settings
from deseo.compose import catalog
from flows.definitions import Flow, FlowFileError
from flows.results import AnswerFilter, Cell, ExportLayout, FilterError, SurveyResults
from storage import Database
from storage.repositories.results import ResultsReader, UnknownSurvey, pick_version

app = typer.Typer(help="Survey results and exports.", no_args_is_help=True)

BAR_WIDTH = 20


class ResultsFormat(StrEnum):
    text = "text"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def _catalog_flow(flow_id: str) -> Flow | None:
    """The flow on offer by that id, for one no conversation has stored yet."""
    try:
        flows = catalog()
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
) -> None:
    """Results per question: counts and shares, mean and median, free texts, response rate."""
    try:
        answer_filter = AnswerFilter.parse(filter) if filter else None
    except FilterError as exc:
        fail(f"--filter: {exc}", 2)
    url = settings().database
    require_current_schema(url)

    def load(database: Database) -> Awaitable[SurveyResults]:
        return ResultsReader(database).results(
            flow_id,
            version=version,
            answer_filter=answer_filter,
            invited=invited,
            completed_only=completed_only,
            language=lang,
            fallback=_catalog_flow(flow_id),
        )

    try:
        found = on_store(url, load)
    except UnknownSurvey as exc:
        fail(str(exc))
    except FilterError as exc:
        fail(f"--filter: {exc}", 2)
    if format is ResultsFormat.json:
        typer.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(found))


@app.command("export")
def export(
    flow_id: str = typer.Argument(..., help="The flow (survey), e.g. messina."),
    format: ExportFormat = typer.Option(..., "--format", "-f", help="csv or xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
    version: int = typer.Option(None, "--version", min=1, help="Only this flow version."),
    completed_only: bool = typer.Option(
        False, "--completed-only", help="Leave out responses still in progress."
    ),
) -> None:
    """Write one row per response and one column per question, as XLSForm tools do."""
    url = settings().database
    require_current_schema(url)

    def run(database: Database) -> Awaitable[int]:
        return export_responses(
            database,
            flow_id,
            format,
            output,
            version=version,
            completed_only=completed_only,
            fallback=_catalog_flow(flow_id),
        )

    try:
        rows = on_store(url, run)
    except UnknownSurvey as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    out.print(f"wrote {rows} responses to {output}", markup=False)


# --- exports -------------------------------------------------------------------------------


class CsvSink:
    """Rows into a CSV text stream: times in ISO 8601 (UTC), empty cells for no answer."""

    def __init__(self, stream: TextIO, columns: Sequence[str]) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(columns)

    def write(self, row: Sequence[Cell]) -> None:
        # The csv module writes None as an empty cell and a date as str() does, in ISO 8601;
        # a time it would write with a space, not the T.
        self._writer.writerow([c.isoformat() if isinstance(c, datetime) else c for c in row])


class XlsxSink:
    """Rows into an XLSX file through openpyxl's write-only workbook, which keeps no rows in
    memory. Text is always written as text, never as a formula; times are UTC without zone, as
    Excel has none."""

    def __init__(self, path: Path, columns: Sequence[str], title: str) -> None:
        # Imported here: every `deseo` command loads this module, few of them write XLSX.
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self._text_cell = WriteOnlyCell
        self._illegal = ILLEGAL_CHARACTERS_RE
        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title=title[:31] or "responses")
        self._sheet.append(list(columns))

    def write(self, row: Sequence[Cell]) -> None:
        self._sheet.append([self._cell(cell) for cell in row])

    def _cell(self, cell: Cell) -> Any:
        if isinstance(cell, datetime) and cell.tzinfo is not None:
            return cell.replace(tzinfo=None)
        if isinstance(cell, str):
            text = self._illegal.sub("", cell)
            if text.startswith("="):
                # openpyxl would store a string starting with "=" as a formula.
                written = self._text_cell(self._sheet, text)
                written.data_type = "s"
                return written
            return text
        return cell

    def close(self) -> None:
        self._book.save(self._path)


async def export_responses(
    database: Database,
    flow_id: str,
    format: ExportFormat,
    output: Path,
    *,
    version: int | None = None,
    completed_only: bool = False,
    fallback: Flow | None = None,
) -> int:
    """Write the responses of a flow to `output` as they are read; returns how many rows.

    The file appears whole or not at all: rows go to a temporary file beside it, renamed at
    the end. Raises `UnknownSurvey` when the store holds no version of the flow."""
    reader = ResultsReader(database)
    definitions = await reader.definitions(flow_id)
    if not definitions and fallback is not None and version in (None, fallback.version):
        definitions = {fallback.version: fallback}
    flow = pick_version(definitions, flow_id, version)
    layout = ExportLayout(flow, definitions)
    partial = output.with_name(f".{output.name}.partial")
    count = 0
    try:
        if format is ExportFormat.csv:
            with partial.open("w", encoding="utf-8", newline="") as stream:
                sink = CsvSink(stream, layout.columns)
                async for batch in reader.batches(
                    flow_id, version=version, completed_only=completed_only
                ):
                    for response in batch:
                        sink.write(layout.row(response))
                        count += 1
        else:
            book = XlsxSink(partial, layout.columns, flow.id)
            async for batch in reader.batches(
                flow_id, version=version, completed_only=completed_only
            ):
                for response in batch:
                    book.write(layout.row(response))
                    count += 1
            book.close()
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return count


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
