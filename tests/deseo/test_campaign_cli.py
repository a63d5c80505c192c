"""`deseo survey campaign ...` end to end through the `deseo` Typer app, on a store of its own:
create, invite, list, show, answer in the terminal, results, export, close."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import TELEGRAM
from deseo.cli import app
from deseo.cli.common import CommandError
from deseo.services import build_services
from deseo.settings import load_settings
from flows.conversation.service import Sender
from flows.surveys.service import CampaignService
from storage import Database
from storage.migrate import upgrade
from tests.bot.platforms import registered
from tests.deseo.cli_env import clean_cli_env
from tests.storage.test_results import answer

ANN = Sender(TELEGRAM, "1001", "Ann", "en")
BOB = Sender(TELEGRAM, "1002", "Bob", "en")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    data = clean_cli_env(tmp_path, monkeypatch)
    monkeypatch.setenv("DESEO_TIMEZONE", "Europe/Rome")
    url = f"sqlite+aiosqlite:///{data / 'deseo.db'}"
    upgrade(url)
    return url


def deseo(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, ["survey", "campaign", *args], input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def refused(*args: str) -> CommandError:
    result = CliRunner().invoke(app, ["survey", "campaign", *args])
    assert isinstance(result.exception, CommandError), result.output
    return result.exception


def respond(url: str, who: Sender, ref: str, *, stop_at: str | None = None) -> None:
    """`who` answers the campaign's survey in a chat, as the bots would carry it."""

    async def run() -> None:
        database = Database.from_url(url)
        try:
            chat = (await build_services(load_settings(), database)).conversations
            campaigns = CampaignService(chat.units, chat.clock, chat, platforms=registered())
            started = await campaigns.start(who, ref)
            assert started.status == "open", started.messages
            await answer(chat, who, {"gender": "woman"}, stop_at=stop_at)
        finally:
            await database.dispose()

    asyncio.run(run())


def test_a_campaign_from_the_terminal(store: str, tmp_path: Path) -> None:
    created = deseo(
        "create",
        "messina",
        "--title",
        "Messina 2026",
        "--closes",
        "2099-12-31T18:00",
        "--remind",
        "3d,1d-before-close",
    )
    assert "campaign messina-2026 created: messina, named" in created
    assert "closes 31 December 2099, 18:00 CET, reminders 3d, 1d-before-close" in created

    invited = deseo(
        "invite",
        "messina-2026",
        "--telegram",
        "1001",
        "--telegram",
        "1002",
        "--chat",
        "telegram:-100500",
        "--link",
        "--telegram-bot",
        "deseo_bot",
    )
    assert "the bot writes to telegram:1001" in invited
    assert "chat telegram:-100500 invited; one message goes there" in invited
    assert "https://t.me/deseo_bot?start=c_" in invited
    assert "was invited already" in deseo("invite", "messina-2026", "--telegram", "1001")

    respond(store, ANN, "messina-2026")
    respond(store, BOB, "messina-2026", stop_at="children-count")
    listed = deseo("list")
    assert "messina-2026" in listed and "open" in listed
    shown = deseo("show", "messina-2026")
    assert "invited 2, started 2, completed 1, in progress 1, response rate 50.0%" in shown
    assert "chat: telegram:-100500" in shown and "open link:" in shown

    results = deseo("results", "messina-2026")
    assert "responses: 2 (1 completed, 1 in progress)" in results
    assert "response rate: 1 of 2 invited (50.0%)" in results
    output = tmp_path / "messina.csv"
    assert "wrote 2 responses" in deseo(
        "export", "messina-2026", "--format", "csv", "--output", str(output)
    )
    with output.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["_status"] for r in rows] == ["completed", "open"]
    assert rows[0]["gender"] == "woman"

    # In the terminal: the person running it is walked in by the open link.
    # Input ends half-way: the answers are kept, the command says so and fails.
    typed = CliRunner().invoke(
        app, ["survey", "campaign", "answer", "messina-2026"], input="woman\n"
    )
    assert typed.exit_code == 1, typed.output
    assert "kept with your name" in typed.output and "Stopped before the end" in typed.output
    assert "invited 3, started 3" in deseo("show", "messina-2026")

    assert "closed" in deseo("close", "messina-2026")
    assert "status: closed" in deseo("show", "messina-2026")
    assert "was closed already" in str(refused("close", "messina-2026"))


def test_anonymous_results_are_for_coordinators(store: str) -> None:
    deseo(
        "create", "messina", "--title", "Anonymous", "--anonymous", "--closes", "2099-01-01T00:00"
    )
    deseo("invite", "anonymous", "--telegram", "1001", "--telegram", "1002")
    respond(store, ANN, "anonymous")
    # Person 1 is Ann, 2 Bob; neither coordinates this campaign, nor does anyone yet.
    assert "only the coordinators" in str(refused("results", "anonymous", "--as", "1"))
    assert "now coordinates" in deseo("coordinator", "anonymous", "2")
    assert "responses: 1 (1 completed" in deseo("results", "anonymous", "--as", "2")


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["create", "messina", "--title", "X", "--remind", "soon"], "--remind", 2),
        (["create", "nothing", "--title", "X"], "nothing", 1),
        (["create", "citess", "--title", "X"], "not a survey", 1),
        (["create", "messina", "--title", "X", "--opens", "tomorrow"], "--opens", 2),
        (["invite", "messina-x"], "say whom to invite", 2),
        (["invite", "nothing", "--person", "1"], "there is no campaign", 1),
        (["invite", "nothing", "--chat", "irc:1"], "telegram:CHAT_ID", 2),
    ],
)
def test_mistakes_are_one_line(store: str, args: list[str], message: str, code: int) -> None:
    error = refused(*args)
    assert message in str(error) and error.code == code
