"""Signed-in sessions in SQL: started at sign-in, looked up on each request, deleted at
sign-out (one) or "sign out everywhere" (all of a person's), and ended when left idle."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WebSession

# How stale `last_seen_at` may get before a request writes it again: a page view need not be a
# write, and the idle time is counted in hours or days.
SEEN_EVERY = timedelta(minutes=1)


class SqlSessionRepository:
    """Sessions by the digest of their id, read and written through one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def start(self, digest: str, person_id: int, *, now: datetime, idle: timedelta) -> None:
        """Record a new session; the person's sessions already idle too long go at the same
        time, so the table does not keep every session ever started."""
        await self._session.execute(
            delete(WebSession).where(
                WebSession.person_id == person_id, WebSession.last_seen_at <= now - idle
            )
        )
        self._session.add(
            WebSession(digest=digest, person_id=person_id, created_at=now, last_seen_at=now)
        )
        await self._session.flush()

    async def person(
        self, digest: str, *, now: datetime, idle: timedelta, longest: timedelta
    ) -> int | None:
        """The person a live session is for, noting that it was used now; None for an unknown
        session, and for one unused for `idle` or older than `longest` (deleted then)."""
        found = await self._session.get(WebSession, digest)
        if found is None:
            return None
        if found.last_seen_at <= now - idle or found.created_at <= now - longest:
            await self._session.delete(found)
            return None
        if now - found.last_seen_at >= SEEN_EVERY:
            found.last_seen_at = now
        return found.person_id

    async def end(self, digest: str) -> None:
        await self._session.execute(delete(WebSession).where(WebSession.digest == digest))

    async def end_all(self, person_id: int) -> int:
        """End every session of the person; how many there were."""
        ended = await self._session.scalars(
            delete(WebSession).where(WebSession.person_id == person_id).returning(WebSession.digest)
        )
        return len(ended.all())
