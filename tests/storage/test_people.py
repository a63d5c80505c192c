"""People, identities and roles through the SQL unit of work."""

from __future__ import annotations

import pytest

from bot import DISCORD, TELEGRAM
from flows.people.model import Platform, Role
from storage import Database, SqlUnitOfWork


async def test_first_contact_creates_a_member_and_later_contact_finds_them(
    database: Database,
) -> None:
    async with SqlUnitOfWork(database) as uow:
        first = await uow.people.identify(TELEGRAM, "4242", display_name="Giulia")
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        again = await uow.people.identify(TELEGRAM, "4242", display_name="G.")
    assert again.id == first.id
    assert again.display_name == "Giulia"
    assert again.roles == frozenset({Role.MEMBER})


async def test_the_same_id_on_another_platform_is_another_person(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        on_telegram = await uow.people.identify(TELEGRAM, "7", display_name="A")
        on_discord = await uow.people.identify(DISCORD, "7", display_name="B")
        await uow.commit()
    assert on_telegram.id != on_discord.id


async def test_roles_are_granted_once_and_revoked(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        person = await uow.people.identify(Platform.WEB, "marta", display_name="Marta")
        await uow.people.grant(person.id, Role.COORDINATOR)
        await uow.people.grant(person.id, Role.COORDINATOR)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        found = await uow.people.get(person.id)
        assert found is not None and found.has_role(Role.COORDINATOR)
        await uow.people.revoke(person.id, Role.COORDINATOR)
        await uow.commit()
    async with SqlUnitOfWork(database) as uow:
        found = await uow.people.get(person.id)
        assert found is not None and not found.has_role(Role.COORDINATOR)
        with pytest.raises(ValueError, match="member"):
            await uow.people.revoke(person.id, Role.MEMBER)


async def test_leaving_without_commit_saves_nothing(database: Database) -> None:
    async with SqlUnitOfWork(database) as uow:
        person = await uow.people.identify(Platform.CONSOLE, "me", display_name="Me")
    async with SqlUnitOfWork(database) as uow:
        assert await uow.people.get(person.id) is None


def test_admin_may_do_anything() -> None:
    from flows.people.model import PersonRef

    admin = PersonRef(1, "Root", "en", "UTC", frozenset({Role.MEMBER, Role.ADMIN}))
    assert admin.has_role(Role.MODERATOR)
