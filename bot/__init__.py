"""The chat platforms and the background work: bots, the scheduler, the outbox dispatcher."""

from bot.scheduler import PeriodicJob, run_scheduler

__all__ = ["PeriodicJob", "run_scheduler"]
