"""Settings: defaults that run with no setup, and wrong values named in one line."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deseo.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("DESEO_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_run_on_one_machine() -> None:
    settings = load_settings()
    assert settings.database == "sqlite+aiosqlite:///data/deseo.db"
    assert settings.web_url == "http://127.0.0.1:8000"
    assert settings.telegram_token is None and settings.discord_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DESEO_WEB_PORT=9000\nDESEO_LANGUAGE=it\n")
    monkeypatch.setenv("DESEO_DATABASE_URL", "postgres://u@db/deseo")
    settings = load_settings()
    assert settings.web_port == 9000
    assert settings.language == "it"
    assert settings.database == "postgresql+asyncpg://u@db/deseo"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DESEO_WEB_PORT", "eighty", "DESEO_WEB_PORT"),
        ("DESEO_WEB_PORT", "70000", "DESEO_WEB_PORT"),
        ("DESEO_TIMEZONE", "Europe/Atlantis", "unknown time zone"),
        ("DESEO_LANGUAGE", "de", "unsupported language"),
        ("DESEO_DATABASE_URL", "mysql://x@y/z", "unsupported database"),
        ("DESEO_TELEGRAM_API_URL", "ftp://example", "not an http(s) URL"),
    ],
)
def test_a_wrong_setting_is_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings().ensure_secret_key()
    second = load_settings().ensure_secret_key()
    assert first == second and len(first) >= 40
    mode = (tmp_path / "data" / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_secret_key_from_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESEO_SECRET_KEY", "from-the-environment")
    assert load_settings().ensure_secret_key() == "from-the-environment"
    assert not (tmp_path / "data" / "secret_key").exists()


def test_token_shapes_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESEO_TELEGRAM_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("DESEO_DISCORD_TOKEN", "not-a-token")
    settings = load_settings()
    assert settings.telegram_token_problem() is None
    assert "DESEO_DISCORD_TOKEN" in (settings.discord_token_problem() or "")


def test_the_telegram_bot_username_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().telegram_bot is None
    monkeypatch.setenv("DESEO_TELEGRAM_BOT", " deseo_bot ")
    assert load_settings().telegram_bot == "deseo_bot"
    monkeypatch.setenv("DESEO_TELEGRAM_BOT", "  ")
    assert load_settings().telegram_bot is None
