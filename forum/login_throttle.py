"""Throttling sign-in: failed attempts counted per address (across user names: password
spraying), per account (across addresses: a botnet guessing one password), and per address
and name together, in the store, so that every web process and a restart share the counts.

Only failures count, and an attempt is refused while any of its counts is at its limit, even
with the right password. The account's limit lets someone who knows a name keep its owner out
for a while; that is the price of stopping guesses spread over many addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil

from forum.ratelimit import Limit, RateLimited
from forum.security import digest
from storage import SqlUnitOfWork, username_key

LOGIN_LIMITS = {
    "pair": Limit(10, timedelta(minutes=5)),
    "address": Limit(30, timedelta(minutes=15)),
    "account": Limit(20, timedelta(minutes=15)),
}
LONGEST = max(limit.per for limit in LOGIN_LIMITS.values())


def login_keys(address: str, username: str) -> dict[str, Limit]:
    """The counters an attempt from `address` as `username` counts in, with their limits.
    Names are kept as digests: the table need not list what people typed as user names."""
    name = username_key(username)
    return {
        f"address:{address[:100]}": LOGIN_LIMITS["address"],
        f"account:{digest(name)}": LOGIN_LIMITS["account"],
        f"pair:{digest(address + '|' + name)}": LOGIN_LIMITS["pair"],
    }


async def check_login(work: SqlUnitOfWork, keys: dict[str, Limit], now: datetime) -> None:
    """Raise `RateLimited` (HTTP 429) when any of the attempt's counters is at its limit."""
    counted = await work.login_failures.counted(keys)
    waits = [
        (start + keys[key].per - now).total_seconds()
        for key, (start, count) in counted.items()
        if start > now - keys[key].per and count >= keys[key].count
    ]
    if waits:
        raise RateLimited("login", max(1, ceil(max(waits))))


async def login_failed(work: SqlUnitOfWork, keys: dict[str, Limit], now: datetime) -> None:
    """Count a failed attempt in each of its counters (the caller commits)."""
    for key, limit in keys.items():
        await work.login_failures.add(key, now=now, window=limit.per)
    await work.login_failures.forget(before=now - LONGEST)
