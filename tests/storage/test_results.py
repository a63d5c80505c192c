"""Survey results and exports from the real store: conversations of the bundled Messina survey run
through the conversation service, then read back as results, as CSV and as XLSX."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import TELEGRAM
from deseo.cli.results import ExportFormat, export_responses
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.definitions import Flow, MessageStep
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.messages import Reply
from flows.conversation.service import ConversationService, Sender
from flows.surveys.aggregator import compute_results
from flows.surveys.exports import EXPORT_COLUMNS
from flows.surveys.filters import AnswerFilter
from flows.surveys.responses import Response
from storage import Database, unit_of_work_factory
from storage.models import AnswerRecord, Conversation
from storage.repositories.results import ResultsReader, SqlResultsRepository, UnknownSurvey
from tests.storage.test_conversations import counting_flow

STARTED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
MESSINA = FlowCatalog.from_directory().get("messina")


def service(database: Database, *flows: Flow) -> ConversationService:
    catalog = FlowCatalog(flows or [MESSINA])
    return ConversationService(unit_of_work_factory(database), catalog, FixedClock(STARTED))


def person(n: int) -> Sender:
    return Sender(TELEGRAM, str(1000 + n), f"Person {n}", "en")


async def answer(
    chat: ConversationService,
    who: Sender,
    answers: Mapping[str, str],
    *,
    stop_at: str | None = None,
) -> None:
    """Answer on, each question with `answers[step id]` or "1" (the first choice), continuing
    at every phase break, until the flow ends or reaches `stop_at`."""
    for _ in range(200):
        current = await chat.current(who)
        if current is None:
            return
        state = current.state
        if state.awaiting == "continue":
            await chat.handle(who, Reply("continue"))
            continue
        if state.step_id == stop_at:
            return
        assert state.step_id is not None
        outcome = await chat.handle(who, Reply(answers.get(state.step_id, "1")))
        assert all(m.kind != "error" for m in outcome.messages), outcome.messages
    raise AssertionError("the survey never ended")


async def messina_responses(database: Database) -> None:
    """Four people: two finish, one changes an answer on the way, one stops halfway."""
    chat = service(database)
    first, second, third, fourth = (person(n) for n in range(1, 5))
    await chat.begin(first, "messina")
    await answer(
        chat,
        first,
        {
            "gender": "woman",
            "age-band": "30 to 39",
            "has-children": "yes",
            "children-count": "2",
            "children-ages": "1, 3",
            "cares-for-someone": "no",
            "care-share": "shared",
            "weekly-hours": "36",
            "balance": "4",
            "biggest-difficulty": "Finding childcare, near work",
            "desk-themes": "skip",
        },
    )
    await chat.begin(second, "messina")
    await answer(
        chat,
        second,
        {
            "gender": "man",
            "has-children": "no",
            "cares-for-someone": "no",
            "working-time": "part time",
            "part-time-reason": "2",
            "weekly-hours": "20",
            "balance": "2",
            "biggest-difficulty": "skip",
        },
    )
    # The third says she has 3 children, goes back and says she has none: the 3 stays stored.
    await chat.begin(third, "messina")
    given = {"gender": "woman", "has-children": "yes", "children-count": "3"}
    await answer(chat, third, given, stop_at="children-ages")
    await chat.handle(third, Reply("back"))
    await chat.handle(third, Reply("back"))
    await answer(chat, third, {"has-children": "no", "weekly-hours": "40", "balance": "3"})
    await chat.begin(fourth, "messina")
    await answer(chat, fourth, {"gender": "skip"}, stop_at="employer")


async def stored_responses(database: Database, flow_id: str) -> list[Response]:
    """The responses as the ORM reads them, to check the results' own reading against."""
    async with database.sessions() as session:
        conversations = (
            await session.scalars(
                select(Conversation)
                .where(Conversation.flow_id == flow_id)
                .order_by(Conversation.id)
            )
        ).all()
        rows = (await session.execute(select(AnswerRecord))).scalars().all()
    answers: dict[int, dict[str, AnswerValue]] = {c.id: {} for c in conversations}
    for row in rows:
        if row.conversation_id in answers:
            answers[row.conversation_id][row.step_id] = row.value
    return [
        Response(
            c.id,
            c.status == "completed",
            answers[c.id],
            c.flow_version,
            c.status,  # type: ignore[arg-type]
            c.started_at,
            c.updated_at,
        )
        for c in conversations
    ]


async def test_results_of_messina(database: Database) -> None:
    await messina_responses(database)
    results = await ResultsReader(database).results("messina")
    assert (results.responses, results.completed, results.versions) == (4, 3, (1,))
    gender = results.question("gender")
    assert [(c.id, c.count) for c in gender.choices] == [("woman", 2), ("man", 1), ("another", 0)]
    assert (gender.answered, gender.skipped) == (3, 1)
    children = results.question("children-count")
    # The first said 2, the fourth 1 (the first choice); the second and third have none.
    assert (children.answered, children.not_shown, children.unanswered) == (2, 2, 0)
    assert children.numbers is not None and children.numbers.mean == 1.5
    ages = results.question("children-ages")
    assert {c.id: c.count for c in ages.choices}["6-10"] == 1
    hours = results.question("weekly-hours")
    assert (hours.answered, hours.unanswered) == (3, 1)  # the fourth stopped before it
    assert hours.numbers is not None and hours.numbers.median == 36
    part_time = results.question("part-time-reason")
    assert (part_time.answered, part_time.not_shown, part_time.unanswered) == (1, 2, 1)
    assert part_time.choice("relatives").count == 1
    difficulty = results.question("biggest-difficulty")
    assert difficulty.skipped == 1 and "Finding childcare, near work" in difficulty.texts
    channel = results.question("desk-channel")  # only after desk themes were given
    assert (channel.answered, channel.not_shown) == (2, 1)

    # The same numbers as from the answers read one by one through the ORM.
    definitions = {1: MESSINA}
    assert results == compute_results(
        MESSINA, await stored_responses(database, "messina"), versions=definitions
    )


async def test_results_filtered_by_an_answer(database: Database) -> None:
    await messina_responses(database)
    reader = ResultsReader(database)
    women = await reader.results("messina", answer_filter=AnswerFilter("gender", "woman"))
    assert (women.responses, women.completed) == (2, 2)
    assert women.question("gender").choice("man").count == 0
    parents = await reader.results("messina", answer_filter=AnswerFilter("has-children", "yes"))
    assert parents.responses == 2  # the first and the fourth; the third's yes was replaced
    done = await reader.results("messina", completed_only=True, invited=6)
    assert (done.responses, done.response_rate) == (3, 50.0)


async def test_responses_stream_in_order(database: Database) -> None:
    await messina_responses(database)
    async with database.sessions() as session:
        repository = SqlResultsRepository(session, database.dialect)
        read = [r async for r in repository.responses("messina", batch=2, times=True)]
    assert [r.id for r in read] == sorted(r.id for r in read) and len(read) == 4
    assert read[0].started_at == STARTED and read[0].status == "completed"
    assert read[-1].status == "open" and not read[-1].completed
    stored = await stored_responses(database, "messina")
    assert [r.decoded().answers for r in read] == [r.answers for r in stored]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def read_xlsx(path: Path, sheet: str) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def partial_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


def expected_cell(value: AnswerValue) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


async def test_csv_export_round_trip(database: Database, tmp_path: Path) -> None:
    await messina_responses(database)
    output = tmp_path / "messina.csv"
    assert await export_responses(database, "messina", ExportFormat.csv, output) == 4
    header, *rows = read_csv(output)
    questions = [s for _, s in MESSINA.steps() if not isinstance(s, MessageStep)]
    assert header == [*EXPORT_COLUMNS, *(q.id for q in questions)]
    stored = {r.id: r for r in await stored_responses(database, "messina")}
    assert len(rows) == len(stored)
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        response = stored[int(cells["_id"])]
        assert cells["_status"] == response.status
        assert cells["_version"] == "1"
        assert datetime.fromisoformat(cells["_started"]) == response.started_at
        assert datetime.fromisoformat(cells["_updated"]) == response.updated_at
        for question in questions:
            shown = question.when is None or question.when.holds(response.answers)
            value = response.answers.get(question.id) if shown else None
            assert cells[question.id] == expected_cell(value), (response.id, question.id)
    first = dict(zip(header, rows[0], strict=True))
    assert first["gender"] == "woman" and first["children-ages"] == "under-3 6-10"
    # The third person's old answer, behind a condition that no longer holds, is not exported.
    assert sorted(dict(zip(header, r, strict=True))["children-count"] for r in rows) == [
        "",
        "",
        "1",
        "2",
    ]


async def test_xlsx_export(database: Database, tmp_path: Path) -> None:
    await messina_responses(database)
    output = tmp_path / "messina.xlsx"
    assert await export_responses(database, "messina", ExportFormat.xlsx, output) == 4
    header, *rows = read_xlsx(output, "messina")
    assert header[: len(EXPORT_COLUMNS)] == list(EXPORT_COLUMNS)
    assert len(rows) == 4
    first = dict(zip(header, rows[0], strict=True))
    assert first["gender"] == "woman" and first["children-ages"] == "under-3 6-10"
    assert first["weekly-hours"] == 36 and first["balance"] == 4
    assert first["_started"] == STARTED.replace(tzinfo=None)
    assert first["biggest-difficulty"] == "Finding childcare, near work"
    assert partial_files(tmp_path) == []


async def test_every_version_or_one(database: Database) -> None:
    # Version 2 adds two questions; results over both judge each response by its own version.
    old, new = counting_flow(version=1, questions=3), counting_flow(version=2, questions=5)
    first = service(database, old)
    await first.begin(person(1), "count")
    for n in ("1", "2", "3"):
        await first.handle(person(1), Reply(n))
    second = service(database, new)
    await second.begin(person(2), "count")
    for n in ("4", "5", "6", "7"):
        await second.handle(person(2), Reply(n))

    reader = ResultsReader(database)
    both = await reader.results("count")
    assert (both.flow_version, both.versions, both.responses, both.completed) == (2, (1, 2), 2, 1)
    q1, q4, q5 = both.question("q1"), both.question("q4"), both.question("q5")
    assert q1.numbers is not None and q1.numbers.mean == 2.5
    assert (q4.answered, q4.not_shown) == (1, 1)
    assert (q5.answered, q5.not_shown, q5.unanswered) == (0, 1, 1)
    only_old = await reader.results("count", version=1)
    assert (only_old.flow_version, only_old.responses) == (1, 1)
    assert [q.id for q in only_old.questions] == ["q1", "q2", "q3"]

    # No condition in either version: the counts come from SQL, and agree with streaming.
    async with database.sessions() as session:
        repository = SqlResultsRepository(session, database.dialect)
        definitions = await repository.definitions("count")
        streamed = compute_results(
            new, [r async for r in repository.responses("count")], versions=definitions
        )
    assert both == streamed


async def test_unknown_flows_and_versions(database: Database) -> None:
    reader = ResultsReader(database)
    with pytest.raises(UnknownSurvey, match="no version of the flow 'nothing'"):
        await reader.results("nothing")
    cork = FlowCatalog.from_directory().get("cork")
    empty = await reader.results("cork", fallback=cork)
    assert empty.responses == 0 and empty.questions[0].id == "sector"
    await messina_responses(database)
    with pytest.raises(UnknownSurvey, match="has no version 7"):
        await reader.results("messina", version=7)
