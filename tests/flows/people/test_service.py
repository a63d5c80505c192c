"""LinkCodes' rules on the in-memory unit of work: a short code a person can copy by eye, stored
only as its digest, valid for a quarter of an hour, and the person's earlier codes stop working
when a new one is issued. (The forum's tests redeem them on the real store.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.people import (
    LINK,
    LINK_ALPHABET,
    LINK_LENGTH,
    LINK_LIFETIME,
    LinkCodes,
    digest,
    normalise_link_code,
)
from tests.flows.memory import MemoryStore

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def codes(store: MemoryStore, clock: FixedClock) -> LinkCodes:
    return LinkCodes(store.units, clock)


async def test_a_code_is_short_unambiguous_and_stored_only_as_its_digest(
    store: MemoryStore, codes: LinkCodes
) -> None:
    code = await codes.issue(TELEGRAM, "4242", "Aoife")
    assert len(code) == LINK_LENGTH and set(code) <= set(LINK_ALPHABET)
    assert not set(code) & set("01OI")
    [stored] = store.state.codes
    assert stored.digest == digest(code) != code
    assert code not in repr(store.state)
    assert (stored.purpose, stored.created_at, stored.expires_at, stored.used_at) == (
        LINK,
        NOW,
        NOW + LINK_LIFETIME,
        None,
    )
    assert normalise_link_code(f" {code[:4].lower()}-{code[4:]} ") == code


async def test_the_person_is_made_on_first_contact_and_found_after(
    store: MemoryStore, codes: LinkCodes
) -> None:
    await codes.issue(TELEGRAM, "4242", "Aoife")
    await codes.issue(TELEGRAM, "4242", "Aoife (renamed)")
    await codes.issue(DISCORD, "4242", "Aoife on Discord")  # another platform: another person
    people = store.state.people
    assert [p.display_name for p in people.values()] == ["Aoife", "Aoife on Discord"]
    assert {c.person_id for c in store.state.codes} == set(people)


async def test_a_new_code_ends_the_persons_earlier_unused_ones_but_no_one_elses(
    store: MemoryStore, codes: LinkCodes, clock: FixedClock
) -> None:
    first = await codes.issue(TELEGRAM, "4242", "Aoife")
    other = await codes.issue(TELEGRAM, "77", "Bríd")
    clock.advance(timedelta(minutes=5))
    second = await codes.issue(TELEGRAM, "4242", "Aoife")
    assert first != second
    by_digest = {c.digest: c for c in store.state.codes}
    assert by_digest[digest(first)].used_at == NOW + timedelta(minutes=5)
    assert by_digest[digest(second)].used_at is None
    assert by_digest[digest(second)].expires_at == NOW + timedelta(minutes=5) + LINK_LIFETIME
    assert by_digest[digest(other)].used_at is None
