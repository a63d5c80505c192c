"""Web accounts, one-time codes, API tokens, and merging two people into one, on both
databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.messages import Reply
from flows.conversation.service import ConversationService, Sender
from flows.meetings.service import MeetingService
from flows.people.codes import LINK, RESET, LinkCodes, digest
from flows.people.model import Platform, Role
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from storage.models import (
    ApiToken,
    Board,
    Conversation,
    Flag,
    GroupMember,
    Identity,
    OneTimeCode,
    Organisation,
    OrganisationMember,
    Person,
    Post,
    PostRevision,
    ProviderMember,
    ReferralEventRecord,
    ReferralRecord,
    Rsvp,
    Thread,
    UnmetNeed,
    WebAccount,
)
from storage.repositories.accounts import UsernameTaken
from storage.repositories.people import _references_to_people

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_accounts_are_found_by_name_in_any_case(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        made = await uow.accounts.create("Giulia", "hash", display_name="Giulia Rossi")
        await uow.people.grant(made.person_id, Role.PARTNER)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        found = await uow.accounts.by_username("GIULIA ")
        with pytest.raises(UsernameTaken):
            await uow.accounts.create("giulia", "hash")
    assert found is not None and found.username == "Giulia"
    assert found.display_name == "Giulia Rossi" and found.person_id == made.person_id
    assert found.roles == {Role.MEMBER, Role.PARTNER}
    async with SqlUnitOfWork(database) as uow:
        assert await uow.people.identities(made.person_id) == [(Platform.WEB, "giulia")]


async def test_search_by_user_name_or_display_name(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.accounts.create("marta", "h", display_name="Marta Ruiz")
        await uow.accounts.create("giulia", "h", display_name="Giulia Rossi")
        await uow.accounts.create("under_score", "h")
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert [a.username for a in await uow.accounts.search()] == [
            "giulia",
            "marta",
            "under_score",
        ]
        assert [a.username for a in await uow.accounts.search("ROSSI")] == ["giulia"]
        # _ and % are themselves, not wildcards ("n_e" would match "under" as a pattern).
        assert [a.username for a in await uow.accounts.search("n_e")] == []
        assert [a.username for a in await uow.accounts.search("r_s")] == ["under_score"]
        assert [a.username for a in await uow.accounts.search("%")] == []


async def test_a_new_password_raises_the_session_epoch_a_rehash_does_not(
    database: Database,
) -> None:
    async with SqlUnitOfWork(database) as uow:
        made = await uow.accounts.create("marta", "old")
        await uow.accounts.rehash(made.person_id, "stronger")
        rehashed = await uow.accounts.by_person(made.person_id)
        await uow.accounts.set_password(made.person_id, "new")
        changed = await uow.accounts.by_person(made.person_id)
        await uow.accounts.set_disabled(made.person_id, NOW)
        disabled = await uow.accounts.by_person(made.person_id)
        await uow.accounts.logged_in(made.person_id, NOW)
        await uow.commit()
    assert rehashed is not None and rehashed.session_epoch == made.session_epoch
    assert rehashed.password_hash == "stronger"
    assert changed is not None and changed.session_epoch == made.session_epoch + 1
    assert changed.password_hash == "new"
    assert disabled is not None and disabled.disabled
    assert disabled.session_epoch == made.session_epoch + 2


async def test_a_code_is_used_once_before_it_expires(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        made = await uow.accounts.create("marta", "h")
        person = made.person_id
        soon = NOW + timedelta(minutes=15)
        await uow.accounts.issue_code(LINK, person, digest("first"), now=NOW, expires_at=soon)
        await uow.accounts.issue_code(LINK, person, digest("second"), now=NOW, expires_at=soon)
        await uow.accounts.issue_code(RESET, person, digest("reset"), now=NOW, expires_at=soon)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        # A new code of the same purpose ends the earlier one; other purposes are apart.
        assert await uow.accounts.redeem_code(LINK, digest("first"), now=NOW) is None
        assert await uow.accounts.redeem_code(RESET, digest("second"), now=NOW) is None
        assert await uow.accounts.peek_code(LINK, digest("second"), now=NOW) == person
        assert await uow.accounts.redeem_code(LINK, digest("second"), now=NOW) == person
        assert await uow.accounts.redeem_code(LINK, digest("second"), now=NOW) is None
        assert await uow.accounts.redeem_code(RESET, digest("reset"), now=soon) is None
        await uow.commit()


async def test_tokens_are_listed_and_revoked_one_by_one(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        marta = (await uow.accounts.create("marta", "h")).person_id
        other = (await uow.accounts.create("other", "h")).person_id
        first = await uow.accounts.add_token(marta, "laptop", digest("a"), now=NOW)
        await uow.accounts.add_token(marta, "phone", digest("b"), now=NOW + timedelta(1))
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert not await uow.accounts.revoke_token(other, first, now=NOW)
        assert await uow.accounts.revoke_token(marta, first, now=NOW)
        assert not await uow.accounts.revoke_token(marta, first, now=NOW)
        tokens = await uow.accounts.tokens(marta)
        assert await uow.accounts.person_for_token(digest("a"), now=NOW) is None
        assert await uow.accounts.person_for_token(digest("b"), now=NOW) == marta
        await uow.commit()
    assert [(t.name, t.revoked_at is not None) for t in tokens] == [
        ("phone", False),
        ("laptop", True),
    ]


async def test_a_link_code_from_a_chat(database: Database) -> None:
    links = LinkCodes(unit_of_work_factory(database), FixedClock(NOW))
    code = await links.issue(TELEGRAM, "4242", "Giulia")
    assert len(code) == 8
    async with SqlUnitOfWork(database) as uow:
        person = await uow.people.identify(TELEGRAM, "4242", display_name="x")
        assert await uow.accounts.peek_code(LINK, digest(code), now=NOW) == person.id
        late = NOW + timedelta(minutes=15)
        assert await uow.accounts.peek_code(LINK, digest(code), now=late) is None


async def test_merge_moves_everything_to_the_kept_person(database: Database) -> None:
    """The web account's person keeps their rows; every row of the chat person comes over, and
    where both had one that may exist once (a role, a group, an RSVP) the kept one stays."""
    clock = FixedClock(NOW)
    units = unit_of_work_factory(database)
    chat = ConversationService(units, FlowCatalog.from_directory(), clock)
    meetings = MeetingService(units, clock)
    telegram = Sender(TELEGRAM, "4242", "Giulia")
    await chat.begin(telegram, "citess")
    await chat.handle(telegram, Reply("yes"))
    group = await meetings.create_group("Cork partners", slug="cork", timezone="Europe/Dublin")
    meeting = await meetings.create_meeting("cork", "Partners", datetime(2030, 1, 3, 10, 0))
    await LinkCodes(units, clock).issue(TELEGRAM, "4242", "Giulia")

    async with SqlUnitOfWork(database) as uow:
        web = await uow.accounts.create("giulia", "hash", display_name="Giulia R.")
        keep = web.person_id
        drop = (await uow.people.identify(TELEGRAM, "4242", display_name="")).id
        await uow.people.grant(keep, Role.ADMIN)
        await uow.people.grant(drop, Role.PARTNER)
        for person in (keep, drop):
            await uow.groups.add_member(group.id, person)
        await uow.meetings.rsvp(meeting.id, "first", keep, "going", NOW)
        await uow.meetings.rsvp(meeting.id, "first", drop, "not-going", NOW)
        await uow.meetings.rsvp(meeting.id, "second", drop, "maybe", NOW)
        session = uow.session
        organisation = Organisation(slug="cork-coop", name="Cork Co-op")
        board = Board(slug="general", title="General")
        session.add_all([organisation, board])
        await session.flush()
        thread = Thread(board_id=board.id, author_id=drop, title="Hello")
        session.add(thread)
        await session.flush()
        post = Post(thread_id=thread.id, author_id=drop, body="hi", html="<p>hi</p>")
        theirs = Post(thread_id=thread.id, author_id=keep, body="yo", html="<p>yo</p>")
        session.add_all([post, theirs])
        await session.flush()
        post_id = post.id
        referral = ReferralRecord(person_id=drop, service="s", organisation="o")
        session.add(referral)
        await session.flush()
        session.add_all(
            [
                ReferralEventRecord(referral_id=referral.id, status="requested", by_person_id=drop),
                ProviderMember(organisation="o", person_id=drop),
                ProviderMember(organisation="o", person_id=keep),
                OrganisationMember(organisation_id=organisation.id, person_id=drop),
                UnmetNeed(person_id=drop, need="legal"),
                PostRevision(post_id=post.id, body="h", edited_by=drop),
                Flag(post_id=theirs.id, flagger_id=drop, reason="spam", resolved_by=drop),
                Flag(post_id=post.id, flagger_id=keep, reason="mine"),
                Flag(post_id=post.id, flagger_id=drop, reason="theirs"),
                ApiToken(person_id=drop, name="bot", digest=digest("tok"), created_at=NOW),
            ]
        )
        await session.flush()
        # Loaded before the merge, so the merge must not be fooled by what the session holds.
        await uow.people.get(drop)
        await uow.people.merge(keep, drop)
        await uow.commit()

    async with SqlUnitOfWork(database) as uow:
        session = uow.session
        assert await uow.people.get(drop) is None
        merged = await uow.people.get(keep)
        assert merged is not None and merged.display_name == "Giulia R."
        assert merged.roles == {Role.MEMBER, Role.ADMIN, Role.PARTNER}
        found = await uow.people.identify(TELEGRAM, "4242", display_name="")
        assert found.id == keep
        assert set(await uow.people.identities(keep)) == {
            (Platform.WEB, "giulia"),
            (TELEGRAM, "4242"),
        }
        for table, column in _references_to_people():
            left = await session.scalar(
                select(func.count()).select_from(table).where(column == drop)
            )
            assert left == 0, f"{table.name}.{column.name} still points at the dropped person"
        answers = {
            r.occurrence: r.answer
            for r in await session.scalars(select(Rsvp).where(Rsvp.person_id == keep))
        }
        assert answers == {"first": "going", "second": "maybe"}
        members = await session.scalar(
            select(func.count()).select_from(GroupMember).where(GroupMember.person_id == keep)
        )
        assert members == 1
        flags = await session.scalars(select(Flag.reason).where(Flag.post_id == post_id))
        assert sorted(flags) == ["mine"]
        moved = [
            Conversation.person_id,
            Thread.author_id,
            Post.author_id,
            ReferralRecord.person_id,
            ReferralEventRecord.by_person_id,
            OrganisationMember.person_id,
            UnmetNeed.person_id,
            PostRevision.edited_by,
            Flag.resolved_by,
            ApiToken.person_id,
            OneTimeCode.person_id,
        ]
        for column in moved:
            owned = await session.scalar(select(func.count()).where(column == keep))
            assert owned, f"{column} lost its rows"
        providers = await session.scalar(
            select(func.count()).where(ProviderMember.person_id == keep)
        )
        assert providers == 1
        assert await session.scalar(select(func.count()).select_from(WebAccount)) == 1
        assert await session.scalar(select(func.count()).select_from(Identity)) == 2
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
    # The chat goes on with the same conversation, now the web person's.
    outcome = await chat.handle(telegram, Reply("yes"))
    assert outcome.conversation_id is not None
    async with SqlUnitOfWork(database) as uow:
        stored = await uow.conversations.get(outcome.conversation_id)
    assert stored is not None and stored.person_id == keep


async def test_merge_refuses_nonsense(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        person = await uow.people.identify(DISCORD, "1", display_name="A")
        with pytest.raises(ValueError, match="themselves"):
            await uow.people.merge(person.id, person.id)
        with pytest.raises(LookupError):
            await uow.people.merge(person.id, person.id + 1000)
