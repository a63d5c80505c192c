"""The `deseo` command as a person runs it: real settings, a real store; a real process where
the process is what is tested (starting, stopping, failing before any command runs), and
`deseo.cli.main` in this process for the rest."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.deseo.cli_env import run_deseo

DESEO = [sys.executable, "-m", "deseo"]
# What `deseo --help` must not load: it names the commands, it does not run them.
PRODUCT = ("bot", "forum", "storage", "discord", "telegram", "fastapi", "sqlalchemy", "uvicorn")


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        DESEO + args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    clean["DESEO_DATA_DIR"] = str(tmp_path / "data")
    return clean


def test_help_lists_the_commands(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["--help"], env, tmp_path)
    assert result.returncode == 0
    for command in ("up", "web", "bots", "worker", "doctor", "db"):
        assert command in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["db", "--help"], ["survey", "campaign", "--help"]])
def test_help_does_not_import_the_product(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['deseo', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('deseo', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stderr.split())
    assert "deseo" in loaded and "typer" in loaded
    assert loaded.isdisjoint(PRODUCT), sorted(loaded.intersection(PRODUCT))


def test_db_commands_on_a_new_store(env: dict[str, str], tmp_path: Path) -> None:
    current = run_deseo(["db", "current"], env, tmp_path)
    assert current.returncode == 0 and "none" in current.stdout

    assert run_deseo(["db", "check"], env, tmp_path).returncode == 1
    # The upgrade in a real process, as an operator runs it; the rest in this one.
    upgraded = run(["db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    check = run_deseo(["db", "check"], env, tmp_path)
    assert check.returncode == 0 and "matches the models" in check.stdout
    assert "(head)" in run_deseo(["db", "current"], env, tmp_path).stdout

    down = run_deseo(["db", "downgrade", "base"], env, tmp_path)
    assert down.returncode == 0 and "base" in down.stdout


def test_doctor_reports_on_a_fresh_machine(env: dict[str, str], tmp_path: Path) -> None:
    result = run_deseo(["doctor"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "database" in result.stdout and "would start" in result.stdout
    assert "not configured" in result.stdout


def test_doctor_flags_a_malformed_token(env: dict[str, str], tmp_path: Path) -> None:
    env["DESEO_TELEGRAM_TOKEN"] = "hello"
    result = run_deseo(["doctor"], env, tmp_path)
    assert result.returncode == 1
    assert "DESEO_TELEGRAM_TOKEN does not look like a bot token" in result.stdout


def test_unreachable_database_is_one_line_and_fails(env: dict[str, str], tmp_path: Path) -> None:
    env["DESEO_DATABASE_URL"] = "postgresql+asyncpg://nobody@127.0.0.1:1/x"
    for command in (["doctor"], ["db", "upgrade"], ["web"], ["up"]):
        result = run(command, env, tmp_path)
        assert result.returncode != 0, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (command, result.stderr)
        assert "cannot reach the database" in lines[0] and "refused" in lines[0]
        assert "Traceback" not in result.stderr


def test_wrong_setting_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    env["DESEO_WEB_PORT"] = "eighty"
    result = run(["doctor"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("deseo: DESEO_WEB_PORT")
    assert len(result.stderr.strip().splitlines()) == 1


def test_web_refuses_a_store_that_is_not_migrated(env: dict[str, str], tmp_path: Path) -> None:
    result = run_deseo(["web"], env, tmp_path)
    assert result.returncode == 1
    assert "run `deseo db upgrade`" in result.stderr


def test_bots_without_tokens_say_which_to_set(env: dict[str, str], tmp_path: Path) -> None:
    run_deseo(["db", "upgrade"], env, tmp_path)
    result = run_deseo(["bots"], env, tmp_path)
    assert result.returncode == 2
    assert "DESEO_TELEGRAM_TOKEN" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_up_serves_healthz_and_stops_on_ctrl_c(env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    env["DESEO_WEB_PORT"] = str(port)
    process = subprocess.Popen(
        [*DESEO, "up"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, "the web server never answered"
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok" and body["database"] == "ok"
        assert body["revision"] == body["head"]
        assert "REVES" in httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "deseo stopped." in output
    assert (tmp_path / "data" / "secret_key").exists()


def test_up_says_so_when_the_port_is_taken(env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env["DESEO_WEB_PORT"] = str(taken.getsockname()[1])
        result = run(["up"], env, tmp_path)
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1" in result.stderr
    assert "address already in use" in result.stderr
    assert "Traceback" not in result.stderr
