"""Settings from `DESEO_*` environment variables or a `.env` file, checked once at start."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from ipaddress import ip_network
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage import DatabaseURLError, normalise_url

LANGUAGES = ("en", "fr", "it", "es")
TELEGRAM_TOKEN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
# A Discord bot token is three base64url parts: the bot's id, a timestamp, an HMAC.
DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
SECRET_FILE = "secret_key"


class SettingsError(Exception):
    """A setting is wrong; the message is one line a person can act on."""


class Settings(BaseSettings):
    """Everything deseo can be told from outside. Defaults run on one machine with no setup."""

    model_config = SettingsConfigDict(
        env_prefix="DESEO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default=Path("data"), description="Where deseo keeps its files.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: an SQLite file deseo.db in the data directory.",
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web server listens on.")
    web_port: int = Field(default=8000, ge=1, le=65535, description="Port of the web server.")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach the web forum, for links in chats, feeds and the CLI; "
        "an https URL makes the session cookie Secure.",
    )
    page_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="How long anonymous readers' board and thread pages are reused (0: never).",
    )
    session_idle_minutes: int = Field(
        default=7 * 24 * 60,
        ge=5,
        le=14 * 24 * 60,
        description="A signed-in session unused this many minutes ends (at most 14 days, "
        "the longest a session lasts).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of the reverse proxies in front of "
        "the web server; only their X-Forwarded-For is believed. Unset: the header is ignored.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs sessions and links; generated once into the data directory if unset.",
    )
    telegram_token: str | None = Field(default=None, description="Telegram bot token.")
    telegram_bot: str | None = Field(
        default=None,
        description="The Telegram bot's username, without @, to write t.me links to it "
        "(a campaign's open link, its invitations).",
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL, for a self-hosted Bot API server.",
    )
    telegram_webhook_url: str | None = Field(
        default=None,
        description="Public https URL Telegram posts updates to; unset: the bot polls.",
    )
    telegram_webhook_listen: str = Field(
        default="127.0.0.1", description="Address the webhook server listens on."
    )
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_webhook_secret: str | None = Field(
        default=None,
        description="Secret Telegram sends with each webhook call; derived from the secret key.",
    )
    discord_token: str | None = Field(default=None, description="Discord bot token.")
    timezone: str = Field(default="Europe/Brussels", description="Default IANA time zone.")
    language: str = Field(default="en", description="Default language: en, fr, it or es.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (try Europe/Dublin)") from None
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"unsupported language {value!r}: use one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _usable_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            return normalise_url(value).render_as_string(hide_password=False)
        except DatabaseURLError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("telegram_token", "telegram_bot", "discord_token", "secret_key")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{part.strip()!r} is not an address or network") from None
        return value

    @property
    def proxies(self) -> tuple[str, ...]:
        """The trusted proxies, one address or network each."""
        return tuple(part.strip() for part in self.trusted_proxies.split(",") if part.strip())

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("telegram_webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://"):
            raise ValueError(f"{value!r} is not an https URL (Telegram only calls https)")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_token(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("use 1 to 256 letters, digits, _ and -")
        return value or None

    def webhook_secret(self) -> str:
        """The webhook secret: the setting, or one derived from the secret key."""
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret
        key = self.ensure_secret_key().encode()
        return hashlib.sha256(b"telegram-webhook:" + key).hexdigest()

    @property
    def database(self) -> str:
        """The database URL in force."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'deseo.db'}"

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}:{self.web_port}"

    def telegram_token_problem(self) -> str | None:
        """Why the Telegram token cannot be right, or None when it looks right or is unset."""
        if self.telegram_token and not TELEGRAM_TOKEN.match(self.telegram_token):
            return (
                "DESEO_TELEGRAM_TOKEN does not look like a bot token "
                "(digits:letters, from @BotFather)"
            )
        return None

    def discord_token_problem(self) -> str | None:
        """Why the Discord token cannot be right, or None when it looks right or is unset."""
        if self.discord_token and not DISCORD_TOKEN.match(self.discord_token):
            return "DESEO_DISCORD_TOKEN does not look like a bot token (three parts joined by dots)"
        return None

    def ensure_secret_key(self) -> str:
        """The secret key: the setting, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE
        try:
            if path.exists():
                key = path.read_text(encoding="utf-8").strip()
                if key:
                    self.secret_key = key
                    return key
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            # Created private from the start, so the key is never readable by others.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(key + "\n")
        except OSError as exc:
            raise SettingsError(f"cannot keep the secret key in {path}: {exc.strerror}") from exc
        self.secret_key = key
        return key


def load_settings() -> Settings:
    """Read the settings; a wrong one raises `SettingsError` naming the variable and the fault."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "DESEO_" + str(error["loc"][0]).upper() if error["loc"] else "a setting"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
