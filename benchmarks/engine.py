"""How fast the conversation core is: pure engine steps, and steps persisted on SQLite.

Prints steps per second and, for the persisted steps, the time per step as a ratio to a bare
INSERT of one answer row committed on its own, measured in the same run on the same kind of
database (goal: at most 3x). Run: `.venv/bin/python -m benchmarks.engine [--steps N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot import TELEGRAM
from flows.clock import SystemClock
from flows.conversation import ConversationService, FlowCatalog, Reply, Sender, engine
from storage import (
    AnswerRecord,
    Conversation,
    Database,
    Person,
    SqlUnitOfWork,
    migrate,
    unit_of_work_factory,
)

ANSWERS = ("yes", "partly: only on paper", "no", "skip", "dont know", "skip")


def pure_steps(count: int) -> float:
    """Engine steps per second over the CitESS flow, answering round and round."""
    flow = FlowCatalog.from_directory().get("citess")
    state, _ = engine.start(flow, "en")
    started = time.perf_counter()
    for n in range(count):
        state, _ = engine.step(flow, state, Reply(ANSWERS[n % len(ANSWERS)]))
        if state.status != "open":
            state, _ = engine.start(flow, "en")
    return count / (time.perf_counter() - started)


async def bare_inserts(database: Database, count: int) -> float:
    """Seconds per INSERT of one answer row, each in its own committed transaction."""
    flow = FlowCatalog.from_directory().get("citess")
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(flow, datetime.now(UTC))
        await uow.commit()
    async with database.sessions() as session:
        person = Person(display_name="bench")
        session.add(person)
        await session.flush()
        conversation = Conversation(
            person_id=person.id, flow_id="citess", flow_version=flow.version, state={}
        )
        session.add(conversation)
        await session.commit()
        conversation_id = conversation.id
    started = time.perf_counter()
    for n in range(count):
        async with database.engine.begin() as conn:
            await conn.execute(
                insert(AnswerRecord).values(
                    conversation_id=conversation_id,
                    flow_id="citess",
                    flow_version=1,
                    step_id=f"s{n}",
                    value="yes",
                    answered_at=datetime.now(UTC),
                )
            )
    return (time.perf_counter() - started) / count


async def persisted_steps(database: Database, count: int) -> float:
    """Seconds per event through the service: dedupe, load, engine, save answers, commit."""
    service = ConversationService(
        unit_of_work_factory(database), FlowCatalog.from_directory(), SystemClock()
    )
    who = Sender(TELEGRAM, "42", "Bench")
    await service.begin(who, "citess")
    started = time.perf_counter()
    for n in range(count):
        outcome = await service.handle(who, Reply(ANSWERS[n % len(ANSWERS)]), event_id=f"b{n}")
        if outcome.status != "open":
            await service.begin(who, "citess", new=True)
    return (time.perf_counter() - started) / count


async def measure(steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        database = Database.from_url(url)
        try:
            await bare_inserts(database, 50)  # warm up the connection and the statement cache
            await persisted_steps(database, 20)
            baseline = await bare_inserts(database, steps)
            persisted = await persisted_steps(database, steps)
        finally:
            await database.dispose()
    ratio = persisted / baseline
    print(f"bare INSERT + commit      {1 / baseline:10.0f} per second (baseline)")
    print(f"persisted engine steps    {1 / persisted:10.0f} per second")
    print(f"persisted step / INSERT   {ratio:10.2f}x   (goal: at most 3x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    print(f"pure engine steps         {pure_steps(args.steps * 10):10.0f} per second")
    asyncio.run(measure(args.steps))


if __name__ == "__main__":
    main()
