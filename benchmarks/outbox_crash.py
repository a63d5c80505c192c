"""What a worker killed mid-batch costs: messages sent twice, and how long its claimed rows wait.

A worker process sends 1,000 due rows through a sender that takes `--latency` seconds a message
(the platform has the message halfway through, as a real call would) and notes each send in a
file; it is killed with SIGKILL after `--after` sends, then a second worker process sends the
rest. Both loop as `deseo worker` does (`Dispatcher.drain` every `DISPATCH_EVERY_S`). Prints,
per store (SQLite; PostgreSQL on 127.0.0.1:5432 when it answers): the messages sent twice per
1,000 rows, and how long the killed worker's claimed rows waited from the kill to their resend
(median and most), as a ratio to the second worker's dispatch interval measured in the same run.
`--lease` and `--batch` replay other settings (the old ones: `--lease 120 --batch 100`).

Run: `.venv/bin/python -m benchmarks.outbox_crash [--lease 15] [--batch 25]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import select

from bot import TELEGRAM
from deseo.runtime import DISPATCH_EVERY_S
from flows.clock import SystemClock
from flows.conversation import Outbound
from flows.outbox import BATCH, LEASE, Dispatcher, OutboxItem
from flows.people import ChatRef
from storage import Database, OutboxRow, SqlUnitOfWork, migrate, unit_of_work_factory

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
ROWS = 1000


class SlowRecordingSender:
    """Takes `latency` seconds a message and notes, halfway, that the platform has it."""

    def __init__(self, log: Path, latency: float) -> None:
        self._log = log.open("a", buffering=1)
        self._latency = latency

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        await asyncio.sleep(self._latency / 2)
        self._log.write(f"send\t{message.text}\t{time.time()!r}\n")
        await asyncio.sleep(self._latency / 2)

    def tick(self) -> None:
        self._log.write(f"tick\t-\t{time.time()!r}\n")


async def work(url: str, name: str, log: str, latency: float, lease: float, batch: int) -> None:
    """One worker: drain every dispatch interval, as `deseo worker` does, until killed."""
    database = Database.from_url(url)
    sender = SlowRecordingSender(Path(log), latency)
    dispatcher = Dispatcher(
        unit_of_work_factory(database),
        sender,
        SystemClock(),
        worker=name,
        batch=batch,
        lease=timedelta(seconds=lease),
    )
    start = time.monotonic()
    for tick in range(10**9):
        sender.tick()
        await dispatcher.drain(rounds=20)
        await asyncio.sleep(max(0.0, start + (tick + 1) * DISPATCH_EVERY_S - time.monotonic()))


async def fill(url: str) -> None:
    database = Database.from_url(url)
    now = datetime.now(UTC)
    chat = ChatRef(TELEGRAM, "1")
    async with SqlUnitOfWork(database) as uow:
        await uow.outbox.enqueue(
            [OutboxItem(f"k{n:04}", "bench", chat, Outbound(f"k{n:04}"), now) for n in range(ROWS)]
        )
        await uow.commit()
    await database.dispose()


async def leased_to(url: str, name: str) -> set[str]:
    database = Database.from_url(url)
    async with database.sessions() as session:
        keys = await session.scalars(
            select(OutboxRow.key).where(OutboxRow.status == "sending", OutboxRow.claimed_by == name)
        )
        found = set(keys.all())
    await database.dispose()
    return found


async def owed(url: str) -> int:
    database = Database.from_url(url)
    async with SqlUnitOfWork(database) as uow:
        counts = await uow.outbox.counts()
    await database.dispose()
    return counts.get("pending", 0) + counts.get("sending", 0)


def start(url: str, name: str, log: Path, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "benchmarks.outbox_crash", "--worker", url, name, str(log)]
    options = ["--latency", str(args.latency), "--lease", str(args.lease)]
    return subprocess.Popen([*command, *options, "--batch", str(args.batch)])


def read(log: Path) -> list[tuple[str, str, float]]:
    lines = [line.split("\t") for line in log.read_text().splitlines() if line.count("\t") == 2]
    return [(kind, key, float(at)) for kind, key, at in lines]


def scenario(url: str, where: str, args: argparse.Namespace, folder: Path) -> None:
    asyncio.run(fill(url))
    first_log, second_log = folder / f"{where}-a.log", folder / f"{where}-b.log"
    first = start(url, "killed", first_log, args)
    while not first_log.exists() or sum(k == "send" for k, _, _ in read(first_log)) < args.after:
        time.sleep(0.005)
    os.kill(first.pid, signal.SIGKILL)
    killed_at = time.time()
    first.wait()
    stranded = asyncio.run(leased_to(url, "killed"))
    second = start(url, "second", second_log, args)
    try:
        while asyncio.run(owed(url)):
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait()
    sends = [e for e in read(first_log) + read(second_log) if e[0] == "send"]
    twice = sum(n - 1 for n in Counter(key for _, key, _ in sends).values() if n > 1)
    missing = ROWS - len({key for _, key, _ in sends})
    resent = {key: at for kind, key, at in read(second_log) if kind == "send" and key in stranded}
    waits = sorted(at - killed_at for at in resent.values())
    ticks = [at for kind, _, at in read(second_log) if kind == "tick"]
    interval = statistics.mean(b - a for a, b in itertools.pairwise(ticks))
    print(
        f"{where}: lease {args.lease:g} s, batch {args.batch}, {args.latency * 1000:g} ms a send;"
        f" killed after {args.after} sends with {len(stranded)} rows claimed"
    )
    print(f"  sent twice: {twice * 1000 / ROWS:g} per 1,000 rows; never sent: {missing}")
    if waits:
        print(
            f"  the killed worker's rows waited {statistics.median(waits):.1f} s (median),"
            f" {waits[-1]:.1f} s (most) = {statistics.median(waits) / interval:.1f}x and"
            f" {waits[-1] / interval:.1f}x the dispatch interval ({interval:.2f} s measured)"
        )


async def _drop_and_create(name: str, create: bool) -> None:
    conn = await asyncpg.connect(SERVER, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("URL", "NAME", "LOG"))
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--lease", type=float, default=LEASE.total_seconds())
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--after", type=int, default=210)
    args = parser.parse_args()
    if args.worker:
        url, name, log = args.worker
        asyncio.run(work(url, name, log, args.latency, args.lease, args.batch))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/crash.db"
        migrate.upgrade(url)
        scenario(url, "SQLite", args, Path(folder))
        name = f"deseo_crash_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(_drop_and_create(name, True))
        except OSError:
            print("PostgreSQL: not reachable on 127.0.0.1:5432, skipped")
            return
        try:
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
            migrate.upgrade(url)
            scenario(url, "PostgreSQL", args, Path(folder))
        finally:
            asyncio.run(_drop_and_create(name, False))


if __name__ == "__main__":
    main()
