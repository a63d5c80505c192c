"""`deseo results` and `deseo export` on a store with a few Messina conversations, through the
commands' Typer app (not yet part of the `deseo` command)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from deseo.cli.common import CommandError
from deseo.cli.results import CsvSink, FileFormat, XlsxSink, app
from storage import Database, ExportFormat
from storage.migrate import upgrade
from tests.deseo.cli_env import clean_cli_env
from tests.storage.test_results import messina_responses


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A migrated store in a data folder of its own, holding four Messina conversations."""
    data = clean_cli_env(tmp_path, monkeypatch)
    url = f"sqlite+aiosqlite:///{data / 'deseo.db'}"
    upgrade(url)

    async def fill() -> None:
        database = Database.from_url(url)
        try:
            await messina_responses(database)
        finally:
            await database.dispose()

    asyncio.run(fill())
    return CliRunner()


def test_results_as_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["results", "messina", "--invited", "8"])
    assert result.exit_code == 0, result.output
    assert "responses: 4 (3 completed, 1 in progress)" in result.output
    assert "response rate: 3 of 8 invited (37.5%)" in result.output
    assert "gender (single): What is your gender?" in result.output
    assert "  - Finding childcare, near work" in result.output


def test_results_as_json_with_a_filter(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["results", "messina", "--format", "json", "--filter", "gender=woman"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["responses"], data["filter"]) == (2, "gender=woman")
    gender = next(q for q in data["questions"] if q["id"] == "gender")
    assert gender["choices"][0] == {"id": "woman", "label": "Woman", "count": 2, "percent": 100.0}


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["results", "messina", "--filter", "gender"], "--filter: a filter is STEP=VALUE", 2),
        (["results", "messina", "--filter", "gender=robot"], "'robot' is not an answer", 2),
        (["results", "nothing"], "no version of the flow 'nothing'", 1),
        (["export", "nothing", "-f", "csv", "-o", "x.csv"], "no version of the flow", 1),
    ],
)
def test_mistakes_are_one_line(runner: CliRunner, args: list[str], message: str, code: int) -> None:
    # `deseo` turns a CommandError into one line on stderr and this exit code.
    result = runner.invoke(app, args)
    assert isinstance(result.exception, CommandError), result.output
    assert message in str(result.exception) and result.exception.code == code


def test_export_csv_and_xlsx(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "messina", "--format", "csv", "--output", "out.csv"])
    assert result.exit_code == 0, result.output
    assert "wrote 4 responses to out.csv" in result.output
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["gender"] for r in rows] == ["woman", "man", "woman", ""]
    assert rows[0]["children-ages"] == "under-3 6-10"

    result = runner.invoke(app, ["export", "messina", "-f", "xlsx", "-o", "out.xlsx"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.xlsx").stat().st_size > 0


def test_xlsx_cells_are_never_formulas(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    sink = XlsxSink(path, ["_id", "said"], "cells")
    sink.write([1, '=HYPERLINK("http://example.org", "click")'])
    sink.write([2, "bell\x07 and text"])
    sink.close()
    book = load_workbook(path)
    sheet = book["cells"]
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == '=HYPERLINK("http://example.org", "click")'
    assert sheet["B3"].value == "bell and text"
    book.close()


def test_csv_cells() -> None:
    stream = io.StringIO()
    sink = CsvSink(stream, ["_id", "_started", "since", "n", "none"])
    started = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    sink.write([1, started, date(2020, 1, 2), 2.5, None])
    assert stream.getvalue().splitlines() == [
        "_id,_started,since,n,none",
        "1,2026-11-22T09:00:00+00:00,2020-01-02,2.5,",
    ]


def test_csv_text_that_would_run_as_a_formula_is_made_inert() -> None:
    stream = io.StringIO()
    sink = CsvSink(stream, ["a", "b", "c", "d", "e"])
    sink.write(['=HYPERLINK("http://evil")', "+1", "@SUM(A1)", -3, "plain - text"])
    (row,) = list(csv.reader(io.StringIO(stream.getvalue())))[1:]
    assert row == ['\'=HYPERLINK("http://evil")', "'+1", "'@SUM(A1)", "-3", "plain - text"]


def test_the_export_formats_are_storages() -> None:
    # `--format` is named without importing storage; it must offer exactly what storage writes.
    assert [f.value for f in FileFormat] == [f.value for f in ExportFormat]
    assert all(f.export_format() is ExportFormat(f.value) for f in FileFormat)
