"""`deseo boards ...` on both databases, and the default boards `deseo up` makes for a new
forum."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from deseo.cli import app
from deseo.cli.common import CommandError, on_store
from flows.people.model import Platform
from forum.boards import BoardFileError, create_default_boards, load_default_boards
from storage import Database, SqlUnitOfWork
from storage.repositories.forum_records import BoardRecord
from tests.deseo.cli_env import clean_cli_env


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    clean_cli_env(tmp_path, monkeypatch, database_url)
    return CliRunner()


def boards(url: str) -> list[BoardRecord]:
    async def read(database: Database) -> list[BoardRecord]:
        async with SqlUnitOfWork(database) as work:
            return await work.forum.boards()

    return on_store(url, read)


def refusal(result: Result) -> int:
    """The exit code `deseo` gives a command that stopped with a one-line reason."""
    assert isinstance(result.exception, CommandError), result.output
    return result.exception.code


def test_create_list_update_and_delete(runner: CliRunner, database_url: str) -> None:
    made = runner.invoke(app, ["boards", "create", "general", "General discussion"])
    news = runner.invoke(
        app,
        [
            "boards",
            "create",
            "news",
            "Announcements",
            "--description",
            "From the coordinators",
            "--position",
            "-1",
            "--thread-role",
            "coordinator",
            "--approve-first-posts",
        ],
    )
    assert made.exit_code == 0 and "board general created at position 0" in made.output
    assert news.exit_code == 0, news.output
    listed = runner.invoke(app, ["boards", "list"])
    assert listed.exit_code == 0
    assert listed.output.index("news") < listed.output.index("general")
    assert "threads by coordinators, first posts approved" in listed.output

    changed = runner.invoke(
        app,
        [
            "boards",
            "update",
            "news",
            "--title",
            "News",
            "--no-approve-first-posts",
            "--position",
            "5",
        ],
    )
    assert changed.exit_code == 0, changed.output
    found = {b.slug: b for b in boards(database_url)}
    assert found["news"].title == "News" and not found["news"].approve_first_posts
    assert found["news"].description == "From the coordinators"
    assert [b.slug for b in boards(database_url)] == ["general", "news"]

    deleted = runner.invoke(app, ["boards", "delete-empty", "news"])
    assert deleted.exit_code == 0 and [b.slug for b in boards(database_url)] == ["general"]


def test_refusals(runner: CliRunner, database_url: str) -> None:
    assert runner.invoke(app, ["boards", "create", "general", "General"]).exit_code == 0
    twice = runner.invoke(app, ["boards", "create", "general", "Again"])
    bad_slug = runner.invoke(app, ["boards", "create", "Not A Slug", "x"])
    bad_role = runner.invoke(app, ["boards", "create", "ok", "x", "--thread-role", "king"])
    missing = runner.invoke(app, ["boards", "update", "nowhere", "--title", "x"])
    assert [refusal(r) for r in (twice, bad_slug, bad_role, missing)] == [1, 2, 2, 1]
    assert "exists already" in str(twice.exception)

    async def add_thread(database: Database) -> None:
        async with SqlUnitOfWork(database) as work:
            board = await work.forum.board_by_slug("general")
            person = await work.people.identify(Platform.WEB, "ana", display_name="Ana")
            assert board is not None
            await work.forum.create_thread(
                board.id,
                person.id,
                "t",
                body="b",
                html="<p>b</p>",
                text="b",
                pending=False,
                now=datetime(2026, 11, 1, tzinfo=UTC),
            )
            await work.commit()

    on_store(database_url, add_thread)
    busy = runner.invoke(app, ["boards", "delete-empty", "general"])
    assert refusal(busy) == 1 and "has threads" in str(busy.exception)
    assert [b.slug for b in boards(database_url)] == ["general"]


async def test_default_boards_are_made_once_and_only_for_an_empty_forum(
    database: Database,
) -> None:
    first = await create_default_boards(database)
    again = await create_default_boards(database)
    async with SqlUnitOfWork(database) as work:
        made = await work.forum.boards()
    assert first and again == []
    assert [b.slug for b in made] == [b.slug for b in load_default_boards()]
    announcements = made[0]
    assert announcements.title == "Announcements" and announcements.thread_role == "coordinator"
    assert {b.title for b in made} >= {"General discussion", "Meetings", "Surveys"}


def test_a_broken_defaults_file_names_itself(tmp_path: Path) -> None:
    broken = tmp_path / "boards.yaml"
    broken.write_text("boards:\n  - slug: Bad Slug\n    title: x\n", encoding="utf-8")
    with pytest.raises(BoardFileError, match=r"boards.yaml, board 1: 'Bad Slug' is not"):
        load_default_boards(broken)
    broken.write_text("boards:\n  - slug: ok\n    title: x\n    colour: red\n", encoding="utf-8")
    with pytest.raises(BoardFileError, match="unknown field"):
        load_default_boards(broken)
