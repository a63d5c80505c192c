"""Updates per second through python-telegram-bot's `process_update`: deseo's bot (engine and
SQLite store) against a bare echo handler, both measured in this run on the same recording
request layer (no network). Goal: deseo at least half the echo throughput.

Run: `.venv/bin/python -m benchmarks.telegram [--updates N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot import TelegramConfig, build_telegram
from flows.clock import SystemClock
from flows.conversation import ConversationService, FlowCatalog
from storage import Database, migrate, unit_of_work_factory
from tests.bot.telegram_fakes import TOKEN, RecordingRequest, text_update

ANSWERS = ("yes", "partly: only in town", "no", "skip", "don't know", "skip")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")


def echo_app() -> Application[Any, Any, Any, Any, Any, Any]:
    request = RecordingRequest()
    app = ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def rate(app: Application[Any, Any, Any, Any, Any, Any], texts: list[str]) -> float:
    """Updates per second for these texts, one after another as Telegram delivers them."""
    updates = [Update.de_json(text_update(t), app.bot) for t in texts]
    request = app.bot.request
    started = time.perf_counter()
    for update in updates:
        await app.process_update(update)
        if isinstance(request, RecordingRequest):
            request.calls.clear()  # keep memory flat over long runs
    return len(updates) / (time.perf_counter() - started)


async def measure(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        database = Database.from_url(url)
        service = ConversationService(
            unit_of_work_factory(database), FlowCatalog.from_directory(), SystemClock()
        )
        request = RecordingRequest()
        deseo = build_telegram(
            service, TelegramConfig(token=TOKEN), request=request, rate_limit=False
        )
        baseline = echo_app()
        await deseo.initialize()
        await baseline.initialize()
        try:
            # Keep answering round the flow; restart it when done so every update is real work.
            cycle = itertools.cycle(ANSWERS)
            texts = ["/start citess"] + [next(cycle) for _ in range(count)]
            await rate(baseline, texts[:50])
            await rate(deseo, texts[:50])
            echo_rate = await rate(baseline, texts)
            deseo_rate = await rate(deseo, texts)
        finally:
            await deseo.shutdown()
            await baseline.shutdown()
            await database.dispose()
    print(f"echo handler      {echo_rate:8.0f} updates per second (baseline)")
    print(f"deseo bot         {deseo_rate:8.0f} updates per second")
    print(f"deseo / echo      {deseo_rate / echo_rate:8.2f}   (goal: at least 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    asyncio.run(measure(parser.parse_args().updates))


if __name__ == "__main__":
    main()
