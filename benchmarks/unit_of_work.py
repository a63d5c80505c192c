"""What opening a unit of work costs: an empty `SqlUnitOfWork`, opened and committed on SQLite,
against a bare session opened with `async with session.begin()` and left, measured in the same
run on the same database.

An empty transaction sends nothing to SQLite (the session takes a connection only when a
statement needs one), so both sides are the Python cost of a transaction; what the unit of work
adds on top is setting up its repositories. Prints the time per transaction of each and their
ratio; the same against a bare session simply committed (which is what the unit of work does
with its session, so the difference is the repositories); the ratio for a transaction touching
one repository; and how many repositories an empty transaction built.
Run: `.venv/bin/python -m benchmarks.unit_of_work [--rounds N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from storage import Database, SqlUnitOfWork, migrate

# Everything the unit of work offers a service; an instance holding one of these names in its
# `__dict__` has built that repository (both when they are set up front and when cached).
REPOSITORIES = (
    "people",
    "conversations",
    "flows",
    "groups",
    "meetings",
    "outbox",
    "needs",
    "directory",
    "referrals",
    "campaigns",
    "thread_followers",
    "accounts",
    "search",
    "feeds",
    "forum",
)
# Many short repeats, keeping the best: on a busy machine the least disturbed one is the truth.
REPEATS = 30


async def bare(database: Database) -> None:
    async with database.sessions() as session, session.begin():
        pass


async def bare_commit(database: Database) -> None:
    # What SqlUnitOfWork itself does with its session, without any repository. (Not `async
    # with` the session: its exit shields `close()` in a task of its own, which costs more than
    # everything measured here.)
    session = database.sessions()
    try:
        await session.commit()
    finally:
        await session.close()


async def empty(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.commit()


async def one_repository(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        uow.outbox  # noqa: B018  (touching it is the point)
        await uow.commit()


async def per_transaction(
    runs: Sequence[Callable[[Database], Awaitable[None]]], database: Database, rounds: int
) -> list[float]:
    """Seconds per transaction of each run, the best of a few repeats (the least disturbed);
    the runs take turns, so a slow spell of the machine does not fall on one of them alone."""
    best = [float("inf")] * len(runs)
    for _ in range(REPEATS):
        for n, run in enumerate(runs):
            started = time.perf_counter()
            for _ in range(rounds):
                await run(database)
            best[n] = min(best[n], (time.perf_counter() - started) / rounds)
    return best


async def built_by_an_empty_transaction(database: Database) -> int:
    async with SqlUnitOfWork(database) as uow:
        built = sum(name in vars(uow) for name in REPOSITORIES)
        await uow.commit()
    return built


async def measure(url: str, rounds: int) -> tuple[float, float, float, float, int]:
    """Seconds per transaction of the two bare sessions, the empty unit of work and one that
    touches a repository; and how many repositories an empty one built."""
    database = Database.from_url(url)
    try:
        runs = (bare, bare_commit, empty, one_repository)
        await per_transaction(runs, database, max(rounds // 10, 1))  # warm up
        baseline, committed, opened, touched = await per_transaction(runs, database, rounds)
        built = await built_by_an_empty_transaction(database)
    finally:
        await database.dispose()
    return baseline, committed, opened, touched, built


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)  # runs its own event loop, so before ours
        baseline, committed, opened, touched, built = asyncio.run(measure(url, rounds))
    print(f"bare `async with session.begin()`: {baseline * 1e6:7.1f} µs per transaction (1.00x)")
    print(
        f"bare session, `commit()`:          {committed * 1e6:7.1f} µs  {committed / baseline:.2f}x"
    )
    print(
        f"empty SqlUnitOfWork:               {opened * 1e6:7.1f} µs  {opened / baseline:.2f}x"
        f"  ({opened / committed:.2f}x the bare commit; "
        f"{built} of {len(REPOSITORIES)} repositories built)"
    )
    print(
        f"SqlUnitOfWork, one repository:     {touched * 1e6:7.1f} µs  {touched / baseline:.2f}x"
        f"  ({touched / committed:.2f}x the bare commit)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500)
    main(parser.parse_args().rounds)
