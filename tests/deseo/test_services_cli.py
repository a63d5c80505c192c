"""`deseo services export` and `import` as a coordinator runs them (`deseo.cli.main` in this
process), and the bundled directory reaching the store when `deseo up` starts."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
from pathlib import Path

import pytest

from bot import TELEGRAM
from deseo import compose
from deseo.services import build_services, catalog
from deseo.settings import load_settings
from flows.conversation.messages import Reply
from flows.conversation.service import Sender
from flows.directory.model import Directory, load_directory
from storage import Database, SqlUnitOfWork
from tests.deseo.cli_env import run_deseo

BUNDLED = load_directory()
COUNTS = (
    f"{len(BUNDLED.organisations)} organisations, {sum(1 for _ in BUNDLED.services())} "
    f"services, {len(BUNDLED.places)} places"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    clean["DESEO_DATA_DIR"] = str(tmp_path / "data")
    run_deseo(["db", "upgrade"], clean, tmp_path).check_returncode()
    return clean


def deseo(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_deseo(args, env, cwd)


def test_json_export_then_import_then_export_again(env: dict[str, str], tmp_path: Path) -> None:
    first = deseo(
        ["services", "export", "--format", "hsds-json", "-o", "out/d.json"], env, tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "the store has no directory yet: exporting the bundled one" in first.stderr
    assert f"wrote {COUNTS}" in first.stdout
    data = json.loads((tmp_path / "out" / "d.json").read_text(encoding="utf-8"))
    assert len(data["organizations"]) == len(BUNDLED.organisations)

    imported = deseo(["services", "import", "out/d.json"], env, tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert f"imported {COUNTS}" in imported.stdout

    again = deseo(["services", "export", "-o", "again.json"], env, tmp_path)
    assert again.returncode == 0 and "bundled" not in again.stderr
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "out" / "d.json").read_bytes()


def test_an_imported_csv_folder_is_what_matching_uses(env: dict[str, str], tmp_path: Path) -> None:
    exported = deseo(["services", "export", "--format", "csv", "--output", "hsds"], env, tmp_path)
    assert exported.returncode == 0, exported.stderr
    path = tmp_path / "hsds" / "organizations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or ())
        rows = list(reader)
    renamed = 0
    for row in rows:
        if row["name"] == "Clann Credo":
            row["name"] = "Clann Credo (imported)"
            renamed += 1
    assert renamed == 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)

    checked = deseo(["services", "import", "hsds", "--dry-run"], env, tmp_path)
    assert checked.returncode == 0 and "nothing was imported" in checked.stdout
    imported = deseo(["services", "import", "hsds"], env, tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert f"imported {COUNTS}" in imported.stdout

    matched = deseo(
        ["services", "match", "--need", "financing", "--where", "West Cork", "--format", "json"],
        env,
        tmp_path,
    )
    assert matched.returncode == 0, matched.stderr
    names = [m["organization"]["name"] for m in json.loads(matched.stdout)["matches"]]
    assert "Clann Credo (imported)" in names


def test_a_broken_import_is_one_line_per_problem_and_changes_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert deseo(["services", "export", "-o", "d.json"], env, tmp_path).returncode == 0
    assert deseo(["services", "import", "d.json"], env, tmp_path).returncode == 0
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    data["organizations"][0]["services"][0]["status"] = "closed"
    del data["organizations"][2]["name"]
    (tmp_path / "broken.json").write_text(json.dumps(data), encoding="utf-8")

    result = deseo(["services", "import", "broken.json"], env, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    assert lines[0].startswith("broken.json: organizations[") and "status: 'closed'" in "\n".join(
        lines
    )
    assert lines[-1] == "deseo: 2 problem(s) in broken.json; nothing was imported"
    assert "Traceback" not in result.stderr

    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    bad = deseo(["services", "import", "bad.json"], env, tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.startswith("deseo: bad.json: not valid JSON: ")
    missing = deseo(["services", "import", "nowhere"], env, tmp_path)
    assert (
        missing.returncode == 2
        and missing.stderr.strip() == "deseo: nowhere: no such file or folder"
    )

    after = deseo(["services", "export", "-o", "after.json"], env, tmp_path)
    assert after.returncode == 0
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "d.json").read_bytes()


def test_import_wants_a_migrated_store(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    clean["DESEO_DATA_DIR"] = str(tmp_path / "data")
    result = deseo(["services", "import", "anything.json"], clean, tmp_path)
    assert result.returncode == 1
    assert "run `deseo db upgrade`" in result.stderr and "Traceback" not in result.stderr


async def directory_of(database: Database) -> Directory:
    """The directory a process started now on `database` matches against."""
    return (await build_services(load_settings(), database)).directory.current


async def test_up_loads_the_bundled_directory_once(database: Database) -> None:
    said = await compose.load_bundled_content(database, catalog(load_settings()))
    assert f"directory loaded: {COUNTS}" in said
    async with SqlUnitOfWork(database) as uow:
        assert await uow.directory.load() == BUNDLED
    assert await directory_of(database) == BUNDLED

    # What a coordinator imported later stays: the next start does not load the bundled again.
    smaller = type(BUNDLED)(BUNDLED.vocabulary, BUNDLED.places, BUNDLED.organisations[:3])
    async with SqlUnitOfWork(database) as uow:
        await uow.directory.replace(smaller)
        await uow.commit()
    said = await compose.load_bundled_content(database, catalog(load_settings()))
    assert not any(line.startswith("directory") for line in said)
    async with SqlUnitOfWork(database) as uow:
        assert await uow.directory.load() == smaller
    assert await directory_of(database) == smaller


async def test_the_orientation_chat_matches_against_the_stored_directory(
    database: Database,
) -> None:
    renamed = tuple(
        dataclasses.replace(o, name=f"{o.name} (stored)") for o in BUNDLED.organisations
    )
    stored = type(BUNDLED)(BUNDLED.vocabulary, BUNDLED.places, renamed)
    async with SqlUnitOfWork(database) as uow:
        await uow.directory.replace(stored)
        await uow.commit()
    services = await build_services(load_settings(), database)
    chat = services.conversations
    who = Sender(TELEGRAM, "31", "Marie")
    await chat.begin(who, "orientation")
    said = []
    for text in ("start", "2, 11", "crafts", "West Cork", "6", "English"):
        said += [m.text for m in (await chat.handle(who, Reply(text))).messages]
    final = "\n".join(said)
    assert "Here is what fits best:" in final
    assert "(stored)" in final
    assert services.directory.current == stored
