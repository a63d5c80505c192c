"""`deseo survey import` as a coordinator uses it (`deseo.cli.main` in this process): a good
XLSForm becomes a flow file in the data directory and its id is printed; a broken one is
refused, row by row."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from flows.conversation.loading import load_flow_file
from tests.deseo.cli_env import run_deseo


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    clean["DESEO_DATA_DIR"] = str(tmp_path / "data")
    return clean


def deseo(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_deseo(args, env, cwd)


def form(
    path: Path, survey: Sequence[Sequence[Any]], form_id: str = "Work & Care", version: Any = 3
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "required", "relevant", "constraint", "calculation"])
    for row in survey:
        sheet.append(list(row))
    choices = book.create_sheet("choices")
    for row in [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version"])
    settings.append([form_id, "Work and care", version])
    book.save(path)
    return path


GOOD = [
    ["select_one yn", "carer", "Do you care for someone?", "yes"],
    ["integer", "hours", "Hours a week?", "yes", "${carer} = 'yes'", ". > 0 and . < 169"],
]


def test_a_form_is_imported_into_the_data_directory(env: dict[str, str], tmp_path: Path) -> None:
    path = form(tmp_path / "care.xlsx", GOOD)
    result = deseo(["survey", "import", str(path)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "work-care"
    written = tmp_path / "data" / "flows" / "work-care.yaml"
    assert f"wrote {written}: work-care v3, 1 phases, 2 questions" in result.stderr
    flow = load_flow_file(written)
    assert (flow.id, flow.version, flow.kind) == ("work-care", 3, "survey")
    checked = deseo(["flows", "check", str(written)], env, tmp_path)
    assert checked.returncode == 0 and "ok " in checked.stdout

    # The same form again is fine; a changed form under the same version is not.
    assert deseo(["survey", "import", str(path)], env, tmp_path).returncode == 0
    changed = form(tmp_path / "care.xlsx", [*GOOD, ["text", "more", "More?"]])
    again = deseo(["survey", "import", str(changed)], env, tmp_path)
    assert again.returncode == 1
    assert "raise the version in the form's settings sheet" in again.stderr
    raised = form(tmp_path / "care.xlsx", [*GOOD, ["text", "more", "More?"]], version=4)
    assert deseo(["survey", "import", str(raised)], env, tmp_path).returncode == 0
    assert load_flow_file(written).version == 4


def test_output_chooses_the_folder(env: dict[str, str], tmp_path: Path) -> None:
    path = form(tmp_path / "care.xlsx", GOOD, form_id="care")
    result = deseo(["survey", "import", str(path), "--output", "elsewhere"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "care"
    assert (tmp_path / "elsewhere" / "care.yaml").is_file()
    assert not (tmp_path / "data" / "flows").exists()


def test_a_broken_form_is_refused_with_its_rows(env: dict[str, str], tmp_path: Path) -> None:
    path = form(
        tmp_path / "broken.xlsx",
        [
            ["text", "ok", "Fine?"],
            ["geopoint", "where", "Where do you live?"],
            ["calculate", "total", None, None, None, None, "1 + 1"],
            ["begin repeat", "child", "Each child"],
            ["text", "child_name", "Name?"],
            ["end repeat"],
        ],
    )
    result = deseo(["survey", "import", str(path)], env, tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f"{path}: survey row 3 ('where'): locations are not supported",
        f"{path}: survey row 4 ('total'): calculations are not supported",
        f"{path}: survey row 5 ('child'): repeats are not supported",
        f"deseo: {path} was not imported",
    ]
    assert not (tmp_path / "data" / "flows").exists()


def test_a_form_that_breaks_a_flow_rule_names_the_step(env: dict[str, str], tmp_path: Path) -> None:
    path = form(
        tmp_path / "order.xlsx", [["text", "a", "A", None, "${b} = 'x'"], ["text", "b", "B"]]
    )
    result = deseo(["survey", "import", str(path)], env, tmp_path)
    assert result.returncode == 1
    assert f"{path}: step 'a' (phase 'main'): when: 'b' is not an earlier step" in result.stderr


def test_a_bundled_flow_is_not_shadowed(env: dict[str, str], tmp_path: Path) -> None:
    path = form(tmp_path / "messina.xlsx", GOOD, form_id="messina", version=1)
    result = deseo(["survey", "import", str(path)], env, tmp_path)
    assert result.returncode == 1
    assert "deseo already has a flow 'messina'" in result.stderr


def test_a_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    result = deseo(["survey", "import", "nowhere.xlsx"], env, tmp_path)
    assert result.returncode == 1
    assert "nowhere.xlsx: there is no such file" in result.stderr


def test_an_imported_survey_can_be_answered_at_once(env: dict[str, str], tmp_path: Path) -> None:
    path = form(tmp_path / "care.xlsx", GOOD)
    assert deseo(["survey", "import", str(path)], env, tmp_path).returncode == 0
    assert "work-care" in deseo(["flows", "list"], env, tmp_path).stdout
    assert deseo(["db", "upgrade"], env, tmp_path).returncode == 0
    chat = run_deseo(["chat", "work-care"], env, tmp_path, input="1\n0\n200\n12\n")
    assert chat.returncode == 0, chat.stdout + chat.stderr
    assert "Hours a week?" in chat.stdout
    assert chat.stdout.count("Hours a week?") == 3  # asked, then again after 0 and after 200
