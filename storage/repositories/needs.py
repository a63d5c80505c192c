"""Unmet needs in SQL, as `flows.directory.ports.NeedsRepository` promises."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UnmetNeed


class SqlNeedsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        person_id: int | None,
        place: str | None,
        place_text: str | None,
        needs: Sequence[str],
        stage: str | None,
        at: datetime,
    ) -> None:
        if not needs:
            return
        rows = [
            {
                "person_id": person_id,
                "place": place,
                "place_text": (place_text or "")[:200] or None,
                "need": need,
                "stage": stage,
                "created_at": at,
            }
            for need in needs
        ]
        await self._session.execute(insert(UnmetNeed), rows)

    async def summary(self) -> list[tuple[str | None, str, int]]:
        rows = await self._session.execute(
            select(UnmetNeed.place, UnmetNeed.need, func.count())
            .group_by(UnmetNeed.place, UnmetNeed.need)
            .order_by(func.count().desc(), UnmetNeed.place, UnmetNeed.need)
        )
        return [(place, need, int(count)) for place, need, count in rows]
