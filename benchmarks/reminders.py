"""How fast and how late the outbox sends due reminders on PostgreSQL, with one worker process
and with two, each looping `Dispatcher.run_once()` over rows due evenly over the next seconds.

The sender only records (no I/O), so what is measured is the store's cost. The baseline,
measured in the same run on the same database, is the bare write each message needs: a single
`UPDATE outbox SET status='sent'` per row, each committed on its own, from one process. Prints
rows per second for it; then, per scenario, messages per second and their ratio to the
baseline, lateness (send instant minus due) p50 and p99, and whether every key went out exactly
once with nothing left (exits non-zero if not). Messages per second count from the first row
falling due to the last one sent, so with `--spread` above zero they cannot beat the arrival
rate (rows / spread); `--spread 0` makes everything due at once and measures the drain alone.
The workers poll every 0.1 s when idle (the `deseo worker` job runs every 2 s), so lateness here
is the store's share, not what a member sees. Needs PostgreSQL on 127.0.0.1:5432 (user
postgres, trust); makes a throwaway database and drops it at the end.

Run: `.venv/bin/python -m benchmarks.reminders [--rows 10000] [--spread 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import queue
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import asyncpg

from bot import TELEGRAM
from flows.clock import SystemClock
from flows.conversation import Outbound
from flows.outbox import Dispatcher, OutboxItem
from flows.people import ChatRef
from storage import Database, SqlUnitOfWork, migrate, unit_of_work_factory

SERVER = "postgresql://postgres@127.0.0.1:5432/test"
CHAT = ChatRef(TELEGRAM, "123")
# The first row falls due this long after enqueueing starts, scaled from the baseline's own
# enqueue of as many rows so that the workers are released before anything is due.
LEAD_FACTOR = 1.5
LEAD_MIN_S = 0.5
IDLE_S = 0.1
READY_TIMEOUT_S = 60.0
# How long past the last due time a worker may keep going before it gives up.
OVERRUN_S = 60.0
WARM_UP = 200
# A worker's result file starts with the CPU seconds it spent dispatching, then one line per send.
CPU_LINE = "# cpu "


class RecordingSender:
    """Notes each message's text and the instant it was handed over; does no I/O."""

    def __init__(self, clock: SystemClock) -> None:
        self._clock = clock
        self.sent: list[tuple[str, float]] = []

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        self.sent.append((message.text, self._clock.now().timestamp()))


# --- the worker process -----------------------------------------------------------------------


async def _work(
    url: str, name: str, batch: int, ready: Queue[str], go: Event, limit_s: float
) -> tuple[list[tuple[str, float]], float]:
    database = Database.from_url(url)
    try:
        clock = SystemClock()
        sender = RecordingSender(clock)
        units = unit_of_work_factory(database)
        dispatcher = Dispatcher(units, sender, clock, worker=name, batch=batch)
        # Connect and compile the claim before the clock starts; the outbox is empty now.
        await dispatcher.run_once()
        async with units() as uow:
            await uow.outbox.counts()
        ready.put(name)
        if not await asyncio.to_thread(go.wait, READY_TIMEOUT_S):
            return sender.sent, 0.0
        cpu_started = time.process_time()
        give_up = time.monotonic() + limit_s
        while time.monotonic() < give_up:
            report = await dispatcher.run_once()
            if report.claimed:
                continue
            async with units() as uow:
                counts = await uow.outbox.counts()
            if counts.get("pending", 0) + counts.get("sending", 0) == 0:
                break
            await asyncio.sleep(IDLE_S)
        return sender.sent, time.process_time() - cpu_started
    finally:
        await database.dispose()


def _worker(
    url: str,
    name: str,
    out: str,
    batch: int,
    ready: Queue[str],
    go: Event,
    limit_s: float,
) -> None:
    sent, cpu_s = asyncio.run(_work(url, name, batch, ready, go, limit_s))
    lines = [f"{CPU_LINE}{cpu_s!r}\n", *(f"{text}\t{at!r}\n" for text, at in sent)]
    Path(out).write_text("".join(lines))


# --- the store --------------------------------------------------------------------------------


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(server, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _truncate(url: str) -> None:
    conn = await asyncpg.connect(_plain(url), timeout=5)
    try:
        await conn.execute("TRUNCATE outbox RESTART IDENTITY")
    finally:
        await conn.close()


def _key(n: int) -> str:
    return f"bench:{n}"


async def _fill(url: str, rows: int, first_due: float, spread: float) -> None:
    """Enqueue `rows` reminders due evenly from `first_due` (epoch seconds) over `spread` s;
    each text is its key and its due instant, so that the sender's record says how late."""
    items = []
    for n in range(rows):
        due = datetime.fromtimestamp(first_due + spread * n / rows, UTC)
        text = f"{_key(n)} {due.timestamp()!r}"
        items.append(OutboxItem(_key(n), "bench", CHAT, Outbound(text), due))
    database = Database.from_url(url)
    try:
        async with SqlUnitOfWork(database) as uow:
            await uow.outbox.enqueue(items)
            await uow.commit()
    finally:
        await database.dispose()


async def _counts(url: str) -> dict[str, int]:
    database = Database.from_url(url)
    try:
        async with SqlUnitOfWork(database) as uow:
            return await uow.outbox.counts()
    finally:
        await database.dispose()


async def baseline(url: str, rows: int) -> tuple[float, float]:
    """Rows per second marked sent one by one, each UPDATE committed on its own (autocommit);
    and the seconds it took to enqueue the rows."""
    await _truncate(url)
    started = time.perf_counter()
    await _fill(url, rows, time.time() + 86_400, 0)
    fill_s = time.perf_counter() - started
    conn = await asyncpg.connect(_plain(url), timeout=5)
    try:
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM outbox ORDER BY id")]
        mark = "UPDATE outbox SET status = 'sent', sent_at = now() WHERE id = $1"
        for row_id in ids[:WARM_UP]:
            await conn.execute(mark, row_id)
        started = time.perf_counter()
        for row_id in ids:
            await conn.execute(mark, row_id)
        return len(ids) / (time.perf_counter() - started), fill_s
    finally:
        await conn.close()


# --- one scenario -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a run of `workers` processes did: its rate, its lateness and what went wrong."""

    workers: int
    rate: float
    p50_ms: float
    p99_ms: float
    shares: tuple[int, ...]
    elapsed_s: float
    cpu_s: float
    fill_overran_s: float
    problems: tuple[str, ...]


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def scenario(
    url: str, workers: int, rows: int, spread: float, batch: int, lead_s: float, folder: Path
) -> Outcome:
    asyncio.run(_truncate(url))
    context = multiprocessing.get_context("spawn")
    ready: Queue[str] = context.Queue()
    go = context.Event()
    outs = [folder / f"{workers}-{n}.tsv" for n in range(workers)]
    limit_s = lead_s + spread + OVERRUN_S
    processes = [
        context.Process(
            target=_worker,
            args=(url, f"bench-w{n}", str(out), batch, ready, go, limit_s),
            name=f"bench-w{n}",
        )
        for n, out in enumerate(outs)
    ]
    problems: list[str] = []
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=READY_TIMEOUT_S)
        first_due = time.time() + lead_s
        asyncio.run(_fill(url, rows, first_due, spread))
        fill_overran_s = time.time() - first_due
        go.set()
        for process in processes:
            process.join(timeout=limit_s + 15)
    except queue.Empty:
        problems.append("a worker did not start in time")
        fill_overran_s = math.nan
        first_due = math.nan
    finally:
        for process in processes:
            if process.is_alive():
                problems.append(f"worker {process.name} did not stop by itself; terminated")
                process.terminate()
                process.join(5)
    problems += [f"worker {p.name} exited with {p.exitcode}" for p in processes if p.exitcode != 0]

    keys: Counter[str] = Counter()
    lateness: list[float] = []
    last_sent = first_due
    shares = []
    cpu_s = 0.0
    for out in outs:
        lines = out.read_text().splitlines() if out.exists() else []
        if lines and lines[0].startswith(CPU_LINE):
            cpu_s += float(lines.pop(0).removeprefix(CPU_LINE))
        shares.append(len(lines))
        for line in lines:
            text, at = line.split("\t")
            key, due = text.split(" ")
            keys[key] += 1
            lateness.append((float(at) - float(due)) * 1000)
            last_sent = max(last_sent, float(at))
    twice = sorted(k for k, c in keys.items() if c > 1)
    missing = rows - len(keys.keys() & {_key(n) for n in range(rows)})
    if twice:
        problems.append(f"{len(twice)} key(s) sent more than once, e.g. {twice[0]}")
    if missing:
        problems.append(f"{missing} key(s) never sent")
    counts = asyncio.run(_counts(url))
    if counts != {"sent": rows}:
        problems.append(f"the outbox holds {counts}, not {rows} sent rows")
    lateness.sort()
    elapsed = last_sent - first_due
    return Outcome(
        workers=workers,
        rate=sum(keys.values()) / elapsed if elapsed > 0 else math.nan,
        p50_ms=percentile(lateness, 0.50),
        p99_ms=percentile(lateness, 0.99),
        shares=tuple(shares),
        elapsed_s=elapsed,
        cpu_s=cpu_s,
        fill_overran_s=fill_overran_s,
        problems=tuple(problems),
    )


# --- the whole run ----------------------------------------------------------------------------


def measure(server: str, rows: int, spread: float, batch: int) -> list[str]:
    """Run the baseline and both scenarios in a throwaway database; return the problems."""
    name = f"deseo_bench_{uuid.uuid4().hex[:12]}"
    host = server.rsplit("/", 1)[0]
    url = f"{host.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(url)
        base, fill_s = asyncio.run(baseline(url, rows))
        lead_s = max(LEAD_FACTOR * fill_s, LEAD_MIN_S)
        arrival = f"arrival {rows / spread:.0f}/s" if spread > 0 else "all due at once"
        print(
            f"{rows} reminders due over {spread:g} s ({arrival}), batch {batch}, "
            f"{os.cpu_count()} CPUs shared with PostgreSQL"
        )
        print(f"bare UPDATE + commit   {base:8.0f} rows per second (baseline)")
        problems: list[str] = []
        with tempfile.TemporaryDirectory() as folder:
            for workers in (1, 2):
                outcome = scenario(url, workers, rows, spread, batch, lead_s, Path(folder))
                label = f"{workers} worker{'s' if workers > 1 else ''}"
                print(
                    f"{label:<22} {outcome.rate:8.0f} messages per second "
                    f"{outcome.rate / base:5.2f}x baseline   lateness p50 "
                    f"{outcome.p50_ms:7.1f} ms  p99 {outcome.p99_ms:7.1f} ms   "
                    f"shares {'/'.join(map(str, outcome.shares))}"
                )
                print(
                    f"{'':<22} ({outcome.cpu_s:.1f} s of worker CPU in {outcome.elapsed_s:.1f} s, "
                    f"{1000 * outcome.cpu_s / rows:.2f} ms per message)"
                )
                if spread > 0 and outcome.rate > 0.9 * rows / spread:
                    print(f"{'':<22} (held back by the arrival rate: try --spread 0)")
                if outcome.fill_overran_s > 0:
                    print(
                        f"{'':<22} (enqueueing ended {outcome.fill_overran_s:.2f} s after the "
                        "first row fell due: the first rows were late before the workers started)"
                    )
                problems += [f"{label}: {p}" for p in outcome.problems]
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--spread", type=float, default=10.0, help="seconds the due times span")
    parser.add_argument("--batch", type=int, default=100, help="rows per claim")
    args = parser.parse_args()
    if args.rows < 1 or args.spread < 0 or args.batch < 1:
        parser.error("--rows and --batch must be positive, --spread not negative")
    problems = measure(SERVER, args.rows, args.spread, args.batch)
    if problems:
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
    print("every key was sent exactly once and nothing is left")


if __name__ == "__main__":
    main()
