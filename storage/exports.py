"""Survey exports: a flow's responses read from the store and written as they are read, one row
per response and one column per question (see `flows.surveys.ExportLayout`).

Memory stays bounded whatever the number of responses: CSV through the csv module (to a file,
or as text chunks for a web download), XLSX through openpyxl's write-only workbook.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from flows.conversation import Flow
from flows.surveys import Cell, ExportLayout
from storage.database import Database
from storage.repositories.results import ResultsReader, pick_version


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class CsvSink:
    """Rows into a CSV text stream: times in ISO 8601 (UTC), empty cells for no answer."""

    def __init__(self, stream: TextIO, columns: Sequence[str]) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(columns)

    def write(self, row: Sequence[Cell]) -> None:
        # The csv module writes None as an empty cell and a date as str() does, in ISO 8601;
        # a time it would write with a space, not the T.
        self._writer.writerow([c.isoformat() if isinstance(c, datetime) else inert(c) for c in row])


# A spreadsheet opening a CSV runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: Cell) -> Cell:
    """Free text as a spreadsheet will show it, not run it: a leading apostrophe before what
    would start a formula (OWASP's advice for CSV injection). Numbers are left as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class XlsxSink:
    """Rows into an XLSX file through openpyxl's write-only workbook, which keeps no rows in
    memory. Text is always written as text, never as a formula; times are UTC without zone, as
    Excel has none."""

    def __init__(self, path: Path, columns: Sequence[str], title: str) -> None:
        # Imported here: few of the processes that load this module write XLSX.
        from openpyxl import Workbook  # type: ignore[import-untyped]
        from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

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


async def _layout(
    reader: ResultsReader, flow_id: str, version: int | None, fallback: Flow | None
) -> ExportLayout:
    definitions = await reader.definitions(flow_id)
    if not definitions and fallback is not None and version in (None, fallback.version):
        definitions = {fallback.version: fallback}
    return ExportLayout(pick_version(definitions, flow_id, version), definitions)


async def export_responses(
    database: Database,
    flow_id: str,
    format: ExportFormat,
    output: Path,
    *,
    version: int | None = None,
    completed_only: bool = False,
    fallback: Flow | None = None,
    campaign_id: int | None = None,
    hidden_campaigns: Collection[int] = (),
    sheet: str | None = None,
) -> int:
    """Write the responses of a flow (only those of one campaign, with `campaign_id`; none of
    the `hidden_campaigns`') to `output` as they are read; returns how many rows. `sheet`
    names the XLSX sheet (default: the flow's id).

    The file appears whole or not at all: rows go to a temporary file beside it, renamed at
    the end. Raises `UnknownSurvey` when the store holds no version of the flow."""
    reader = ResultsReader(database, campaign_id=campaign_id, hidden_campaigns=hidden_campaigns)
    layout = await _layout(reader, flow_id, version, fallback)
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
            book = XlsxSink(partial, layout.columns, sheet or layout.flow.id)
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


async def csv_chunks(
    database: Database,
    flow_id: str,
    *,
    version: int | None = None,
    completed_only: bool = False,
    fallback: Flow | None = None,
    campaign_id: int | None = None,
    hidden_campaigns: Collection[int] = (),
) -> AsyncIterator[str]:
    """The CSV export (of one campaign's responses, with `campaign_id`; none of the
    `hidden_campaigns`') as pieces of text, one per batch of responses read, for a download
    that starts before the last response is read. Raises `UnknownSurvey` here, before any
    piece."""
    reader = ResultsReader(database, campaign_id=campaign_id, hidden_campaigns=hidden_campaigns)
    layout = await _layout(reader, flow_id, version, fallback)

    async def pieces() -> AsyncIterator[str]:
        buffer = io.StringIO()
        sink = CsvSink(buffer, layout.columns)
        async for batch in reader.batches(flow_id, version=version, completed_only=completed_only):
            for response in batch:
                sink.write(layout.row(response))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    return pieces()
