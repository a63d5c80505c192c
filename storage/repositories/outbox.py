"""The outbox in SQL, as `flows.outbox` promises: what is owed, claimed, sent or given up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.outbox import Claimed, OutboxItem, message_from_json, message_to_json
from flows.people import ChatRef, Platform
from storage.base import insert_for
from storage.models import OutboxRow

outbox: Table = OutboxRow.__table__  # type: ignore[assignment]

_RETURNED = (
    outbox.c.id,
    outbox.c.key,
    outbox.c.platform,
    outbox.c.chat_id,
    outbox.c.payload,
    outbox.c.due_at,
    outbox.c.not_after,
    outbox.c.attempts,
)


class SqlOutboxRepository:
    """The outbox table; claims are one atomic statement (with SKIP LOCKED on PostgreSQL)."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    @staticmethod
    def _row(item: OutboxItem) -> dict[str, Any]:
        return {
            "key": item.key[:300],
            "kind": item.kind,
            "platform": item.chat.platform.value,
            "chat_id": item.chat.chat_id,
            "payload": message_to_json(item.message),
            "due_at": item.due,
            "not_after": item.not_after,
            "meeting_id": item.meeting_id,
            "status": "pending",
            "attempts": 0,
        }

    async def enqueue(self, items: Sequence[OutboxItem]) -> int:
        if not items:
            return 0
        statement = (
            insert_for(self._dialect, outbox).on_conflict_do_nothing().returning(outbox.c.id)
        )
        new = 0
        for start in range(0, len(items), 500):
            chunk = [self._row(i) for i in items[start : start + 500]]
            result = await self._session.execute(statement.values(chunk))
            new += len(result.all())
        return new

    async def replace_pending(self, items: Sequence[OutboxItem]) -> None:
        if not items:
            return
        statement = insert_for(self._dialect, outbox)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "payload": statement.excluded.payload,
                "due_at": statement.excluded.due_at,
                "not_after": statement.excluded.not_after,
                "status": "pending",
                "attempts": 0,
                "last_error": None,
            },
            # A message already sent stays sent: only what is still owed moves.
            where=outbox.c.status.in_(("pending", "cancelled", "expired")),
        )
        await self._session.execute(statement.values([self._row(i) for i in items]))

    async def claim(
        self,
        now: datetime,
        limit: int,
        lease_until: datetime,
        worker: str,
        platforms: frozenset[Platform] | None = None,
    ) -> list[Claimed]:
        due = or_(
            and_(outbox.c.status == "pending", outbox.c.due_at <= now),
            # A worker that died mid-send left its rows leased: take them back once it lapses.
            and_(outbox.c.status == "sending", outbox.c.claimed_until < now),
        )
        if platforms is not None:
            due = and_(due, outbox.c.platform.in_(sorted(p.value for p in platforms)))
        chosen = select(outbox.c.id).where(due).order_by(outbox.c.due_at).limit(limit)
        if self._dialect == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(chosen.scalar_subquery()))
            .values(
                status="sending",
                claimed_by=worker,
                claimed_until=lease_until,
                attempts=outbox.c.attempts + 1,
            )
            .returning(*_RETURNED)
        )
        rows = (await self._session.execute(statement)).all()
        claimed = [
            Claimed(
                id=r.id,
                key=r.key,
                chat=ChatRef(Platform(r.platform), r.chat_id),
                message=message_from_json(r.payload),
                due=r.due_at,
                not_after=r.not_after,
                attempts=r.attempts,
            )
            for r in rows
        ]
        return sorted(claimed, key=lambda c: c.due)

    async def renew(self, row_ids: Sequence[int], worker: str, lease_until: datetime) -> set[int]:
        if not row_ids:
            return set()
        # Only rows still this worker's: one another worker claimed after a lapse stays its own.
        statement = (
            update(outbox)
            .where(
                outbox.c.id.in_(list(row_ids)),
                outbox.c.status == "sending",
                outbox.c.claimed_by == worker,
            )
            .values(claimed_until=lease_until)
            .returning(outbox.c.id)
        )
        return set((await self._session.execute(statement)).scalars())

    async def _set(self, row_id: int, **values: Any) -> None:
        await self._session.execute(update(outbox).where(outbox.c.id == row_id).values(**values))

    async def mark_sent(self, row_id: int, at: datetime) -> None:
        await self._set(row_id, status="sent", sent_at=at, claimed_until=None, last_error=None)

    async def mark_retry(self, row_id: int, due: datetime, error: str) -> None:
        await self._set(row_id, status="pending", due_at=due, claimed_until=None, last_error=error)

    async def mark_dead(self, row_id: int, error: str) -> None:
        await self._set(row_id, status="dead", claimed_until=None, last_error=error)

    async def mark_expired(self, row_id: int, reason: str) -> None:
        await self._set(row_id, status="expired", claimed_until=None, last_error=reason)

    async def cancel_pending(self, meeting_id: int, key_prefix: str | None = None) -> int:
        condition = and_(outbox.c.meeting_id == meeting_id, outbox.c.status == "pending")
        if key_prefix is not None:
            condition = and_(condition, outbox.c.key.startswith(key_prefix, autoescape=True))
        result = await self._session.execute(
            update(outbox).where(condition).values(status="cancelled")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def cancel_keys(self, key_prefix: str) -> int:
        result = await self._session.execute(
            update(outbox)
            .where(
                outbox.c.status == "pending", outbox.c.key.startswith(key_prefix, autoescape=True)
            )
            .values(status="cancelled")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def counts(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        return {status: int(n) for status, n in rows}
