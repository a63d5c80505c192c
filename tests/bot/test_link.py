"""/link on Telegram: a one-time code, entered on the forum's account page, makes the chat
person and the web account one person. Through python-telegram-bot's Application and the
recording request layer; the web through an in-process client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot import TELEGRAM
from bot.commands import COMMAND_NAMES
from bot.telegram_app import TelegramConfig, build_telegram
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.service import ConversationService
from flows.people.codes import LINK, digest
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.models import OneTimeCode
from tests.bot.telegram_fakes import TOKEN, RecordingRequest, chat, text_update
from tests.forum.helpers import START, client, create_account, log_in, make_app, post_form

CONFIG = TelegramConfig(token=TOKEN, api_url="http://127.0.0.1:9/bot")
CODE = re.compile(r"<b>([A-Z0-9]{8})</b>")


class Bot:
    def __init__(self, database: Database, clock: FixedClock) -> None:
        self.request = RecordingRequest()
        service = ConversationService(
            unit_of_work_factory(database), FlowCatalog.from_directory(), clock
        )
        self.app = build_telegram(service, CONFIG, request=self.request, rate_limit=False)

    async def feed(self, data: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def bot(database: Database, clock: FixedClock) -> AsyncIterator[Bot]:
    running = Bot(database, clock)
    await running.app.initialize()
    yield running
    await running.app.shutdown()


def test_link_is_a_command_everywhere() -> None:
    assert "link" in COMMAND_NAMES


async def test_link_gives_a_code_that_joins_the_chat_to_the_web_account(
    bot: Bot, database: Database, clock: FixedClock
) -> None:
    await bot.feed(text_update("/start"))
    await bot.feed(text_update("/link"))
    said = bot.request.texts()[-1]
    found = CODE.search(said)
    assert found is not None, said
    assert "account page" in said and "15 minutes" in said
    code = found.group(1)
    async with SqlUnitOfWork(database) as uow:
        chat_person = await uow.people.identify(TELEGRAM, "4242", display_name="")
        assert await uow.accounts.peek_code(LINK, digest(code), now=clock.now()) == chat_person.id

    account = await create_account(database, "aoife")
    clock.advance(timedelta(minutes=10))
    async with client(make_app(database, clock)) as http:
        await log_in(http, "aoife")
        linked = await post_form(http, "/account/link", {"code": code}, page="/account")
        assert linked.status_code == 303
        assert "Telegram (user 4242)" in (await http.get("/account")).text
    async with SqlUnitOfWork(database) as uow:
        now_one = await uow.people.identify(TELEGRAM, "4242", display_name="")
    assert now_one.id == account.person_id


async def test_link_in_a_group_gives_no_code(bot: Bot, database: Database) -> None:
    await bot.feed(text_update("/link", where=chat(-100123, "supergroup")))
    said = bot.request.texts()[-1]
    assert "private chat" in said and CODE.search(said) is None
    async with SqlUnitOfWork(database) as uow:
        issued = await uow.session.scalar(select(func.count()).select_from(OneTimeCode))
    assert issued == 0


async def test_a_second_link_code_replaces_the_first(bot: Bot, database: Database) -> None:
    await bot.feed(text_update("/link"))
    await bot.feed(text_update("/link"))
    first, second = (CODE.search(t) for t in bot.request.texts()[-2:])
    assert first is not None and second is not None
    async with SqlUnitOfWork(database) as uow:
        now = START
        assert await uow.accounts.peek_code(LINK, digest(first.group(1)), now=now) is None
        assert await uow.accounts.peek_code(LINK, digest(second.group(1)), now=now) is not None
