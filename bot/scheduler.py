"""The clock that wakes background work: APScheduler's AsyncIO scheduler, run until stopped.

APScheduler only says *when* to look; what must be sent lives in the store (the outbox), so a
restart loses nothing and the scheduler keeps no job store of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """An async job run every `seconds`; a run still going when the next is due is not doubled."""

    name: str
    seconds: float
    run: Callable[[], Awaitable[None]]


async def run_scheduler(jobs: list[PeriodicJob], stop: asyncio.Event) -> None:
    """Run `jobs` on their intervals until `stop` is set, then shut the scheduler down."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(
            job.run,
            "interval",
            seconds=job.seconds,
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            # Run once at start too: work owed while the process was down is done at once.
            next_run_time=datetime.now(UTC),
        )
    scheduler.start()
    log.info("scheduler started with %d job(s)", len(jobs))
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        log.info("scheduler stopped")
