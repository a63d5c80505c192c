"""Rate limits on registering, posting and the like: a sliding window per action and key.

The counts live in the web process's memory, which fits the one small machine the forum is
meant for; several web processes would each count on their own (a limit per process). Signing
in, where guessing passwords is at stake, is counted in the store: `forum.login_throttle`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from fastapi import HTTPException

from flows.clock import Clock


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts within `per`."""

    count: int
    per: timedelta


DEFAULT_LIMITS = {
    "register": Limit(5, timedelta(hours=1)),
    "post": Limit(20, timedelta(minutes=10)),
    "flag": Limit(30, timedelta(hours=1)),
    "reset": Limit(5, timedelta(hours=1)),
    # Starting a chat conversation (a guest's first one makes a person in the store).
    "chat": Limit(30, timedelta(hours=1)),
    # A link code is 8 characters valid 15 minutes: guessing must stay hopeless.
    "link": Limit(10, timedelta(hours=1)),
}


class RateLimited(HTTPException):
    def __init__(self, action: str, retry_after: int) -> None:
        super().__init__(
            status_code=429,
            detail=f"Too many {action} attempts. Try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


class RateLimiter:
    """Counts attempts per (action, key) and refuses the ones over the action's limit."""

    def __init__(self, clock: Clock, limits: dict[str, Limit] | None = None) -> None:
        self._clock = clock
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def hit(self, action: str, key: str) -> None:
        """Count one attempt; raise `RateLimited` (HTTP 429) when it is one too many."""
        limit = self.limits.get(action)
        if limit is None:
            return
        now = self._clock.now().timestamp()
        window = limit.per.total_seconds()
        seen = self._seen.setdefault((action, key), deque())
        while seen and seen[0] <= now - window:
            seen.popleft()
        if len(seen) >= limit.count:
            raise RateLimited(action, max(1, ceil(seen[0] + window - now)))
        seen.append(now)
        if len(self._seen) > 50_000:
            self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        # Keeps memory bounded under many distinct keys (addresses, names).
        longest = max(limit.per.total_seconds() for limit in self.limits.values())
        for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - longest]:
            del self._seen[key]
