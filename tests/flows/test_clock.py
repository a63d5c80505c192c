from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from flows.clock import FixedClock, SystemClock


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_fixed_clock_advances_and_refuses_naive_times() -> None:
    clock = FixedClock(datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    assert clock.now().hour == 1
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 1))
