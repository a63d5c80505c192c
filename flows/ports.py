"""What the core needs from the outside world, as protocols that `storage/` and tests implement.

The core never opens a database or reads the system clock itself: it is handed a `Clock` and a
`UnitOfWork` factory, so the same code runs against SQLite, PostgreSQL or an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from flows.people import PersonRef, Platform, Role


class Clock(Protocol):
    """Tells the current time, timezone-aware in UTC."""

    def now(self) -> datetime: ...


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

    async def revoke(self, person_id: int, role: Role) -> None:
        """Take a role away; the member role cannot be taken away."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the repositories: all of it is saved by `commit`, or none of it.

    Leaving the `async with` block without committing rolls back.
    """

    people: PeopleRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Makes a fresh unit of work; the service layer opens one per inbound event."""
