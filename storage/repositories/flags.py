"""Members' flags on forum posts in SQL: raised once per member and post, closed by a
moderator with an outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Flag, Person
from storage.repositories.forum_base import ForumRepository
from storage.repositories.forum_records import FlagRecord


async def flag_records(session: AsyncSession, where: ColumnElement[bool]) -> list[FlagRecord]:
    """The flags `where` holds for, with their flaggers' names, oldest first."""
    rows = await session.execute(
        select(Flag, Person.display_name)
        .outerjoin(Person, Person.id == Flag.flagger_id)
        .where(where)
        .order_by(Flag.created_at, Flag.id)
    )
    return [
        FlagRecord(
            id=flag.id,
            post_id=flag.post_id,
            flagger_id=flag.flagger_id,
            flagger_name=name,
            reason=flag.reason,
            created_at=flag.created_at,
            resolved_at=flag.resolved_at,
            resolved_by=flag.resolved_by,
            outcome=flag.outcome,
        )
        for flag, name in rows
    ]


class SqlFlagRepository(ForumRepository):
    """Flags, read and written through one session."""

    async def flag(self, post_id: int, flagger_id: int, reason: str, *, now: datetime) -> bool:
        """Note a member's flag on a post; False if they had flagged it already."""
        existing = await self._session.scalar(
            select(Flag.id).where(Flag.post_id == post_id, Flag.flagger_id == flagger_id)
        )
        if existing is not None:
            return False
        self._session.add(
            Flag(post_id=post_id, flagger_id=flagger_id, reason=reason, created_at=now)
        )
        await self._session.flush()
        return True

    async def resolve_flags(self, post_id: int, *, by: int, outcome: str, now: datetime) -> int:
        """Close every open flag on the post with `outcome`; how many there were."""
        result = await self._session.execute(
            update(Flag)
            .where(Flag.post_id == post_id, Flag.resolved_at.is_(None))
            .values(resolved_at=now, resolved_by=by, outcome=outcome[:32])
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def flags(self, post_id: int) -> list[FlagRecord]:
        """Every flag on the post, open or resolved, oldest first."""
        return await flag_records(self._session, Flag.post_id == post_id)
