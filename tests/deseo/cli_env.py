"""The environment a CLI test runs `deseo` in: its own folder and data directory, and no
`DESEO_*` setting leaking in from the machine running the tests; and `deseo` run in this
process as the installed command runs it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deseo.cli import main


def clean_cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None = None
) -> Path:
    """Work in `tmp_path` with `tmp_path/data` as the data directory (and the store at
    `database_url` when given); returns the data directory."""
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("DESEO_")]:
        monkeypatch.delenv(name)
    data = tmp_path / "data"
    monkeypatch.setenv("DESEO_DATA_DIR", str(data))
    if database_url is not None:
        monkeypatch.setenv("DESEO_DATABASE_URL", database_url)
    return data


def run_deseo(
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`deseo ARGS` run through `deseo.cli.main` in this process, as a child process with
    exactly `env` in `cwd` would run it: a known failure is one line on stderr and an exit
    code. Only the environment and the folder change, and only while it runs.

    Call it from a test that is not async: some commands start an event loop of their own."""
    runner = CliRunner()
    # The runner adds to the environment; a `DESEO_*` setting `env` leaves out is removed.
    changes: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("DESEO_") and name not in env
    }
    changes.update({name: value for name, value in env.items() if name.startswith("DESEO_")})
    code = 0
    with (
        contextlib.chdir(cwd),
        runner.isolation(input=input, env=changes) as (stdout, stderr, _),
    ):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    return subprocess.CompletedProcess(["deseo", *args], code, out, err)
