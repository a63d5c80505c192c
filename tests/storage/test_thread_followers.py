"""The chats that follow a forum thread, on SQLite and PostgreSQL: the repository itself, and
`ThreadWatchService` over the real unit of work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.people.chats import ChatRef
from flows.threads.model import ThreadWatchError, WatchedThread
from flows.threads.service import ThreadWatchService
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.models import Thread
from tests.storage.forum_rows import ForumRows

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PRIVATE = ChatRef(TELEGRAM, "4242")
GROUP = ChatRef(TELEGRAM, "-100777")
CHANNEL = ChatRef(DISCORD, "55501")


async def threads(database: Database) -> tuple[int, int]:
    """A thread everyone sees and one held back; their ids."""
    rows = ForumRows(database)
    board = await rows.board("general")
    open_id, _ = await rows.thread(board, "Agenda for Messina", "Items")
    hidden_id, _ = await rows.thread(board, "Held back", "Spam?", hidden=True, status="pending")
    return open_id, hidden_id


async def test_a_chat_follows_a_thread_once_and_can_stop(database: Database) -> None:
    open_id, hidden_id = await threads(database)
    async with SqlUnitOfWork(database) as uow:
        followers = uow.thread_followers
        assert await followers.thread(open_id) == WatchedThread(open_id, "Agenda for Messina", True)
        assert await followers.thread(hidden_id) == WatchedThread(hidden_id, "Held back", False)
        assert await followers.thread(10_000) is None

        assert await followers.follow(open_id, GROUP, NOW)
        assert await followers.follow(open_id, CHANNEL, NOW)
        assert not await followers.follow(open_id, GROUP, NOW)
        assert await followers.follow(hidden_id, GROUP, NOW)
        await uow.commit()

    async with SqlUnitOfWork(database) as uow:
        followers = uow.thread_followers
        assert await followers.chats(open_id) == [GROUP, CHANNEL]
        assert await followers.count(open_id) == 2
        assert await followers.count(10_000) == 0
        assert [t.id for t in await followers.followed_by(GROUP)] == [open_id, hidden_id]
        assert await followers.followed_by(PRIVATE) == []

        assert await followers.unfollow(open_id, GROUP)
        assert not await followers.unfollow(open_id, GROUP)
        assert not await followers.unfollow(open_id, PRIVATE)
        await uow.commit()

    async with SqlUnitOfWork(database) as uow:
        assert await uow.thread_followers.chats(open_id) == [CHANNEL]


async def test_a_deleted_thread_takes_its_followers_with_it(database: Database) -> None:
    open_id, _ = await threads(database)
    async with SqlUnitOfWork(database) as uow:
        await uow.thread_followers.follow(open_id, GROUP, NOW)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        await uow.session.execute(delete(Thread).where(Thread.id == open_id))
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert await uow.thread_followers.followed_by(GROUP) == []


async def test_the_service_takes_a_number_or_an_address(database: Database) -> None:
    open_id, _ = await threads(database)
    service = ThreadWatchService(unit_of_work_factory(database), FixedClock(NOW))

    thread, new = await service.watch(f"https://forum.example/threads/{open_id}?page=2", PRIVATE)
    assert (thread.title, new) == ("Agenda for Messina", True)
    thread, new = await service.watch(f"#{open_id}", PRIVATE)
    assert new is False
    assert await service.followers(open_id) == [PRIVATE]
    assert [t.title for t in await service.followed_by(PRIVATE)] == ["Agenda for Messina"]

    thread, gone = await service.unwatch(str(open_id), PRIVATE)
    assert gone and thread.id == open_id
    _, gone = await service.unwatch(str(open_id), PRIVATE)
    assert not gone
    assert await service.followers(open_id) == []


async def test_the_service_refuses_what_is_not_a_thread_everyone_sees(database: Database) -> None:
    open_id, hidden_id = await threads(database)
    service = ThreadWatchService(unit_of_work_factory(database), FixedClock(NOW))
    with pytest.raises(ThreadWatchError, match="not a thread"):
        await service.watch("the agenda one", PRIVATE)
    with pytest.raises(ThreadWatchError, match="no thread 10000"):
        await service.watch("10000", PRIVATE)
    # A held-back thread is not admitted to exist, neither to watch nor to unwatch...
    with pytest.raises(ThreadWatchError, match=f"no thread {hidden_id}"):
        await service.watch(str(hidden_id), PRIVATE)
    with pytest.raises(ThreadWatchError, match=f"no thread {hidden_id}"):
        await service.unwatch(str(hidden_id), PRIVATE)
    # ...but a chat that followed a thread before it was hidden may still leave it.
    async with SqlUnitOfWork(database) as uow:
        await uow.thread_followers.follow(hidden_id, GROUP, NOW)
        await uow.commit()
    thread, gone = await service.unwatch(str(hidden_id), GROUP)
    assert gone and thread.title == "Held back"
    assert await service.followers(open_id) == []
