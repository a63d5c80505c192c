"""Running the long-lived parts (web, scheduler, bots) in one event loop, and stopping them.

Each part is a coroutine that runs until a shared `stop` event is set. SIGINT and SIGTERM set it,
so Ctrl-C stops everything cleanly; a part that fails stops the others too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

from bot import (
    PeriodicJob,
    PlatformAdapter,
    RoutingSender,
    adapters,
    run_scheduler,
)
from deseo.services import Services
from deseo.settings import Settings
from flows.outbox import Dispatcher, MessageSender
from flows.people import Platform
from forum import ForumConfig, create_app
from storage import Database

log = logging.getLogger("deseo")
Runner = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Part:
    """A named long-lived piece of the product and a line saying where to find it."""

    name: str
    where: str
    run: Runner


class StartupError(Exception):
    """A part cannot start; the message says why in one line."""


def listen(host: str, port: int) -> socket.socket:
    """Bind the web socket up front, so a taken port is one clear line before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        raise StartupError(f"the web server cannot listen on {host}:{port}: {reason}") from exc
    return sock


class _Server(uvicorn.Server):
    # deseo owns the signals, so that one Ctrl-C stops the web and everything beside it.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_options() -> dict[str, Any]:
    """How uvicorn serves the forum. It leaves the client address alone: with proxy headers on
    it would take `X-Forwarded-For` from any local client; the forum believes that header only
    from `DESEO_TRUSTED_PROXIES` (`forum.addresses`)."""
    return {"log_level": "info", "lifespan": "on", "proxy_headers": False}


def web_part(settings: Settings, database: Database, services: Services) -> Part:
    """The web forum, its API and the web chat, over the process's services."""
    app = create_app(
        database,
        ForumConfig(
            secret_key=settings.ensure_secret_key(),
            public_url=settings.public_url,
            page_cache_seconds=settings.page_cache_seconds,
            chat_bots=tuple(a.chat.label for a in adapters(settings) if a.configured),
            session_idle_minutes=settings.session_idle_minutes,
            trusted_proxies=settings.proxies,
        ),
        services,
    )
    config = uvicorn.Config(
        app, host=settings.web_host, port=settings.web_port, **uvicorn_options()
    )
    server = _Server(config)
    sock = listen(settings.web_host, settings.web_port)

    async def run(stop: asyncio.Event) -> None:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        stopping.cancel()
        try:
            await serving
        finally:
            sock.close()

    return Part("web", settings.web_url, run)


def platform_part(adapter: PlatformAdapter, services: Services) -> Part:
    """A platform's bot as a part, named for its platform; its bot is built now."""
    return Part(adapter.name.value, adapter.where, adapter.bot(services))


def bot_parts(settings: Settings, services: Services) -> list[Part]:
    """The bot of every registered platform whose settings are given, over one set of services."""
    return [platform_part(a, services) for a in adapters(settings) if a.configured]


DISPATCH_EVERY_S = 2.0
PLAN_EVERY_S = 300.0


def worker_part(settings: Settings, services: Services) -> Part:
    """The scheduler and its jobs: send what the outbox owes, plan the coming reminders."""
    worker = f"{socket.gethostname()}:{os.getpid()}"

    async def run(stop: asyncio.Event) -> None:
        senders: dict[Platform, MessageSender] = {}
        platforms = [adapter for adapter in adapters(settings) if adapter.configured]
        for adapter in platforms:
            try:
                senders[adapter.name] = await adapter.open_sender()
            except Exception as exc:  # the worker still plans; sending waits for the platform
                log.error("cannot send on %s: %s", adapter.name.value.capitalize(), exc)
        # Made here, not with the services: it sends through the senders just opened. Rows
        # for a platform this worker cannot reach wait for one that can (or for a token).
        dispatcher = Dispatcher(
            services.units,
            RoutingSender(senders),
            services.clock,
            worker=worker,
            platforms=frozenset(senders),
        )
        meetings, campaigns, referrals = services.meetings, services.campaigns, services.referrals

        async def dispatch() -> None:
            # Up to 2,000 rows a tick in batches of 25; an idle outbox costs one query.
            report = await dispatcher.drain(rounds=80)
            if report.claimed:
                log.info("outbox: %s", report)

        async def plan() -> None:
            new = await meetings.plan()
            if new:
                log.info("planned %d reminder(s)", new)

        async def plan_campaigns() -> None:
            new = await campaigns.plan()
            if new:
                log.info("planned %d survey reminder(s)", new)

        async def nudge() -> None:
            reminded = await referrals.remind_idle()
            if reminded:
                log.info("reminded providers of %d idle referral(s)", reminded)

        jobs = [
            PeriodicJob("dispatch outbox", DISPATCH_EVERY_S, dispatch),
            PeriodicJob("plan reminders", PLAN_EVERY_S, plan),
            PeriodicJob("plan survey reminders", PLAN_EVERY_S, plan_campaigns),
            PeriodicJob("remind idle referrals", 3600, nudge),
        ]
        try:
            await run_scheduler(jobs, stop)
        finally:
            for adapter in platforms:
                await adapter.close_sender()

    where = f"outbox every {DISPATCH_EVERY_S:g} s, reminders planned every {PLAN_EVERY_S:g} s"
    return Part("worker", where, run)


async def run_parts(parts: list[Part]) -> None:
    """Run every part until Ctrl-C, SIGTERM or the first failure; then stop them all."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = {asyncio.create_task(part.run(stop), name=part.name): part for part in parts}
    stopped = asyncio.create_task(stop.wait())
    try:
        # A part that returns or fails on its own ends the run, as does a signal.
        await asyncio.wait({*tasks, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        stopped.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    failure: BaseException | None = None
    for part, result in zip(tasks.values(), results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            log.error("%s stopped: %s", part.name, result)
            failure = failure or result
    if failure is not None:
        raise failure
