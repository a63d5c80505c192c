"""People and identities in SQL, as `flows.ports.PeopleRepository` promises them."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.people import PersonRef, Platform, Role
from storage.models import Identity, Person, PersonRole


def _ref(person: Person) -> PersonRef:
    return PersonRef(
        id=person.id,
        display_name=person.display_name,
        language=person.language,
        timezone=person.timezone,
        roles=frozenset(Role(r.role) for r in person.roles) | {Role.MEMBER},
    )


class SqlPeopleRepository:
    """People and their platform identities, read and written through one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def identify(
        self,
        platform: Platform,
        external_id: str,
        *,
        display_name: str,
        language: str | None = None,
        timezone: str | None = None,
    ) -> PersonRef:
        found = await self._session.scalar(
            select(Person)
            .join(Identity)
            .where(Identity.platform == platform.value, Identity.external_id == external_id)
        )
        if found is not None:
            return _ref(found)
        person = Person(display_name=display_name[:200] or "friend")
        if language:
            person.language = language
        if timezone:
            person.timezone = timezone
        person.identities.append(Identity(platform=platform.value, external_id=external_id))
        person.roles.append(PersonRole(role=Role.MEMBER.value))
        self._session.add(person)
        await self._session.flush()
        return _ref(person)

    async def get(self, person_id: int) -> PersonRef | None:
        person = await self._session.get(Person, person_id)
        return None if person is None else _ref(person)

    async def grant(self, person_id: int, role: Role) -> None:
        person = await self._session.get(Person, person_id)
        if person is None:
            raise LookupError(f"no person {person_id}")
        if all(held.role != role.value for held in person.roles):
            person.roles.append(PersonRole(role=role.value))
            await self._session.flush()

    async def identities(self, person_id: int) -> list[tuple[Platform, str]]:
        rows = await self._session.execute(
            select(Identity.platform, Identity.external_id)
            .where(Identity.person_id == person_id)
            .order_by(Identity.id)
        )
        return [(Platform(platform), external) for platform, external in rows]

    async def set_language(self, person_id: int, language: str) -> None:
        await self._session.execute(
            update(Person).where(Person.id == person_id).values(language=language)
        )

    async def revoke(self, person_id: int, role: Role) -> None:
        if role is Role.MEMBER:
            raise ValueError("everyone is a member: the member role cannot be revoked")
        await self._session.execute(
            delete(PersonRole).where(PersonRole.person_id == person_id, PersonRole.role == role)
        )
        person = await self._session.get(Person, person_id)
        if person is not None:
            await self._session.refresh(person, ["roles"])
