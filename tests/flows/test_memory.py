"""What the in-memory unit of work promises beyond the repositories (which
`tests/memory/test_contract.py` compares with the SQL store): transactions that do not overlap
silently, and no repository outside `async with`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.flows.memory import ConcurrentCommit, MemoryStore

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_a_commit_over_a_transaction_committed_meanwhile_is_refused() -> None:
    store = MemoryStore()
    async with store.units() as first, store.units() as second:
        await first.groups.create("cork", "Cork", "Europe/Dublin")
        await second.groups.create("messina", "Messina", "Europe/Rome")
        await first.commit()
        with pytest.raises(ConcurrentCommit):
            await second.commit()
    assert [g.slug for g in store.state.groups.values()] == ["cork"]
    assert store.commits == 1


async def test_a_transaction_goes_on_after_its_commit_and_sees_its_own_writes() -> None:
    store = MemoryStore()
    async with store.units() as uow:
        cork = await uow.groups.create("cork", "Cork", "Europe/Dublin")
        assert await uow.groups.find("cork") == cork
        await uow.commit()
        await uow.groups.create("messina", "Messina", "Europe/Rome")
        await uow.commit()
    assert [g.slug for g in store.state.groups.values()] == ["cork", "messina"]


async def test_the_repositories_exist_only_inside_the_block() -> None:
    uow = MemoryStore().units()
    with pytest.raises(RuntimeError, match="inside `async with`"):
        uow.outbox  # noqa: B018
    async with uow:
        pass
    with pytest.raises(RuntimeError, match="inside `async with`"):
        await uow.commit()
