"""The environment a CLI test runs `deseo` in: its own folder and data directory, and no
`DESEO_*` setting leaking in from the machine running the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
