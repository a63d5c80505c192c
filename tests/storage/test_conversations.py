"""The conversation service against the real store: persistence, resuming after a restart,
duplicates applied once, events of one person applied one after the other, flow versions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot import TELEGRAM
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.definitions import Flow
from flows.conversation.loading import parse_flow
from flows.conversation.messages import Reply
from flows.conversation.service import ConversationService, Sender
from storage import Database, unit_of_work_factory
from storage.models import AnswerRecord, Conversation, InboundEvent

WHO = Sender(TELEGRAM, "1001", "Siobhán", "en")


def counting_flow(version: int = 1, questions: int = 12) -> Flow:
    raw: dict[str, Any] = {
        "id": "count",
        "version": version,
        "kind": "survey",
        "title": f"Counting v{version}",
        "languages": ["en"],
        "phases": [
            {
                "id": "only",
                "title": "Numbers",
                "steps": [
                    {"id": f"q{n}", "kind": "number", "text": f"Number {n}?", "integer": True}
                    for n in range(1, questions + 1)
                ],
            }
        ],
    }
    return parse_flow(raw)


def service(database: Database, *flows: Flow) -> ConversationService:
    clock = FixedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    return ConversationService(unit_of_work_factory(database), FlowCatalog(flows), clock)


async def test_answers_survive_a_restart(database_url: str) -> None:
    first = Database.from_url(database_url)
    chat = service(first, counting_flow())
    started = await chat.begin(WHO, "count")
    assert "Number 1?" in started.messages[-1].text
    await chat.handle(WHO, Reply("10"))
    await chat.handle(WHO, Reply("20"))
    await first.dispose()

    second = Database.from_url(database_url)
    try:
        again = service(second, counting_flow())
        resumed = await again.begin(WHO, "count")
        assert resumed.conversation_id == started.conversation_id
        assert "Number 3?" in resumed.messages[-1].text
        async with second.sessions() as session:
            rows = (await session.execute(select(AnswerRecord.step_id, AnswerRecord.value))).all()
        assert sorted(rows) == [("q1", 10), ("q2", 20)]
    finally:
        await second.dispose()


async def test_a_duplicate_delivery_is_applied_once(database: Database) -> None:
    chat = service(database, counting_flow())
    await chat.begin(WHO, "count", event_id="u-1")
    first = await chat.handle(WHO, Reply("5"), event_id="u-2")
    again = await chat.handle(WHO, Reply("5"), event_id="u-2")
    assert first.messages and not first.duplicate
    assert again.duplicate and again.messages == ()
    assert (await chat.begin(WHO, "count", event_id="u-1")).duplicate
    current = await chat.current(WHO)
    assert current is not None and current.state.history == ("q1",)
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundEvent)) == 2


async def test_concurrent_events_of_one_person_are_applied_in_turn(database: Database) -> None:
    chat = service(database, counting_flow())
    await chat.begin(WHO, "count")
    await asyncio.gather(*(chat.handle(WHO, Reply(str(n)), event_id=f"e{n}") for n in range(10)))
    current = await chat.current(WHO)
    assert current is not None
    assert len(current.state.history) == 10
    assert current.state.step_id == "q11"


async def test_two_processes_do_not_interleave_one_conversation(database_url: str) -> None:
    # Two services on two engines stand for two worker processes sharing the store.
    one, two = Database.from_url(database_url), Database.from_url(database_url)
    try:
        a, b = service(one, counting_flow()), service(two, counting_flow())
        await a.begin(WHO, "count")
        await asyncio.gather(
            *((a if n % 2 else b).handle(WHO, Reply(str(n)), event_id=f"p{n}") for n in range(10))
        )
        current = await a.current(WHO)
        assert current is not None and len(current.state.history) == 10
    finally:
        await one.dispose()
        await two.dispose()


async def test_a_conversation_keeps_its_flow_version(database: Database) -> None:
    old = service(database, counting_flow(version=1, questions=3))
    await old.begin(WHO, "count")
    await old.handle(WHO, Reply("1"))

    # The flow is published again with more questions; the running conversation keeps v1.
    new = service(database, counting_flow(version=2, questions=5))
    await new.handle(WHO, Reply("2"))
    done = await new.handle(WHO, Reply("3"))
    assert done.status == "completed"
    async with database.sessions() as session:
        versions = set((await session.scalars(select(AnswerRecord.flow_version))).all())
        conversation = (await session.scalars(select(Conversation))).one()
    assert versions == {1}
    assert conversation.flow_version == 1 and conversation.completed_at is not None
    assert conversation.report is not None

    fresh = await new.begin(WHO, "count")
    assert "Question 1 of 5" in (fresh.messages[-1].progress or "")


async def test_restart_clears_the_stored_answers(database: Database) -> None:
    chat = service(database, counting_flow())
    await chat.begin(WHO, "count")
    await chat.handle(WHO, Reply("7"))
    await chat.handle(WHO, Reply("restart"))
    await chat.handle(WHO, Reply("yes"))
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AnswerRecord)) == 0


async def test_nothing_in_progress_lists_the_flows(database: Database) -> None:
    chat = service(database, counting_flow())
    outcome = await chat.handle(WHO, Reply("hello"))
    assert "count (Counting v1)" in outcome.messages[0].text
    assert outcome.conversation_id is None


async def test_a_process_holding_an_old_state_applies_to_the_fresh_one(database_url: str) -> None:
    one, two = Database.from_url(database_url), Database.from_url(database_url)
    try:
        a, b = service(one, counting_flow()), service(two, counting_flow())
        await a.begin(WHO, "count")
        await a.handle(WHO, Reply("1"))  # a now holds the conversation in memory
        await b.handle(WHO, Reply("2"))  # b moves it on behind a's back
        await a.handle(WHO, Reply("3"))  # a must notice, and apply "3" to question 3
        current = await a.current(WHO)
        assert current is not None
        assert current.state.history == ("q1", "q2", "q3")
        assert current.state.answers["q3"].value == 3
    finally:
        await one.dispose()
        await two.dispose()


async def test_starting_a_flow_elsewhere_moves_every_process_to_it(database_url: str) -> None:
    one, two = Database.from_url(database_url), Database.from_url(database_url)
    other = parse_flow(
        {
            "id": "other",
            "version": 1,
            "kind": "survey",
            "title": "Other",
            "languages": ["en"],
            "phases": [
                {
                    "id": "p",
                    "title": "P",
                    "steps": [{"id": "name", "kind": "text", "text": "Your name?"}],
                }
            ],
        }
    )
    try:
        a, b = service(one, counting_flow(), other), service(two, counting_flow(), other)
        await a.begin(WHO, "count")
        await a.handle(WHO, Reply("1"))
        await b.begin(WHO, "other")
        outcome = await a.handle(WHO, Reply("Niamh"))
        assert outcome.flow_id == "other" and outcome.status == "completed"
    finally:
        await one.dispose()
        await two.dispose()


async def test_people_see_and_delete_their_own_answers(database: Database) -> None:
    from bot.commands import ChatCommands

    chat = service(database, counting_flow())
    commands = ChatCommands(chat)
    other = Sender(TELEGRAM, "2002", "Pádraig")
    await chat.begin(WHO, "count")
    await chat.handle(WHO, Reply("41"))
    await chat.begin(other, "count")
    await chat.handle(other, Reply("7"))

    mine = await commands.run(WHO, "myanswers")
    assert "Number 1? 41" in mine.messages[0].text and "7" not in mine.messages[0].text
    button = mine.messages[0].options[0].id
    ask = await commands.choose(WHO, button)
    assert "for good" in ask.messages[0].text
    # Nobody can delete another person's answers, even with the button's id.
    refused = await commands.choose(other, ask.messages[0].options[0].id)
    assert refused.messages[0].text == "I found no such answers of yours."
    done = await commands.choose(WHO, ask.messages[0].options[0].id)
    assert done.messages[0].text.startswith("Deleted")
    assert (await commands.run(WHO, "myanswers")).messages[0].text.startswith("You have not")
    async with database.sessions() as session:
        left = (await session.execute(select(AnswerRecord.value))).scalars().all()
    assert left == [7]
    # The person can start again afresh.
    again = await chat.begin(WHO, "count")
    assert "Number 1?" in again.messages[-1].text
