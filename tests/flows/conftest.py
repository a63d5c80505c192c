"""What the services' rule tests share: an in-memory store and a clock they can move."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.clock import FixedClock
from tests.flows.memory import MemoryStore

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def store() -> MemoryStore:
    """An empty in-memory store; `store.units` opens its units of work."""
    return MemoryStore()


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 9:00 UTC on 22 November 2026."""
    return FixedClock(NOW)
