"""A restricted campaign's responses stay out of a survey's flow-wide results for whoever may
not read that campaign: the page at `/coordinate/surveys/FLOW`, its CSV and XLSX downloads, the
count on `/coordinate/surveys`, and `deseo survey results|export FLOW --as N`. Its named
coordinators and admins still see them; an anonymous campaign's responses, handed to a stand-in
person, are left out alike."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from deseo.cli import app as deseo_app
from flows.conversation.messages import Reply
from flows.people.model import Role
from storage import Database
from storage.migrate import upgrade
from tests.deseo.cli_env import clean_cli_env
from tests.forum.helpers import client, create_account, log_in
from tests.forum.test_coordinate_campaigns import ANN, BOB, CAT, EVE, World

FLOW_PAGE = "/coordinate/surveys/colours"


async def _surveys_world(database: Database) -> tuple[World, int, int]:
    """Colours answered in a campaign restricted to Nina, in an anonymous one restricted to her
    too, in a campaign open to every coordinator, and outside any campaign. Returns the world
    and Nina's and Mia's person numbers (Mia coordinates but is named on none)."""
    world = World(database)
    nina = await _account(world, "nina", Role.COORDINATOR)
    mia = await _account(world, "mia", Role.COORDINATOR)
    restricted = await world.create("Nina's colours", coordinators=[nina])
    hushed = await world.create("Nina's quiet colours", coordinators=[nina], anonymous=True)
    everyone = await world.create("Everyone's colours")
    await world.respond(restricted, ANN, "red", "Restricted secret")
    await world.respond(hushed, BOB, "red", "Anonymous secret")
    await world.respond(everyone, CAT, "blue", "Shared calm")
    await world.conversations.begin(EVE, "colours")
    await world.conversations.handle(EVE, Reply("blue"))
    await world.conversations.handle(EVE, Reply("Outside any campaign"))
    return world, nina, mia


async def _account(world: World, username: str, *roles: Role) -> int:
    return (await create_account(world.database, username, roles=roles)).person_id


async def _read_all(http: httpx.AsyncClient) -> tuple[str, str, str, str]:
    """The flow-wide page, the survey list, the CSV and the XLSX's text, as `http` reads them."""
    page = await http.get(FLOW_PAGE)
    listing = await http.get("/coordinate/surveys")
    table = await http.get(f"{FLOW_PAGE}/responses.csv")
    sheet = await http.get(f"{FLOW_PAGE}/responses.xlsx")
    for response in (page, listing, table, sheet):
        assert response.status_code == 200, response.url
    book = load_workbook(io.BytesIO(sheet.content), read_only=True)
    cells = " | ".join(
        str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None
    )
    return page.text, listing.text, table.text, cells


def _why(table: str) -> list[str]:
    return sorted(row["why"] for row in csv.DictReader(io.StringIO(table)))


async def test_an_unnamed_coordinator_reads_no_restricted_response(database: Database) -> None:
    world, _, _ = await _surveys_world(database)
    async with client(world.app) as http:
        assert (await _login(http, "mia")).status_code == 303
        page, listing, table, sheet = await _read_all(http)
    assert "Shared calm" in page and "Outside any campaign" in page
    assert "2 responses:" in page
    for secret in ("Restricted secret", "Anonymous secret"):
        assert secret not in page and secret not in table and secret not in sheet
    assert _why(table) == ["Outside any campaign", "Shared calm"]
    assert "Shared calm" in sheet
    # The list's count is of the responses she may read, too.
    assert "<td>2</td>" in listing and "<td>4</td>" not in listing


async def test_a_named_coordinator_and_an_admin_read_every_response(database: Database) -> None:
    world, _, _ = await _surveys_world(database)
    await _account(world, "ada", Role.ADMIN)
    for username in ("nina", "ada"):
        async with client(world.app) as http:
            assert (await _login(http, username)).status_code == 303
            page, _, table, sheet = await _read_all(http)
        assert "4 responses:" in page, username
        assert _why(table) == [
            "Anonymous secret",
            "Outside any campaign",
            "Restricted secret",
            "Shared calm",
        ]
        assert "Restricted secret" in sheet and "Anonymous secret" in sheet


async def test_the_flow_filter_keeps_the_restriction(database: Database) -> None:
    world, _, _ = await _surveys_world(database)
    async with client(world.app) as http:
        assert (await _login(http, "mia")).status_code == 303
        red = await http.get(FLOW_PAGE, params={"by": "colour", "value": "red"})
    # Both red answers are in restricted campaigns: none is hers to count.
    assert red.status_code == 200
    assert "Showing only the responses that answered" in red.text
    assert "0 responses:" in red.text
    assert "Restricted secret" not in red.text and "Anonymous secret" not in red.text


async def _login(http: httpx.AsyncClient, username: str) -> httpx.Response:
    return await log_in(http, username)


# --- the same rule in the terminal ----------------------------------------------------------


@pytest.fixture
def cli_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int, int]:
    """The world above on a SQLite store the CLI reads; Nina's and Mia's numbers."""
    data = clean_cli_env(tmp_path, monkeypatch)
    url = f"sqlite+aiosqlite:///{data / 'deseo.db'}"
    upgrade(url)

    async def fill() -> tuple[int, int]:
        database = Database.from_url(url)
        try:
            _, nina, mia = await _surveys_world(database)
            return nina, mia
        finally:
            await database.dispose()

    nina, mia = asyncio.run(fill())
    return url, nina, mia


def _deseo(*args: str) -> str:
    result = CliRunner().invoke(deseo_app, ["survey", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_the_cli_applies_the_same_rule(cli_store: tuple[str, int, int], tmp_path: Path) -> None:
    _, nina, mia = cli_store
    hidden = _deseo("results", "colours", "--as", str(mia))
    assert "responses: 2 (2 completed, 0 in progress)" in hidden
    assert "Restricted secret" not in hidden and "Anonymous secret" not in hidden
    assert "Shared calm" in hidden
    shown = _deseo("results", "colours", "--as", str(nina))
    assert "responses: 4" in shown and "Restricted secret" in shown
    # Whoever runs the CLI without --as holds the store, and reads everything.
    assert "responses: 4" in _deseo("results", "colours")

    out = tmp_path / "mia.csv"
    _deseo("export", "colours", "-f", "csv", "-o", str(out), "--as", str(mia))
    assert _why(out.read_text(encoding="utf-8")) == ["Outside any campaign", "Shared calm"]
    out = tmp_path / "nina.xlsx"
    _deseo("export", "colours", "-f", "xlsx", "-o", str(out), "--as", str(nina))
    book = load_workbook(out, read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "Restricted secret" in cells and "Anonymous secret" in cells
