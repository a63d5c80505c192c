"""`deseo chat`, `deseo report` and `deseo flows` as a person uses them, run by
`deseo.cli.main` in this process (`run_deseo`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.deseo.cli_env import run_deseo


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    clean["DESEO_DATA_DIR"] = str(tmp_path / "data")
    run_deseo(["db", "upgrade"], clean, tmp_path).check_returncode()
    return clean


def deseo(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return run_deseo(args, env, cwd, input=stdin)


def test_flows_list_and_check(env: dict[str, str], tmp_path: Path) -> None:
    listed = deseo(["flows", "list"], env, tmp_path)
    assert listed.returncode == 0
    assert "citess" in listed.stdout and "deseo" in listed.stdout
    checked = deseo(["flows", "check"], env, tmp_path)
    assert checked.returncode == 0 and checked.stdout.count("ok ") == len(
        list((Path(__file__).parents[2] / "flows" / "content").glob("*.yaml"))
    )


def test_flows_check_names_file_step_and_fault(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "id: broken\nversion: 1\nkind: survey\ntitle: B\nlanguages: [en]\nphases:\n"
        "  - id: one\n    title: One\n    steps:\n"
        '      - {id: age, kind: numbr, text: "How old?"}\n'
    )
    result = deseo(["flows", "check", str(broken)], env, tmp_path)
    assert result.returncode == 1
    assert f"{broken}: step 'age' (phase 'one'): kind must be one of" in result.stderr


def test_piped_answers_run_a_flow_to_its_report(env: dict[str, str], tmp_path: Path) -> None:
    # Answers by word, by number, with an inline note, and a note after a "no".
    answers = ["yes", "2", "skip", "no", "we never discussed it", "partly: only on paper"]
    first = deseo(["chat", "deseo"], env, tmp_path, "\n".join(answers) + "\n")
    assert first.returncode == 1  # the input ended before the flow did
    assert "Phase 1 of 6 · question 1 of 7" in first.stdout
    assert "Would you like to add a note" in first.stdout
    assert "deseo chat deseo" in first.stdout

    # A new run picks up where the last one stopped; then every other answer is "yes".
    second = deseo(["chat", "deseo"], env, tmp_path, "yes\n" * 200)
    assert second.returncode == 0, second.stdout[-2000:]
    assert second.stdout.startswith("Welcome back") or "question 5 of 7" in second.stdout[:400]
    assert "# Report: DESEO cluster check" in second.stdout
    assert "we never discussed it" in second.stdout
    assert "(conversation 1)" in second.stdout

    as_json = deseo(["report", "1", "--format", "json"], env, tmp_path)
    data = json.loads(as_json.stdout)
    assert data["complete"] is True
    first_phase = data["phases"][0]
    assert first_phase["counts"]["no"] == 1 and first_phase["counts"]["partly"] == 2
    assert [g["note"] for g in first_phase["gaps"]] == ["we never discussed it"]

    html = deseo(["report", "1", "--format", "html"], env, tmp_path)
    assert html.stdout.startswith("<!doctype html>")
    assert deseo(["report", "99"], env, tmp_path).returncode == 1


def test_chat_new_starts_over_and_unknown_flow_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    deseo(["chat", "citess"], env, tmp_path, "yes\nyes\n")
    again = deseo(["chat", "citess", "--new"], env, tmp_path, "")
    assert "Phase 1 of 5 · question 1 of" in again.stdout
    unknown = deseo(["chat", "nosuch"], env, tmp_path, "")
    assert unknown.returncode == 2 and "there is no flow 'nosuch'" in unknown.stdout


def test_chat_without_a_flow_resumes_or_lists(env: dict[str, str], tmp_path: Path) -> None:
    nothing = deseo(["chat"], env, tmp_path, "")
    assert nothing.returncode == 2 and "citess" in nothing.stdout
    deseo(["chat", "citess"], env, tmp_path, "yes\n")
    resumed = deseo(["chat"], env, tmp_path, "")
    assert "question 2 of" in resumed.stdout
