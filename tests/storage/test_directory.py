"""The directory in the store: replaced whole, read back equal, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import insert, select

from flows.directory.model import Directory, DirectoryError, Place, load_directory
from storage import Database, SqlUnitOfWork
from storage.models import Organisation as OrganisationRow
from storage.models import OrganisationMember, Person, Territory

BUNDLED = load_directory()


def smaller(directory: Directory) -> Directory:
    """The directory without its first organisation, one place fewer and a renamed term."""
    places = {slug: p for slug, p in directory.places.items() if slug != "piacenza"}
    needs = dict(directory.vocabulary["needs"])
    needs["financing"] = dataclasses.replace(needs["financing"], label="Money")
    return Directory({**directory.vocabulary, "needs": needs}, places, directory.organisations[1:])


async def test_an_empty_store_has_no_directory(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        assert await uow.directory.is_empty()
        assert await uow.directory.load() is None


async def test_replace_then_load_gives_the_same_directory(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.directory.replace(BUNDLED)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert not await uow.directory.is_empty()
        loaded = await uow.directory.load()
    assert loaded == BUNDLED
    assert [o.slug for o in loaded.organisations] == [o.slug for o in BUNDLED.organisations]
    assert [p.slug for p in loaded.chain("west-cork")] == [
        "west-cork",
        "county-cork",
        "ireland",
        "europe",
    ]


async def test_a_second_replace_keeps_members_and_unlists_what_went(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.directory.replace(BUNDLED)
        await uow.commit()
    first = BUNDLED.organisations[0].slug
    async with SqlUnitOfWork(database) as uow:
        session = uow.session
        person = Person(display_name="Ana")
        session.add(person)
        await session.flush()
        kept = BUNDLED.organisations[1].slug
        kept_id = await session.scalar(
            select(OrganisationRow.id).where(OrganisationRow.slug == kept)
        )
        await session.execute(
            insert(OrganisationMember), [{"organisation_id": kept_id, "person_id": person.id}]
        )
        await uow.commit()

    changed = smaller(BUNDLED)
    async with SqlUnitOfWork(database) as uow:
        await uow.directory.replace(changed)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        assert await uow.directory.load() == changed
        session = uow.session
        members = await session.scalars(select(OrganisationMember.organisation_id))
        assert list(members) == [kept_id]
        # The organisation the new directory left out is still a row, just no longer listed.
        gone = await session.scalar(select(OrganisationRow).where(OrganisationRow.slug == first))
        assert gone is not None and gone.directory_position is None
        slugs = set(await session.scalars(select(Territory.slug)))
        assert "piacenza" not in slugs and "province-of-piacenza" in slugs


async def test_without_commit_nothing_changes(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        await uow.directory.replace(BUNDLED)
    async with SqlUnitOfWork(database) as uow:
        assert await uow.directory.is_empty()


async def test_what_the_tables_cannot_hold_is_refused_by_name(database: Database) -> None:
    organisation = BUNDLED.organisations[0]
    service = dataclasses.replace(
        organisation.services[0], areas=frozenset({"atlantis"}), needs=frozenset({"flying"})
    )
    broken = Directory(
        BUNDLED.vocabulary,
        {**BUNDLED.places, "x": Place("x", "X" * 300, "city", "europe")},
        (dataclasses.replace(organisation, services=(service,)),),
    )
    async with SqlUnitOfWork(database) as uow:
        with pytest.raises(DirectoryError) as caught:
            await uow.directory.replace(broken)
    text = str(caught.value)
    assert "place x: name is 300 characters long, at most 200" in text
    assert f"service {service.slug} of {organisation.slug}: service area 'atlantis'" in text
    assert "needs 'flying' is not in the vocabulary" in text
