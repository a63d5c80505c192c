"""The campaign repository against the real store (SQLite and PostgreSQL): campaigns, their
invitations and chats, counts, coordinators, results scoped to a campaign, and the outbox rows
a campaign cancels by prefix."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import TELEGRAM
from flows.conversation.engine import start
from flows.conversation.messages import Outbound
from flows.outbox.model import OutboxItem
from flows.people.chats import ChatRef
from flows.people.model import Role
from flows.surveys.model import Campaign, ChatInvitation, Invitation, Reminders
from storage import Database, SqlUnitOfWork
from storage.repositories.results import ResultsReader
from tests.storage.test_conversations import counting_flow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CHAT = ChatRef(TELEGRAM, "1001")


def draft(**changes: object) -> Campaign:
    values: dict[str, object] = {
        "id": 0,
        "slug": "count-2026",
        "flow_id": "count",
        "title": "Counting",
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=14),
        "timezone": "Europe/Dublin",
        "reminders": Reminders.parse("3d,1d-before-close"),
        "token": "00112233aabbccdd",
    }
    values.update(changes)
    return Campaign(**values)  # type: ignore[arg-type]


async def person(uow: SqlUnitOfWork, external: str) -> int:
    return (await uow.people.identify(TELEGRAM, external, display_name=external)).id


async def test_campaigns_are_stored_found_and_closed(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(counting_flow(), NOW)
        named = await uow.campaigns.add(draft(), NOW)
        anonymous = await uow.campaigns.add(
            draft(slug="2027", token="ffeeddccbbaa9988", anonymous=True), NOW
        )
        await uow.commit()
    assert named.id > 0 and named.respondent_id is None
    assert anonymous.respondent_id is not None  # the stand-in, made with the campaign
    async with SqlUnitOfWork(database) as uow:
        assert await uow.campaigns.find("count-2026") == named
        assert await uow.campaigns.find(str(named.id)) == named
        # A slug of digits wins over the campaign with that number.
        assert (await uow.campaigns.find("2027")) == anonymous
        assert await uow.campaigns.find("nothing") is None
        assert await uow.campaigns.by_token("00112233aabbccdd") == (named, None)
        assert await uow.campaigns.by_token("0000000000000000") is None
        stand_in = await uow.people.get(anonymous.respondent_id)
        assert stand_in is not None and await uow.people.identities(stand_in.id) == []
        assert named.reminders.items() == ["3d", "1d-before-close"]
        await uow.campaigns.close(named.id, NOW + timedelta(days=1))
        await uow.campaigns.set_open_link(anonymous.id, True)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert [c.id for c in await uow.campaigns.unfinished()] == [anonymous.id]
        closed = await uow.campaigns.get(named.id)
        assert closed is not None and closed.closed_at == NOW + timedelta(days=1)
        reopened = await uow.campaigns.get(anonymous.id)
        assert reopened is not None and reopened.open_link


async def test_one_invitation_per_person_and_chats_with_their_own_links(
    database: Database,
) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(counting_flow(), NOW)
        campaign = await uow.campaigns.add(draft(), NOW)
        ann, bob = await person(uow, "1"), await person(uow, "2")
        first, new = await uow.campaigns.invite(
            Invitation("inv-ann", campaign.id, ann, "person", CHAT, date(2026, 11, 30))
        )
        again, new_again = await uow.campaigns.invite(
            Invitation("other", campaign.id, ann, "link", None, date(2026, 12, 2))
        )
        assert new and not new_again and again == first
        group = ChatRef(TELEGRAM, "-100500")
        posted, new_chat = await uow.campaigns.add_chat(
            ChatInvitation(0, campaign.id, group, "a0a0a0a0a0a0a0a0", "Partners"), NOW
        )
        same, new_same = await uow.campaigns.add_chat(
            ChatInvitation(0, campaign.id, group, "b1b1b1b1b1b1b1b1"), NOW
        )
        assert new_chat and not new_same and same.token == "a0a0a0a0a0a0a0a0"
        await uow.campaigns.invite(
            Invitation(
                "inv-bob",
                campaign.id,
                bob,
                "chat",
                None,
                date(2026, 12, 1),
                chat_invitation_id=posted.id,
            )
        )
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert await uow.campaigns.by_token("a0a0a0a0a0a0a0a0") == (campaign, posted)
        assert [c.chat for c in await uow.campaigns.chats(campaign.id)] == [group]
        counts = await uow.campaigns.counts(campaign.id)
        assert (counts.invited, counts.chats, counts.unreachable) == (2, 1, 1)
        assert [c.id for c in await uow.campaigns.open_for(ann)] == [campaign.id]


async def test_responses_are_attached_completed_and_made_anonymous(database: Database) -> None:
    flow = counting_flow(questions=2)
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(flow, NOW)
        campaign = await uow.campaigns.add(draft(anonymous=True), NOW)
        ann = await person(uow, "1")
        invitation, _ = await uow.campaigns.invite(
            Invitation("inv-ann", campaign.id, ann, "person", CHAT, date(2026, 11, 30))
        )
        state, _ = start(flow)
        conversation = await uow.conversations.create(ann, state, NOW + timedelta(hours=3))
        await uow.campaigns.attach(invitation.id, campaign.id, conversation)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        found = await uow.campaigns.invitation_of_conversation(conversation)
        assert found is not None and found.status == "started"
        assert await uow.campaigns.of_conversation(conversation) == campaign
        assert (await uow.campaigns.counts(campaign.id)).in_progress == 1
        await uow.campaigns.complete(invitation.id, keep_link=False)
        await uow.campaigns.anonymise(conversation, campaign.id, date(2026, 11, 30))
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        stored = await uow.conversations.get(conversation)
        assert stored is not None and stored.person_id == campaign.respondent_id
        assert stored.started_at == datetime(2026, 11, 30, tzinfo=UTC)
        assert stored.revision == 1  # a process holding it in memory reads it again
        done = await uow.campaigns.invitation(campaign.id, ann)
        assert done is not None and done.completed and done.conversation_id is None
        assert await uow.campaigns.invitation_of_conversation(conversation) is None
        # Still the campaign's, for its results.
        assert await uow.campaigns.of_conversation(conversation) == campaign
        assert await uow.campaigns.open_for(ann) == []


async def test_coordinators(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(counting_flow(), NOW)
        campaign = await uow.campaigns.add(draft(), NOW)
        rosa = await person(uow, "5")
        await uow.people.grant(rosa, Role.COORDINATOR)
        assert await uow.campaigns.add_coordinator(campaign.id, rosa)
        assert not await uow.campaigns.add_coordinator(campaign.id, rosa)
        assert await uow.campaigns.coordinators(campaign.id) == [rosa]
        await uow.commit()


async def test_results_can_be_scoped_to_one_campaign(database: Database) -> None:
    flow = counting_flow(questions=1)
    async with SqlUnitOfWork(database) as uow:
        await uow.flows.remember(flow, NOW)
        campaign = await uow.campaigns.add(draft(), NOW)
        state, _ = start(flow)
        inside = await uow.conversations.create(await person(uow, "1"), state, NOW)
        await uow.conversations.create(await person(uow, "2"), state, NOW)
        invitation, _ = await uow.campaigns.invite(
            Invitation("inv", campaign.id, await person(uow, "1"), "person", CHAT, NOW.date())
        )
        await uow.campaigns.attach(invitation.id, campaign.id, inside)
        await uow.commit()
    everyone = await ResultsReader(database).results("count")
    scoped = await ResultsReader(database, campaign_id=campaign.id).results("count")
    assert everyone.responses == 2 and scoped.responses == 1


async def test_a_prefix_cancels_only_pending_rows_of_any_kind(database: Database) -> None:
    def item(key: str) -> OutboxItem:
        return OutboxItem(key, "campaign-reminder", CHAT, Outbound("hi"), NOW)

    async with SqlUnitOfWork(database) as uow:
        await uow.outbox.enqueue(
            [
                item("campaign/1/person/a_b/reminder/1"),
                item("campaign/1/person/a_b/reminder/2"),
                item("campaign/1/person/aXb/reminder/1"),  # `_` is no wildcard
                item("campaign/10/person/a_b/reminder/1"),
            ]
        )
        claimed = await uow.outbox.claim(NOW, 1, NOW + timedelta(minutes=1), "w")
        assert claimed[0].key == "campaign/1/person/a_b/reminder/1"
        assert await uow.outbox.cancel_keys("campaign/1/person/a_b/") == 1  # one is in flight
        assert await uow.outbox.cancel_keys("campaign/1/") == 1
        assert (await uow.outbox.counts()) == {"sending": 1, "cancelled": 2, "pending": 1}
        await uow.commit()
