"""People and identities in SQL, as `flows.people.ports.PeopleRepository` promises them."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import (
    Column,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from flows.people import PersonRef, Platform, Role
from storage.base import Base
from storage.models import Conversation, Identity, Person, PersonRole


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

    async def find(self, platform: Platform, external_id: str) -> int | None:
        """The person behind a platform identity, without creating one."""
        return await self._session.scalar(
            select(Identity.person_id).where(
                Identity.platform == platform.value, Identity.external_id == external_id
            )
        )

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

    async def merge(self, keep_id: int, drop_id: int) -> None:
        """Make two people one: every row of `drop_id` (identities, conversations, roles,
        memberships, forum posts, tokens, ...) becomes `keep_id`'s, then `drop_id` is deleted.

        Where both have a row that may exist only once (the same role, group, RSVP), the kept
        person's row stays and the other goes. Every foreign key to `people.id` in the models
        is followed, so a table added later is covered without a change here.
        """
        if keep_id == drop_id:
            raise ValueError("a person cannot be merged into themselves")
        for person_id in (keep_id, drop_id):
            if await self._session.get(Person, person_id) is None:
                raise LookupError(f"no person {person_id}")
        # A conversation held in some process's memory must be read again: its person changed.
        await self._session.execute(
            update(Conversation)
            .where(Conversation.person_id == drop_id)
            .values(revision=Conversation.revision + 1)
        )
        for table, column in _references_to_people():
            for unique in _unique_sets(table, column):
                kept = table.alias("kept")
                same = [kept.c[other.name] == other for other in unique if other is not column]
                clash = exists().where(kept.c[column.name] == keep_id, *same)
                await self._session.execute(delete(table).where(column == drop_id, clash))
            await self._session.execute(
                update(table).where(column == drop_id).values({column.name: keep_id})
            )
        await self._session.execute(delete(Person).where(Person.id == drop_id))
        # Objects loaded before the merge (the dropped person, the kept one's roles) are stale.
        self._session.expire_all()


def _references_to_people() -> Iterator[tuple[Table, Column[int]]]:
    """Every (table, column) holding a person's id, found in the models' metadata."""
    people_id = Person.__table__.c.id
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column is people_id:
                yield table, key.parent


def _unique_sets(table: Table, column: Column[int]) -> Iterator[list[Column[object]]]:
    """The columns of each primary key, unique constraint or unique index that `column` is
    part of: where moving a row to another person could collide."""
    for constraint in table.constraints:
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint):
            columns = list(constraint.columns)
            if any(c is column for c in columns):
                yield columns
    for index in table.indexes:
        columns = list(index.columns)
        if index.unique and any(c is column for c in columns):
            # A partial unique index is treated as a whole one: at worst a row of the dropped
            # person that would not have collided goes too.
            yield columns
