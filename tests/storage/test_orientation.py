"""The orientation chat end to end on the store: answers, matches with reasons, unmet needs."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import TELEGRAM
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.messages import Reply
from flows.conversation.service import ConversationService, Sender
from flows.directory.model import load_directory
from flows.directory.orientation import Orientation
from storage import Database, SqlUnitOfWork, unit_of_work_factory

WHO = Sender(TELEGRAM, "31", "Marie")


def service(database: Database) -> ConversationService:
    clock = FixedClock(datetime(2026, 11, 22, tzinfo=UTC))
    return ConversationService(
        unit_of_work_factory(database),
        FlowCatalog.from_directory(),
        clock,
        finishers={"orientation": Orientation(load_directory(), clock)},
    )


async def answer(chat: ConversationService, *texts: str) -> list[str]:
    said: list[str] = []
    for text in texts:
        outcome = await chat.handle(WHO, Reply(text))
        said += [m.text for m in outcome.messages]
    return said


async def test_an_entrepreneur_in_west_cork_gets_matches_with_reasons(database: Database) -> None:
    chat = service(database)
    await chat.begin(WHO, "orientation")
    said = await answer(chat, "start", "2, 11", "crafts", "West Cork", "6", "English")
    final = "\n".join(said)
    assert "Here is what fits best:" in final
    assert "Why: offers" in final and "serves West Cork" in final
    async with SqlUnitOfWork(database) as uow:
        assert await uow.needs.summary() == []


async def test_what_no_service_meets_is_recorded_by_place(database: Database) -> None:
    chat = service(database)
    await chat.begin(WHO, "orientation")
    said = await answer(chat, "1", "13", "any", "Messina", "skip", "it")
    assert any("noted" in text for text in said)
    async with SqlUnitOfWork(database) as uow:
        summary = await uow.needs.summary()
    assert summary == [("messina", "work-life-balance", 1)]


async def test_an_unknown_place_is_said_and_the_whole_network_searched(database: Database) -> None:
    chat = service(database)
    await chat.begin(WHO, "orientation")
    said = await answer(chat, "2", "5", "any", "Atlantis", "skip", "en")
    assert any("I do not know 'Atlantis'" in text for text in said)
