"""What the directory and orientation need from the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from flows.directory.model import Directory
from flows.transaction import Transaction


class NeedsRepository(Protocol):
    """Needs that no service met, by place: what a territory is missing."""

    async def record(
        self,
        person_id: int | None,
        place: str | None,
        place_text: str | None,
        needs: Sequence[str],
        stage: str | None,
        at: datetime,
    ) -> None: ...

    async def summary(self) -> list[tuple[str | None, str, int]]:
        """(place, need, how many times), most asked first."""
        ...


class DirectoryRepository(Protocol):
    """The support-service directory as the store keeps it."""

    async def replace(self, directory: Directory) -> None:
        """Put this directory in place of the stored one, all of it within the unit of work's
        transaction; raises `DirectoryError` naming what the store cannot hold."""
        ...

    async def load(self) -> Directory | None:
        """The stored directory, or None when the store has none."""
        ...

    async def is_empty(self) -> bool:
        """Whether the store holds no directory yet."""
        ...


class DirectoryWork(Transaction, Protocol):
    """What the directory and orientation need: the stored directory and unmet needs."""

    @property
    def directory(self) -> DirectoryRepository: ...

    @property
    def needs(self) -> NeedsRepository: ...
