"""How fast survey results and exports are on SQLite, for a survey of 100,000 responses.

Fills a fresh SQLite store with responses to a 20-question survey (a few questions behind
conditions, some skipped, a tenth of the responses unfinished), written straight into the
`conversations` and `answers` tables in bulk. The baseline, measured in the same run on the same
rows, is one raw `SELECT step_id, value, count(*) FROM answers GROUP BY step_id, value`: the
least any count of the answers costs. Prints, each as the best of a few runs:
- the results as `deseo results` computes them, streaming every response through the
  aggregator (the survey has conditions, so counts alone would not do), and its ratio to the
  baseline (goal: at most 1.5x);
- the SQL fast path on the same rows, for a survey without conditions, and its ratio;
- a CSV export, in responses per second (and XLSX with `--xlsx`).

Run: `.venv/bin/python -m benchmarks.surveys [--responses 100000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from deseo.cli.results import ExportFormat, export_responses
from flows.conversation import Flow, parse_flow
from flows.surveys import ResultsAggregator
from storage import Database, Person, ResultsReader, SqlResultsRepository, SqlUnitOfWork, migrate

FLOW_ID = "bench"
BATCH = 20_000
YES_NO = [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]
TEXTS = [f"answer number {n}, with a comma" for n in range(200)]


def _choices(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "label": i.title()} for i in ids]


def survey(conditions: bool = True) -> Flow:
    """Twenty questions of every kind; with `conditions`, three of them depend on earlier ones."""
    steps: list[dict[str, Any]] = [
        {"id": "gender", "kind": "single", "choices": _choices("woman", "man", "another")},
        {"id": "age", "kind": "number", "integer": True, "min": 16, "max": 90},
        {"id": "has-children", "kind": "single", "choices": YES_NO},
        {"id": "children", "kind": "number", "integer": True, "min": 1, "max": 15},
        {"id": "children-ages", "kind": "multiple", "choices": _choices("a", "b", "c", "d")},
        {"id": "cares", "kind": "single", "choices": YES_NO},
        {"id": "care-hours", "kind": "number", "min": 0, "max": 168},
        {"id": "education", "kind": "single", "choices": _choices("low", "mid", "high", "top")},
        {"id": "training", "kind": "rating"},
        {"id": "wanted", "kind": "multiple", "choices": _choices("a", "b", "c", "d", "e")},
        {"id": "employer", "kind": "single", "choices": _choices("city", "platform", "other")},
        {"id": "hours", "kind": "number", "integer": True, "min": 1, "max": 80},
        {"id": "flexible", "kind": "rating"},
        {"id": "balance", "kind": "scale", "min": 1, "max": 5},
        {"id": "leave", "kind": "rating"},
        {"id": "measures", "kind": "multiple", "choices": _choices("a", "b", "c", "d", "e", "f")},
        {"id": "helpful", "kind": "multiple", "choices": _choices("a", "b", "c", "d", "e")},
        {"id": "since", "kind": "date"},
        {"id": "difficulty", "kind": "text", "required": False},
        {"id": "satisfaction", "kind": "scale", "min": 0, "max": 10},
    ]
    if conditions:
        steps[3]["when"] = {"step": "has-children", "equals": "yes"}
        steps[4]["when"] = {"step": "has-children", "equals": "yes"}
        steps[6]["when"] = {"step": "cares", "equals": "yes"}
    for step in steps:
        step["text"] = f"{step['id']}?"
    raw = {
        "id": FLOW_ID,
        "version": 1,
        "kind": "survey",
        "title": "Benchmark survey",
        "languages": ["en"],
        "phases": [{"id": "only", "title": "All", "steps": steps}],
    }
    return parse_flow(raw)


def _value(step: Any, answers: dict[str, Any], rnd: random.Random) -> Any:
    kind = step.kind
    if kind == "single":
        return rnd.choice(step.choices).id
    if kind == "multiple":
        return sorted(rnd.sample([c.id for c in step.choices], rnd.randint(1, 3)))
    if kind == "number":
        low, high = int(step.min or 0), int(step.max or 100)
        return rnd.randint(low, high) if step.integer else round(rnd.uniform(low, high), 1)
    if kind == "scale":
        return rnd.randint(step.min, step.max)
    if kind == "rating":
        return rnd.choice(("yes", "partly", "no", "dont_know"))
    if kind == "date":
        return (datetime(2020, 1, 1) + timedelta(days=rnd.randrange(2000))).date().isoformat()
    return rnd.choice(TEXTS)


def responses(flow: Flow, count: int, seed: int = 7) -> Iterator[tuple[bool, dict[str, Any]]]:
    """(completed, answers) for `count` responses; about 5% of answers are skips."""
    rnd = random.Random(seed)
    questions = [step for _, step in flow.steps()]
    for n in range(count):
        completed = n % 10 != 9
        answers: dict[str, Any] = {}
        for index, step in enumerate(questions):
            if not completed and index >= 12:
                break
            if step.when is not None and not step.when.holds(answers):
                continue
            answers[step.id] = None if rnd.random() < 0.05 else _value(step, answers, rnd)
        yield completed, answers


def _sqlite_time(at: datetime) -> str:
    # How SQLAlchemy's DateTime stores a (UTC) time in SQLite.
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


async def fill(database: Database, flow: Flow, count: int) -> int:
    """Write `count` responses straight into the tables, in bulk; returns the answer rows."""
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(flow, now)
        await uow.commit()
    stamp = _sqlite_time(now)
    rows = 0
    async with database.engine.begin() as conn:
        await conn.execute(insert(Person).values(id=1, display_name="bench", created_at=now))
        conversations: list[tuple[Any, ...]] = []
        answers: list[tuple[Any, ...]] = []
        for number, (completed, given) in enumerate(responses(flow, count), start=1):
            status = "completed" if completed else "open"
            conversations.append(
                (number, 1, FLOW_ID, 1, status, "{}", stamp, stamp, stamp if completed else None)
            )
            answers.extend(
                (number, FLOW_ID, 1, step_id, json.dumps(value), stamp)
                for step_id, value in given.items()
            )
            if len(answers) >= BATCH:
                rows += await _flush(conn, conversations, answers)
        rows += await _flush(conn, conversations, answers)
    return rows


async def _flush(conn: Any, conversations: list[Any], answers: list[Any]) -> int:
    if conversations:
        await conn.exec_driver_sql(
            "INSERT INTO conversations (id, person_id, flow_id, flow_version, status, state, "
            "started_at, updated_at, completed_at, revision) VALUES (?,?,?,?,?,?,?,?,?,0)",
            conversations,
        )
    if answers:
        await conn.exec_driver_sql(
            "INSERT INTO answers (conversation_id, flow_id, flow_version, step_id, value, "
            "answered_at) VALUES (?,?,?,?,?,?)",
            answers,
        )
    written = len(answers)
    conversations.clear()
    answers.clear()
    return written


async def best_of(runs: int, **works: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    """The best time of each piece of work, run in turns so that a busy moment of the machine
    falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            started = time.perf_counter()
            await work()
            times[name].append(time.perf_counter() - started)
    return {name: min(taken) for name, taken in times.items()}


async def measure(count: int, runs: int, xlsx: bool) -> None:
    flow, plain = survey(), survey(conditions=False)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        database = Database.from_url(url)
        reader = ResultsReader(database)

        async def group_by() -> None:
            async with database.engine.connect() as conn:
                result = await conn.exec_driver_sql(
                    "SELECT step_id, value, count(*) FROM answers GROUP BY step_id, value"
                )
                result.all()

        async def streamed() -> None:
            found = await reader.results(FLOW_ID)
            assert found.responses == count, found.responses

        async def counted() -> None:
            # The same rows read as a survey without conditions, where counts suffice.
            async with database.sessions() as session:
                repository = SqlResultsRepository(session, database.dialect)
                aggregator = ResultsAggregator(plain, {1: plain})
                counts = await repository.response_counts(FLOW_ID)
                aggregator.add_counts(counts, await repository.answer_counts(FLOW_ID))
                assert aggregator.result().responses == count

        try:
            started = time.perf_counter()
            rows = await fill(database, flow, count)
            filled = time.perf_counter() - started
            print(f"filled {count} responses, {rows} answers, in {filled:.1f} s")
            await group_by()  # warm the page cache and the connection pool
            best = await best_of(runs, baseline=group_by, streamed=streamed, counted=counted)
            csv_file, xlsx_file = Path(folder) / "export.csv", Path(folder) / "export.xlsx"
            started = time.perf_counter()
            await export_responses(database, FLOW_ID, ExportFormat.csv, csv_file)
            csv_time = time.perf_counter() - started
            xlsx_time = None
            if xlsx:
                started = time.perf_counter()
                await export_responses(database, FLOW_ID, ExportFormat.xlsx, xlsx_file)
                xlsx_time = time.perf_counter() - started
        finally:
            await database.dispose()
    baseline = best["baseline"]
    print(f"GROUP BY step_id, value        {baseline:8.2f} s   (baseline)")
    print(
        f"results, streamed              {best['streamed']:8.2f} s   "
        f"{best['streamed'] / baseline:5.2f}x   (goal: at most 1.5x)"
    )
    print(
        f"results, SQL counts only       {best['counted']:8.2f} s   "
        f"{best['counted'] / baseline:5.2f}x"
    )
    print(f"CSV export                     {count / csv_time:8.0f} responses per second")
    if xlsx_time is not None:
        print(f"XLSX export                    {count / xlsx_time:8.0f} responses per second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also time an XLSX export")
    args = parser.parse_args()
    asyncio.run(measure(args.responses, args.runs, args.xlsx))


if __name__ == "__main__":
    main()
