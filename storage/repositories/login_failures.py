"""Failed sign-ins counted in SQL, per key, in fixed windows: a row is (key, window start,
count), and one whose window has passed is replaced by a fresh one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoginFailures


class SqlLoginFailureRepository:
    """Counts of failed sign-ins, shared by every web process on the store."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def counted(self, keys: Iterable[str]) -> dict[str, tuple[datetime, int]]:
        """Each key's window start and count (keys never counted are left out); whether a
        window has passed is the caller's to say, who knows how long it is."""
        rows = await self._session.execute(
            select(LoginFailures.key, LoginFailures.window_start, LoginFailures.count).where(
                LoginFailures.key.in_(list(keys))
            )
        )
        return {key: (start, count) for key, start, count in rows}

    async def add(self, key: str, *, now: datetime, window: timedelta) -> None:
        """Count one failure for `key`: in its window while that lasts, else in a new one."""
        if await self._count_in_window(key, now, window):
            return
        await self._session.execute(delete(LoginFailures).where(LoginFailures.key == key))
        try:
            async with self._session.begin_nested():
                self._session.add(LoginFailures(key=key, window_start=now, count=1))
        except IntegrityError:
            # Another process opened the window a moment ago: count in it.
            await self._count_in_window(key, now, window)

    async def _count_in_window(self, key: str, now: datetime, window: timedelta) -> bool:
        counted = await self._session.execute(
            update(LoginFailures)
            .where(LoginFailures.key == key, LoginFailures.window_start > now - window)
            .values(count=LoginFailures.count + 1)
        )
        return bool(getattr(counted, "rowcount", 0))

    async def forget(self, *, before: datetime) -> None:
        """Drop the rows whose windows started before `before` (all passed by then)."""
        await self._session.execute(
            delete(LoginFailures).where(LoginFailures.window_start < before)
        )
