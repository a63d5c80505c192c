"""The registered platforms, as the runtime sees them through `PlatformAdapter`."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot import DISCORD, TELEGRAM
from bot.platforms import adapters
from deseo.runtime import bot_parts, worker_part
from deseo.settings import Settings
from storage import Database
from tests.bot.discord_fake import GOOD_TOKEN
from tests.bot.telegram_fakes import TOKEN
from tests.services import services_for


def test_every_platform_is_registered_and_unconfigured_without_its_token(tmp_path: Path) -> None:
    registered = adapters(Settings(data_dir=tmp_path))
    assert [a.name for a in registered] == [TELEGRAM, DISCORD]
    assert not any(a.configured for a in registered)


def test_a_token_configures_its_platform_only(tmp_path: Path) -> None:
    telegram, discord = adapters(Settings(data_dir=tmp_path, telegram_token=TOKEN))
    assert telegram.configured and not discord.configured
    assert telegram.where == "polling https://api.telegram.org"


def test_a_webhook_is_where_telegram_is_reached(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        telegram_token=TOKEN,
        telegram_webhook_url="https://deseo.example/hook",
        telegram_webhook_port=9443,
    )
    telegram, _ = adapters(settings)
    assert telegram.where == "webhook https://deseo.example/hook (listening on 127.0.0.1:9443)"


async def test_closing_a_sender_never_opened_does_nothing(tmp_path: Path) -> None:
    for adapter in adapters(Settings(data_dir=tmp_path)):
        await adapter.close_sender()


async def test_the_bots_of_configured_platforms_become_parts(
    database: Database, tmp_path: Path
) -> None:
    services = services_for(database)
    both = Settings(data_dir=tmp_path, telegram_token=TOKEN, discord_token=GOOD_TOKEN)
    assert [(p.name, p.where) for p in bot_parts(both, services)] == [
        ("telegram", "polling https://api.telegram.org"),
        ("discord", "gateway (slash commands published when they change)"),
    ]
    only_discord = Settings(data_dir=tmp_path, discord_token=GOOD_TOKEN)
    assert [p.name for p in bot_parts(only_discord, services)] == ["discord"]


async def test_a_platform_the_worker_cannot_reach_is_logged_and_the_worker_runs_on(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        data_dir=tmp_path, telegram_token=TOKEN, telegram_api_url="http://127.0.0.1:9/bot"
    )
    part = worker_part(settings, services_for(database))
    stop = asyncio.Event()
    stop.set()
    with caplog.at_level(logging.ERROR, logger="deseo"):
        await asyncio.wait_for(part.run(stop), 60)
    assert "cannot send on Telegram:" in caplog.text
