"""The transaction every feature's unit of work is: saved whole by `commit`, or not at all."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

__all__ = ["Transaction"]


class Transaction(Protocol):
    """One transaction over some repositories: all of it is saved by `commit`, or none of it.

    Leaving the `async with` block without committing rolls back. Each feature declares in its
    `ports.py` which repositories its unit of work holds; `storage/` provides one that holds
    them all.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
