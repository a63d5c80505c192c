"""ThreadWatchService's rules on the in-memory unit of work: a thread is named by its number or
its address, a chat follows it once, and a thread held back is not admitted to exist, except to
a chat leaving it. (`tests/storage/test_thread_followers.py` runs it on the real store.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.people import ChatRef
from flows.threads import ThreadWatchError, ThreadWatchService, WatchedThread
from tests.flows.memory import MemoryStore

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PRIVATE = ChatRef(TELEGRAM, "4242")
GROUP = ChatRef(TELEGRAM, "-100777")
CHANNEL = ChatRef(DISCORD, "55501")


@pytest.fixture
def service(store: MemoryStore, clock: FixedClock) -> ThreadWatchService:
    return ThreadWatchService(store.units, clock)


async def test_a_thread_is_followed_by_its_number_or_its_address_once(
    store: MemoryStore, service: ThreadWatchService, clock: FixedClock
) -> None:
    agenda = store.add_thread("Agenda for Messina")
    thread, new = await service.watch(f"https://forum.example/threads/{agenda}?page=2", PRIVATE)
    assert (thread, new) == (WatchedThread(agenda, "Agenda for Messina", True), True)
    clock.advance(timedelta(hours=1))
    _, new = await service.watch(f"#{agenda}", PRIVATE)
    assert new is False
    assert store.state.thread_followers == {(agenda, PRIVATE): NOW}  # since the first time
    await service.watch(str(agenda), GROUP)
    await service.watch(f"/threads/{agenda}", CHANNEL)
    assert await service.followers(agenda) == [PRIVATE, GROUP, CHANNEL]  # the earliest first


async def test_a_chat_sees_what_it_follows_and_can_stop(
    store: MemoryStore, service: ThreadWatchService
) -> None:
    first = store.add_thread("Agenda for Messina")
    second = store.add_thread("Survey results")
    await service.watch(str(second), PRIVATE)
    await service.watch(str(first), PRIVATE)
    assert [t.id for t in await service.followed_by(PRIVATE)] == [first, second]
    assert await service.followed_by(GROUP) == []

    thread, gone = await service.unwatch(str(first), PRIVATE)
    assert gone and thread.id == first
    _, gone = await service.unwatch(str(first), PRIVATE)
    assert not gone
    assert await service.followers(first) == []
    assert [t.title for t in await service.followed_by(PRIVATE)] == ["Survey results"]


async def test_what_is_not_a_thread_everyone_sees_is_refused(
    store: MemoryStore, service: ThreadWatchService
) -> None:
    shown = store.add_thread("Agenda for Messina")
    hidden = store.add_thread("Held back", public=False)
    with pytest.raises(ThreadWatchError, match="not a thread"):
        await service.watch("the agenda one", PRIVATE)
    with pytest.raises(ThreadWatchError, match="not a thread"):
        await service.unwatch("https://forum.example/posts/3", PRIVATE)
    with pytest.raises(ThreadWatchError, match="no thread 10000"):
        await service.watch("10000", PRIVATE)
    # A held-back thread is not admitted to exist, neither to watch nor to unwatch...
    with pytest.raises(ThreadWatchError, match=f"no thread {hidden}"):
        await service.watch(str(hidden), PRIVATE)
    with pytest.raises(ThreadWatchError, match=f"no thread {hidden}"):
        await service.unwatch(str(hidden), PRIVATE)
    assert store.state.thread_followers == {}
    # ...but a chat that followed a thread before it was hidden may still leave it.
    await service.watch(str(shown), GROUP)
    store.state.threads[shown] = WatchedThread(shown, "Agenda for Messina", public=False)
    thread, gone = await service.unwatch(str(shown), GROUP)
    assert gone and not thread.public
    assert await service.followers(shown) == []
