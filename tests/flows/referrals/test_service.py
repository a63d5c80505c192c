"""ReferralService's rules on the in-memory unit of work: the lifecycle, who may see and move a
referral, who is told, and the idle reminders. (`tests/storage/test_referrals.py` runs the
service on SQLite and PostgreSQL, and from the chat.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.conversation import Sender
from flows.directory import Directory, load_directory
from flows.people import Role
from flows.referrals import ReferralError, ReferralService
from tests.bot.platforms import registered
from tests.flows.memory import MemoryStore

NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)
ENTREPRENEUR = Sender(TELEGRAM, "100", "Niamh")
PROVIDER = Sender(TELEGRAM, "200", "Clann Credo officer")
COLLEAGUE = Sender(DISCORD, "201", "Another Clann Credo officer")
OTHER_PROVIDER = Sender(DISCORD, "300", "Someone at SEI")
ADMIN = Sender(TELEGRAM, "900", "Admin")
CLANN_LOANS = "clann-credo-social-finance"


@pytest.fixture(scope="module")
def directory() -> Directory:
    # Read once: it is immutable, and reading the YAML is most of what these tests cost.
    return load_directory()


@pytest.fixture
async def service(store: MemoryStore, clock: FixedClock, directory: Directory) -> ReferralService:
    service = ReferralService(store.units, clock, directory, registered())
    assert await service.add_provider("clann-credo", PROVIDER)
    await service.add_provider("social-entrepreneurs-ireland", OTHER_PROVIDER)
    return service


def told(store: MemoryStore, chat_key: str) -> list[str]:
    """The texts the outbox owes to one chat, in order."""
    return [r.message.text for r in store.outbox() if r.chat.key == chat_key]


async def test_a_request_tells_every_person_of_the_provider_in_their_private_chat(
    store: MemoryStore, service: ReferralService
) -> None:
    await service.add_provider("clann-credo", COLLEAGUE)
    said = await service.request(ENTREPRENEUR, CLANN_LOANS, "for a community shop")
    assert "I have asked Clann Credo" in said.text and "(request #1)" in said.text
    [notice] = told(store, "telegram:200")
    assert notice.startswith("New request #1 from Niamh for ")
    assert notice.endswith("Send /referrals to answer it.")
    # A Discord person is written to in their direct messages.
    assert told(store, "discord:user:201")[0].startswith("New request #1 from Niamh")
    assert told(store, "telegram:100") == [] and told(store, "discord:user:300") == []
    assert {r.kind for r in store.outbox()} == {"referral"}


async def test_asking_again_while_the_request_is_open_makes_no_second_one(
    store: MemoryStore, service: ReferralService
) -> None:
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    again = await service.request(ENTREPRENEUR, CLANN_LOANS)
    assert "already" in again.text and "waiting for an answer" in again.text
    assert len(store.state.referrals) == 1 and len(store.outbox()) == 1
    await service.move(PROVIDER, 1, "declined")
    anew = await service.request(ENTREPRENEUR, CLANN_LOANS)
    assert "(request #2)" in anew.text


async def test_a_referral_lives_and_the_entrepreneur_is_told_of_each_move(
    store: MemoryStore, service: ReferralService, clock: FixedClock
) -> None:
    await service.request(ENTREPRENEUR, CLANN_LOANS, "for a community shop")
    clock.advance(timedelta(hours=1))
    accepted = await service.move(PROVIDER, 1, "accepted")
    assert (accepted.status, accepted.updated_at) == ("accepted", NOW + timedelta(hours=1))
    await service.move(PROVIDER, 1, "in-progress", note="we will call on Monday")
    closed = await service.move(PROVIDER, 1, "closed", "got-help")
    assert (closed.status, closed.outcome) == ("closed", "got-help")
    to_her = told(store, "telegram:100")
    assert len(to_her) == 3
    assert "now accepted" in to_her[0]
    assert "Their note: we will call on Monday" in to_her[1]
    assert "you got the help you asked for" in to_her[2]
    history = await service.history(ENTREPRENEUR, 1)
    assert [(e.status, e.outcome) for e in history] == [
        ("requested", None),
        ("accepted", None),
        ("in-progress", None),
        ("closed", "got-help"),
    ]
    assert history[0].note == "for a community shop"
    niamh, officer = (store.state.identities[(TELEGRAM, who)] for who in ("100", "200"))
    assert [e.by_person_id for e in history] == [niamh, officer, officer, officer]


async def test_no_provider_sees_or_moves_another_providers_referrals(
    service: ReferralService,
) -> None:
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    assert await service.visible_to(OTHER_PROVIDER) == ([], [])
    with pytest.raises(ReferralError, match="no referral #1 for you"):
        await service.move(OTHER_PROVIDER, 1, "accepted")
    with pytest.raises(ReferralError, match="no referral #1 for you"):
        await service.history(OTHER_PROVIDER, 1)
    # A referral that does not exist is refused in the same words.
    with pytest.raises(ReferralError, match="no referral #9 for you"):
        await service.move(PROVIDER, 9, "accepted")
    to_answer, own = await service.visible_to(PROVIDER)
    assert [r.id for r in to_answer] == [1] and own == []
    to_answer, own = await service.visible_to(ENTREPRENEUR)
    assert to_answer == [] and [r.id for r in own] == [1]


async def test_an_admin_may_move_and_read_any_referral(
    store: MemoryStore, service: ReferralService
) -> None:
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    async with store.units() as uow:
        admin = await uow.people.identify(ADMIN.platform, ADMIN.user_id, display_name="Admin")
        await uow.people.grant(admin.id, Role.ADMIN)
        await uow.commit()
    assert (await service.move(ADMIN, 1, "accepted")).status == "accepted"
    assert len(await service.history(ADMIN, 1)) == 2


async def test_the_rules_of_moving(store: MemoryStore, service: ReferralService) -> None:
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    with pytest.raises(ReferralError, match="only the provider"):
        await service.move(ENTREPRENEUR, 1, "accepted")
    with pytest.raises(ReferralError, match="needs an outcome"):
        await service.move(PROVIDER, 1, "closed")
    with pytest.raises(ReferralError, match="only when closing"):
        await service.move(PROVIDER, 1, "accepted", "got-help")
    with pytest.raises(ReferralError, match="cannot become"):
        await service.move(PROVIDER, 1, "in-progress")
    with pytest.raises(ReferralError, match="not a status"):
        await service.move(PROVIDER, 1, "lost")
    assert len(await service.history(PROVIDER, 1)) == 1  # nothing refused was recorded
    withdrawn = await service.move(ENTREPRENEUR, 1, "closed", "no-longer-interested")
    assert withdrawn.status == "closed"
    assert told(store, "telegram:100") == []  # who withdrew is not told of it
    with pytest.raises(ReferralError, match="cannot become"):
        await service.move(PROVIDER, 1, "accepted")


async def test_only_what_the_directory_holds_can_be_asked_for_or_provided(
    store: MemoryStore, service: ReferralService
) -> None:
    with pytest.raises(ReferralError, match="no service 'free-money'"):
        await service.request(ENTREPRENEUR, "free-money")
    with pytest.raises(ReferralError, match="no organisation 'nobody'"):
        await service.add_provider("nobody", PROVIDER)
    assert not await service.add_provider("clann-credo", PROVIDER)  # already one
    assert store.state.referrals == {}


async def test_an_idle_referral_reminds_its_provider_once_per_idle_spell(
    store: MemoryStore, service: ReferralService, clock: FixedClock
) -> None:
    await service.request(ENTREPRENEUR, CLANN_LOANS)
    clock.advance(timedelta(days=6, hours=23))
    assert await service.remind_idle() == 0
    clock.advance(timedelta(hours=1))  # a week without news
    assert await service.remind_idle() == 1
    await service.remind_idle()
    assert len([t for t in told(store, "telegram:200") if "no news" in t]) == 1
    await service.move(PROVIDER, 1, "accepted")  # news: a new spell starts
    clock.advance(timedelta(days=7))
    await service.remind_idle()
    reminders = [t for t in told(store, "telegram:200") if "no news" in t]
    assert len(reminders) == 2 and "since 29 November" in reminders[1]
    await service.move(PROVIDER, 1, "closed", "got-help")
    clock.advance(timedelta(days=30))
    assert await service.remind_idle() == 0  # a closed referral is never idle
