"""What people and their one-time codes need from the store."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from flows.people.model import PersonRef, Platform, Role
from flows.transaction import Transaction


class PeopleRepository(Protocol):
    """People and their identities on each platform."""

    async def identify(
        self,
        platform: Platform,
        external_id: str,
        *,
        display_name: str,
        language: str | None = None,
        timezone: str | None = None,
    ) -> PersonRef:
        """Return the person behind a platform identity, creating them on first contact."""
        ...

    async def get(self, person_id: int) -> PersonRef | None:
        """Return a person by id, or None."""
        ...

    async def grant(self, person_id: int, role: Role) -> None:
        """Give a person a role; granting one they hold already changes nothing."""
        ...

    async def identities(self, person_id: int) -> list[tuple[Platform, str]]:
        """Every platform account of the person, to reach them in a private chat."""
        ...

    async def set_language(self, person_id: int, language: str) -> None:
        """Remember the language the person wants to be spoken to in."""
        ...

    async def revoke(self, person_id: int, role: Role) -> None:
        """Take a role away; the member role cannot be taken away."""
        ...


class CodeRepository(Protocol):
    """One-time codes (link codes, reset links), stored only as digests."""

    async def issue_code(
        self, purpose: str, person_id: int, digest: str, *, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new code's digest; the person's earlier unused codes of this purpose die."""
        ...


class PeopleWork(Transaction, Protocol):
    """A unit of work that reaches people."""

    @property
    def people(self) -> PeopleRepository: ...


class CodesWork(PeopleWork, Protocol):
    """What issuing one-time codes needs: people and their codes."""

    @property
    def accounts(self) -> CodeRepository: ...
