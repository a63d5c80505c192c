"""Referrals on the store: the lifecycle, who may see and move them, who is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import DISCORD, TELEGRAM
from bot.commands import ChatCommands
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.service import ConversationService, Sender
from flows.directory.model import load_directory
from flows.referrals.model import ReferralError
from flows.referrals.service import ReferralService
from storage import Database, unit_of_work_factory
from storage.models import OutboxRow
from tests.bot.platforms import registered

ENTREPRENEUR = Sender(TELEGRAM, "100", "Niamh")
PROVIDER = Sender(TELEGRAM, "200", "Clann Credo officer")
OTHER_PROVIDER = Sender(DISCORD, "300", "Someone at SEI")
CLANN_LOANS = "clann-credo-social-finance"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 9, tzinfo=UTC))


async def setup(database: Database, clock: FixedClock) -> ReferralService:
    service = ReferralService(unit_of_work_factory(database), clock, load_directory(), registered())
    assert any(s.slug == CLANN_LOANS for _, s in service.directory.services())
    await service.add_provider("clann-credo", PROVIDER)
    await service.add_provider("social-entrepreneurs-ireland", OTHER_PROVIDER)
    return service


async def outbox(database: Database) -> list[tuple[str, str]]:
    async with database.sessions() as session:
        rows = (await session.execute(select(OutboxRow.chat_id, OutboxRow.payload))).all()
    return [(chat, payload["text"]) for chat, payload in rows]


async def test_a_referral_lives_and_everyone_concerned_is_told(
    database: Database, clock: FixedClock
) -> None:
    service = await setup(database, clock)
    said = await service.request(ENTREPRENEUR, CLANN_LOANS, "for a community shop")
    assert "Clann Credo" in said.text and "#1" in said.text
    assert any(
        chat == "200" and text.startswith("New request #1 from Niamh")
        for chat, text in await outbox(database)
    )
    again = await service.request(ENTREPRENEUR, CLANN_LOANS)
    assert "already" in again.text

    await service.move(PROVIDER, 1, "accepted")
    await service.move(PROVIDER, 1, "in-progress", note="we will call on Monday")
    closed = await service.move(PROVIDER, 1, "closed", "got-help")
    assert closed.status == "closed" and closed.outcome == "got-help"
    told = [text for chat, text in await outbox(database) if chat == "100"]
    assert any("now accepted" in t for t in told)
    assert any("we will call on Monday" in t for t in told)
    assert any("you got the help you asked for" in t for t in told)
    history = await service.history(ENTREPRENEUR, 1)
    assert [e.status for e in history] == ["requested", "accepted", "in-progress", "closed"]


async def test_no_provider_sees_or_moves_another_providers_referrals(
    database: Database, clock: FixedClock
) -> None:
    service = await setup(database, clock)
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    to_answer, own = await service.visible_to(OTHER_PROVIDER)
    assert to_answer == [] and own == []
    with pytest.raises(ReferralError, match="no referral #1 for you"):
        await service.move(OTHER_PROVIDER, 1, "accepted")
    with pytest.raises(ReferralError, match="no referral #1 for you"):
        await service.history(OTHER_PROVIDER, 1)
    to_answer, _ = await service.visible_to(PROVIDER)
    assert [r.id for r in to_answer] == [1]


async def test_the_rules_of_moving(database: Database, clock: FixedClock) -> None:
    service = await setup(database, clock)
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    with pytest.raises(ReferralError, match="only the provider"):
        await service.move(ENTREPRENEUR, 1, "accepted")
    with pytest.raises(ReferralError, match="needs an outcome"):
        await service.move(PROVIDER, 1, "closed")
    with pytest.raises(ReferralError, match="cannot become"):
        await service.move(PROVIDER, 1, "in-progress")
    withdrawn = await service.move(ENTREPRENEUR, 1, "closed", "no-longer-interested")
    assert withdrawn.status == "closed"
    with pytest.raises(ReferralError, match="cannot become"):
        await service.move(PROVIDER, 1, "accepted")


async def test_an_idle_referral_reminds_its_provider_once(
    database: Database, clock: FixedClock
) -> None:
    service = await setup(database, clock)
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    assert await service.remind_idle() == 0
    clock.advance(timedelta(days=8))
    assert await service.remind_idle() == 1
    await service.remind_idle()
    reminders = [t for c, t in await outbox(database) if c == "200" and "no news" in t]
    assert len(reminders) == 1


async def test_from_orientation_to_a_referral_in_the_chat(
    database: Database, clock: FixedClock
) -> None:
    from flows.conversation.messages import Reply
    from flows.directory.orientation import Orientation

    referrals = await setup(database, clock)
    units = unit_of_work_factory(database)
    conversations = ConversationService(
        units,
        FlowCatalog.from_directory(),
        clock,
        finishers={"orientation": Orientation(load_directory(), clock)},
    )
    chat = ChatCommands(conversations, referrals=referrals)
    await chat.run(ENTREPRENEUR, "orient")
    messages = []
    for text in ("start", "2", "any", "Ireland", "skip", "en"):
        messages = list((await conversations.handle(ENTREPRENEUR, Reply(text))).messages)
    buttons = [o.id for m in messages for o in m.options]
    assert f"refer:{CLANN_LOANS}" in buttons
    asked = await chat.choose(ENTREPRENEUR, f"refer:{CLANN_LOANS}")
    assert "I have asked Clann Credo" in asked.messages[0].text
    listing = await chat.run(PROVIDER, "referrals")
    assert [o.id for o in listing.messages[0].options][:2] == ["ref:1:accepted", "ref:1:declined"]
    moved = await chat.choose(PROVIDER, "ref:1:accepted")
    assert moved.messages[0].text == "Request #1 is now accepted."
    close = await chat.choose(PROVIDER, "ref:1:close")
    assert "ref:1:closed:got-help" in [o.id for o in close.messages[0].options]
    mine = await chat.run(ENTREPRENEUR, "referrals")
    assert "accepted" in mine.messages[0].text
