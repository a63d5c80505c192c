"""A survey campaign from start to end against the real store, through the chat commands the
bots use, the conversation service, the worker's planning and the outbox dispatcher: invite,
send, answer half, remind only those who have not completed, resume, complete, close; and an
anonymous campaign that keeps no link from a response to its person."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import DISCORD, TELEGRAM
from bot.commands import ChatCommands
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.messages import Outbound, Reply
from flows.conversation.service import ConversationService, Outcome, Sender
from flows.outbox.dispatcher import Dispatcher
from flows.people.chats import ChatRef
from flows.surveys.hooks import CampaignResponses
from flows.surveys.model import Campaign, Reminders
from flows.surveys.service import CampaignService, NotAllowed
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.base import Base
from storage.models import (
    AnswerRecord,
    CampaignInvitation,
    Conversation,
    OutboxRow,
)
from storage.repositories.results import ResultsReader
from tests.bot.platforms import registered
from tests.storage.test_conversations import counting_flow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ANN = Sender(TELEGRAM, "1001", "Ann", "en")
BOB = Sender(TELEGRAM, "1002", "Bob", "en")
CAT = Sender(DISCORD, "1003", "Cat", "en")
DAN = Sender(TELEGRAM, "1004", "Dan", "en")
EVE = Sender(TELEGRAM, "1005", "Eve", "en")
GROUP = ChatRef(TELEGRAM, "-100500")
FLOW = counting_flow(questions=4)


class RecordingSender:
    """Keeps what would have been sent, by chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outbound]] = []

    async def send(self, chat: ChatRef, message: Outbound, *, key: str | None = None) -> None:
        self.sent.append((chat.key, message))

    def take(self) -> dict[str, str]:
        taken = {chat: message.text for chat, message in self.sent}
        self.sent.clear()
        return taken


class World:
    """The services a running deseo holds, over one store and one clock."""

    def __init__(self, database: Database) -> None:
        self.clock = FixedClock(NOW)
        units = unit_of_work_factory(database)
        self.database = database
        self.conversations = ConversationService(
            units, FlowCatalog([FLOW]), self.clock, hooks=[CampaignResponses(self.clock)]
        )
        self.campaigns = CampaignService(
            units, self.clock, self.conversations, platforms=registered("deseo_bot")
        )
        self.chat = ChatCommands(self.conversations, campaigns=self.campaigns)
        self.sender = RecordingSender()
        self.dispatcher = Dispatcher(units, self.sender, self.clock, worker="w")

    async def send(self) -> dict[str, str]:
        await self.campaigns.plan()
        await self.dispatcher.drain()
        return self.sender.take()

    async def person(self, who: Sender) -> int:
        return (await self.conversations.whois(who)).id

    async def answer(self, who: Sender, *values: str) -> Outcome:
        outcome = Outcome(())
        for value in values:
            outcome = await self.conversations.handle(who, Reply(value))
            assert all(m.kind != "error" for m in outcome.messages), outcome.messages
        return outcome

    async def create(self, **extra: object) -> Campaign:
        return await self.campaigns.create(
            FLOW,
            "Counting in Cork",
            NOW + timedelta(hours=1),
            NOW + timedelta(days=10),
            timezone="Europe/Dublin",
            reminders=Reminders.parse("2d,1d-before-close"),
            **extra,  # type: ignore[arg-type]
        )


async def rows_linking(database: Database, person_id: int) -> list[str]:
    """Every row, in any table, that names both the person and a conversation."""
    people = Base.metadata.tables["people"].c.id
    conversations = Base.metadata.tables["conversations"].c.id
    found = []
    async with database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            mine = [k.parent for k in table.foreign_keys if k.column is people]
            talks = [k.parent for k in table.foreign_keys if k.column is conversations]
            if table.name == "conversations":
                mine, talks = [table.c.person_id], [table.c.id]
            for column in mine if talks else []:
                rows = await session.execute(select(*talks).where(column == person_id))
                found += [f"{table.name}: {row}" for row in rows if any(v is not None for v in row)]
    return found


def texts(outcome: Outcome) -> str:
    return "\n".join(m.text for m in outcome.messages)


async def test_the_lifecycle_of_a_campaign_with_reminders(database: Database) -> None:
    world = World(database)
    ann, bob, cat = [await world.person(who) for who in (ANN, BOB, CAT)]
    coordinator = await world.person(Sender(TELEGRAM, "9", "Rosa"))
    campaign = await world.create(created_by=coordinator)
    await world.campaigns.invite_people(campaign.slug, [ann, bob, cat])
    [(posted, _)] = await world.campaigns.invite_chats(campaign.slug, [(GROUP, "Partners")])

    # Nothing goes out before the campaign opens; then every invitation at once.
    assert await world.send() == {}
    early = await world.chat.run(ANN, "survey", campaign.slug)
    assert "opens on 30 November 2026, 10:00 GMT" in texts(early)
    world.clock.advance(timedelta(hours=1))
    sent = await world.send()
    assert set(sent) == {"telegram:1001", "telegram:1002", "discord:user:1003", GROUP.key}
    assert "You are invited to answer *Counting in Cork*" in sent["telegram:1001"]
    assert f"https://t.me/deseo_bot?start=c_{posted.token}" in sent[GROUP.key]

    # Ann starts with the invitation's button and answers half; Cat answers everything.
    started = await world.chat.choose(ANN, f"campaign:{campaign.id}")
    assert "kept with your name" in texts(started) and "Number 1?" in texts(started)
    await world.answer(ANN, "1", "2")
    await world.chat.run(CAT, "survey", campaign.slug)
    finished = await world.answer(CAT, "1", "2", "3", "4")
    assert "your answers to *Counting in Cork* are in" in texts(finished)
    # Dan was not invited by name: the group's link admits him, the slug alone does not.
    refused = await world.chat.run(DAN, "survey", campaign.slug)
    assert "by invitation" in texts(refused)
    walked_in = await world.chat.run(DAN, "start", f"c_{posted.token}")
    assert "Number 1?" in texts(walked_in)
    await world.answer(DAN, "7")

    # Two days after opening: reminders to Ann (half done), Bob (never began) and Dan,
    # not to Cat, who completed.
    world.clock.advance(timedelta(days=2))
    reminded = await world.send()
    assert set(reminded) == {"telegram:1001", "telegram:1002", "telegram:1004"}
    assert "you began *Counting in Cork*" in reminded["telegram:1001"]
    assert "is waiting for your answers" in reminded["telegram:1002"]
    assert await world.send() == {}  # planning again sends nothing twice

    # Ann picks up where she stopped, in the same conversation, and completes.
    first = started.conversation_id
    resumed = await world.chat.run(ANN, "survey", campaign.slug)
    assert resumed.conversation_id == first
    assert "Number 3?" in texts(resumed) and "kept with your name" not in texts(resumed)
    await world.answer(ANN, "3", "4")
    again = await world.chat.choose(ANN, f"campaign:{campaign.id}")
    assert "already answered" in texts(again)
    # Her completed answers are hers to see and delete (a named campaign).
    [(_, mine)] = await world.conversations.mine(ANN)
    assert mine.id == first and mine.state.status == "completed"

    shown = await world.campaigns.campaign(campaign.slug)
    counts = shown[1]
    assert (counts.invited, counts.completed, counts.in_progress) == (4, 2, 1)

    # Closing cancels what is still owed: the day-before-close reminder never goes.
    await world.campaigns.close(campaign.slug)
    world.clock.advance(timedelta(days=6, hours=23))
    assert await world.send() == {}
    async with database.sessions() as session:
        pending = await session.scalars(select(OutboxRow).where(OutboxRow.status == "pending"))
        assert pending.all() == []
    late = await world.chat.run(BOB, "survey", campaign.slug)
    assert "is closed" in texts(late)
    # Dan was half-way, his conversation in the service's memory: his answer is refused.
    after = await world.conversations.handle(DAN, Reply("8"))
    assert "is closed" in texts(after)
    current = await world.conversations.current(DAN)
    assert current is not None and list(current.state.answers) == ["q1"]

    # Results count only the campaign's responses, and only coordinators see them.
    await world.conversations.begin(EVE, FLOW.id)  # the same survey, outside the campaign
    results = await ResultsReader(database, campaign_id=campaign.id).results(
        FLOW.id, invited=counts.invited
    )
    assert (results.responses, results.completed) == (3, 2)
    assert (await world.campaigns.results_for(campaign.slug, coordinator)).id == campaign.id
    with pytest.raises(NotAllowed):
        await world.campaigns.results_for(campaign.slug, bob)


async def test_two_starts_at_once_make_one_response(database: Database) -> None:
    world = World(database)
    campaign = await world.create()
    await world.campaigns.invite_people(campaign.slug, [await world.person(ANN)])
    world.clock.advance(timedelta(hours=1))
    first, second = await asyncio.gather(
        world.campaigns.start(ANN, campaign.slug), world.campaigns.start(ANN, campaign.slug)
    )
    assert first.conversation_id == second.conversation_id is not None
    async with database.sessions() as session:
        assert len((await session.scalars(select(Conversation))).all()) == 1


async def test_an_anonymous_campaign_keeps_no_link_from_answers_to_people(
    database: Database,
) -> None:
    world = World(database)
    ann, bob = await world.person(ANN), await world.person(BOB)
    campaign = await world.create(anonymous=True)
    assert campaign.respondent_id is not None
    await world.campaigns.invite_people(campaign.slug, [ann, bob])
    world.clock.advance(timedelta(hours=1, minutes=17))
    sent = await world.send()
    assert "anonymous" in sent["telegram:1001"]

    # While in progress the answers are Ann's, so that she can stop and go on.
    started = await world.chat.run(ANN, "survey", campaign.slug)
    assert "once you finish, deseo keeps nothing that links them to you" in texts(started)
    await world.answer(ANN, "1", "2")
    conversation = started.conversation_id
    assert [c.id for _, c in await world.conversations.mine(ANN)] == [conversation]
    assert len(await rows_linking(database, ann)) == 2  # her conversation, her invitation
    done = await world.answer(ANN, "3", "4")
    assert "anonymous now" in texts(done)
    # Bob stops half-way; the campaign closes.
    await world.chat.run(BOB, "survey", campaign.slug)
    await world.answer(BOB, "5")
    await world.campaigns.close(campaign.slug)

    async with database.sessions() as session:
        rows = (await session.scalars(select(Conversation).order_by(Conversation.id))).all()
        assert [r.person_id for r in rows] == [campaign.respondent_id] * 2
        midnight = datetime(2026, 11, 30, tzinfo=UTC)
        assert {r.started_at for r in rows} == {midnight}
        assert {r.updated_at for r in rows} == {midnight}
        answered = (await session.scalars(select(AnswerRecord.answered_at))).all()
        assert set(answered) == {midnight}
        invitations = (await session.scalars(select(CampaignInvitation))).all()
        assert {i.conversation_id for i in invitations} == {None}
        assert {(i.person_id, i.completed) for i in invitations} == {(ann, True), (bob, False)}
    for person in (ann, bob):
        assert await rows_linking(database, person) == []
    # Neither sees the answers as theirs any more, nor can they delete them.
    assert await world.conversations.mine(ANN) == []
    assert await world.conversations.mine(BOB) == []
    assert not await world.conversations.forget(ANN, conversation or 0)
    results = await ResultsReader(database, campaign_id=campaign.id).results(FLOW.id)
    assert (results.responses, results.completed) == (2, 1)


async def test_the_open_link_admits_anyone_once(database: Database) -> None:
    world = World(database)
    campaign = await world.create(anonymous=True)
    await world.campaigns.open_link(campaign.slug)
    world.clock.advance(timedelta(hours=1))
    for who in (ANN, BOB):
        assert "Number 1?" in texts(await world.chat.run(who, "start", f"c_{campaign.token}"))
        await world.answer(who, "1", "2", "3", "4")
    again = await world.chat.run(ANN, "start", f"c_{campaign.token}")
    assert "already answered" in texts(again)
    # On Discord and in the terminal the slug works too, once the link is open.
    assert "Number 1?" in texts(await world.chat.run(CAT, "survey", campaign.slug))
    unknown = await world.chat.run(ANN, "start", "c_0000000000000000")
    assert "not one I know" in texts(unknown)
    counts = (await world.campaigns.campaign(campaign.slug))[1]
    assert (counts.invited, counts.completed) == (3, 2)
    # Nothing of the survey menu changed for people without invitations.
    menu = await world.chat.run(EVE, "survey")
    assert "Number 1?" in texts(menu)


async def test_the_worker_closes_a_campaign_when_its_time_is_up(database: Database) -> None:
    world = World(database)
    campaign = await world.create()
    await world.campaigns.invite_people(campaign.slug, [await world.person(ANN)])
    world.clock.advance(timedelta(hours=1))
    await world.send()
    await world.chat.run(ANN, "survey", campaign.slug)
    await world.answer(ANN, "1")
    world.clock.advance(timedelta(days=10))
    assert await world.send() == {}
    stored = await world.campaigns.campaign(campaign.slug)
    assert stored[0].closed_at == campaign.closes_at
    async with SqlUnitOfWork(database) as uow:
        assert await uow.campaigns.unfinished() == []
    refused = await world.conversations.handle(ANN, Reply("2"))
    assert "is closed" in texts(refused)
