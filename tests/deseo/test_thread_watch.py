"""A chat follows a forum thread and is told of its new posts, end to end: `/watch` through
python-telegram-bot's Application over the recording request layer, posts through the forum's
`Discussion`, and the notices through the outbox `Dispatcher` and the bot's `TelegramSender`.

It crosses the bot and the forum, which never import each other, so it lives here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot import TELEGRAM
from bot.commands import COMMAND_NAMES
from bot.senders import TelegramSender
from bot.telegram_app import TelegramConfig, build_telegram
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.service import ConversationService
from flows.outbox.dispatcher import Dispatcher
from flows.people.model import Role
from forum.auth import Viewer
from forum.discussion import Discussion
from forum.discussion_terms import PostAction
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.models import OutboxRow
from storage.repositories.accounts import AccountRecord
from storage.repositories.forum_records import ThreadRecord
from tests.bot.platforms import registered
from tests.bot.telegram_fakes import TOKEN, RecordingRequest, chat, text_update, user
from tests.forum.discussion_support import make_board, viewer
from tests.forum.helpers import START, create_account

CONFIG = TelegramConfig(token=TOKEN, api_url="http://127.0.0.1:9/bot")
SITE = "https://forum.example"
GROUP = chat(-100777, "group")


class World:
    """The bot, the forum's discussion service and the outbox dispatcher on one store."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.clock = FixedClock(START)
        self.request = RecordingRequest()
        units = unit_of_work_factory(database)
        service = ConversationService(units, FlowCatalog.from_directory(), self.clock)
        self.app = build_telegram(service, CONFIG, request=self.request, rate_limit=False)
        self.forum = Discussion(database, self.clock, public_url=SITE, platforms=registered())
        self.dispatcher = Dispatcher(
            units,
            TelegramSender(self.app.bot),
            self.clock,
            worker="test",
            platforms=frozenset({TELEGRAM}),
        )

    async def feed(self, data: dict[str, Any]) -> str:
        """Deliver an update; what the bot said last."""
        self.request.clear()
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.request.texts()[-1]

    async def rows(self) -> list[tuple[str, str, str]]:
        """(key, chat, status) of every outbox row."""
        async with SqlUnitOfWork(self.database) as uow:
            found = await uow.session.execute(
                select(OutboxRow.key, OutboxRow.chat_id, OutboxRow.status).order_by(OutboxRow.id)
            )
            return [tuple(row) for row in found]  # type: ignore[misc]

    async def dispatched(self) -> list[str]:
        """Run the worker; the texts it sent."""
        self.request.clear()
        await self.dispatcher.drain()
        return self.request.texts()


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    running = World(database)
    await running.app.initialize()
    yield running
    await running.app.shutdown()


async def scene(
    world: World, **board_options: object
) -> tuple[AccountRecord, AccountRecord, ThreadRecord]:
    """A moderator's thread on a board, and a member who may reply."""
    moderator = await create_account(world.database, "mod", roles=[Role.MODERATOR])
    member = await create_account(world.database, "brid", display_name="Bríd")
    board = await make_board(world.database, "general", **board_options)
    thread = await world.forum.start_thread(
        viewer(moderator), board.id, "Agenda for Messina", "The items"
    )
    return moderator, member, thread


def test_watch_and_unwatch_are_commands_everywhere() -> None:
    assert {"watch", "unwatch"} <= COMMAND_NAMES


async def test_a_watching_chat_is_told_of_each_new_post_once(world: World) -> None:
    moderator, member, thread = await scene(world)
    said = await world.feed(text_update(f"/watch {thread.id}"))
    assert "now follows “Agenda for Messina”" in said
    assert "already follows" in await world.feed(text_update(f"/watch {SITE}/threads/{thread.id}"))
    assert await world.rows() == []  # the opening post is not news to anyone

    post = await world.forum.reply(viewer(member), thread.id, "I *will* bring the minutes.")
    key = f"thread/{thread.id}/post/{post.id}/telegram:4242"
    assert await world.rows() == [(key, "4242", "pending")]
    sent = await world.dispatched()
    assert sent == [
        "New post in “Agenda for Messina” by Bríd: I will bring the minutes.\n"
        f"{SITE}/posts/{post.id}"
    ]
    assert world.request.sent()[-1]["chat_id"] == 4242
    assert await world.rows() == [(key, "4242", "sent")]

    # The same post made visible again is not news twice.
    await world.forum.moderate_post(viewer(moderator), post.id, PostAction.HIDE)
    await world.forum.moderate_post(viewer(moderator), post.id, PostAction.RESTORE)
    assert await world.rows() == [(key, "4242", "sent")]
    assert await world.dispatched() == []

    said = await world.feed(text_update(f"/unwatch {thread.id}"))
    assert "no longer follows “Agenda for Messina”" in said
    await world.forum.reply(viewer(member), thread.id, "Anyone there?")
    assert len(await world.rows()) == 1
    assert "did not follow" in await world.feed(text_update(f"/unwatch {thread.id}"))


async def test_an_approved_post_is_news_and_a_hidden_one_is_not(world: World) -> None:
    moderator, member, thread = await scene(world, approve_first_posts=True)
    await world.feed(text_update(f"/watch {thread.id}"))

    waiting = await world.forum.reply(viewer(member), thread.id, "My first post")
    assert waiting.status == "pending"
    assert await world.rows() == []
    await world.forum.moderate_post(viewer(moderator), waiting.id, PostAction.APPROVE)
    assert [chat for _, chat, _ in await world.rows()] == ["4242"]
    assert (await world.dispatched())[0].startswith("New post in “Agenda for Messina” by Bríd")

    spammer = await create_account(world.database, "spam")
    spam = await world.forum.reply(viewer(spammer), thread.id, "Buy now")
    await world.forum.moderate_post(viewer(moderator), spam.id, PostAction.HIDE)
    assert len(await world.rows()) == 1

    # Hidden after it was announced but before the worker ran: the notice is not sent.
    late = await world.forum.reply(viewer(member), thread.id, "Something regrettable")
    await world.forum.moderate_post(viewer(moderator), late.id, PostAction.DELETE)
    assert (await world.rows())[-1][2] == "cancelled"
    assert await world.dispatched() == []


async def test_the_authors_own_chat_is_not_told_of_their_post(world: World) -> None:
    _, _, thread = await scene(world)
    await world.feed(text_update(f"/watch {thread.id}"))
    async with SqlUnitOfWork(world.database) as uow:
        me = await uow.people.identify(TELEGRAM, "4242", display_name="Aoife")
        await uow.commit()
    author = Viewer(me.id, "aoife", "Aoife", frozenset({Role.MEMBER}))
    await world.forum.reply(author, thread.id, "Posted from the web by the chat's own person")
    assert await world.rows() == []


async def test_a_shared_chat_follows_a_thread_only_by_a_coordinators_word(world: World) -> None:
    _, member, thread = await scene(world)
    said = await world.feed(text_update(f"/watch {thread.id}", where=GROUP))
    assert "Only a coordinator or a moderator" in said
    async with SqlUnitOfWork(world.database) as uow:
        me = await uow.people.identify(TELEGRAM, "4242", display_name="Aoife")
        await uow.people.grant(me.id, Role.COORDINATOR)
        await uow.commit()
    said = await world.feed(text_update(f"/watch {thread.id}", where=GROUP))
    assert "now follows" in said

    # Another member of the group cannot make it stop.
    other = user(5151, "Ciarán")
    said = await world.feed(text_update(f"/unwatch {thread.id}", sender=other, where=GROUP))
    assert "Only a coordinator" in said

    post = await world.forum.reply(viewer(member), thread.id, "For the whole group")
    assert await world.rows() == [
        (f"thread/{thread.id}/post/{post.id}/telegram:-100777", "-100777", "pending")
    ]
    await world.dispatched()
    assert world.request.sent()[-1]["chat_id"] == -100777


async def test_watch_explains_itself_and_refuses_what_is_not_there(world: World) -> None:
    _, _, thread = await scene(world)
    said = await world.feed(text_update("/watch"))
    assert "/watch 12" in said and "follows: none" in said
    await world.feed(text_update(f"/watch {thread.id}"))
    assert f"{thread.id} “Agenda for Messina”" in await world.feed(text_update("/unwatch"))
    assert "no thread 99999" in await world.feed(text_update("/watch 99999"))
    assert "not a thread" in await world.feed(text_update("/watch the agenda"))
