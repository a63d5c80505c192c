"""Referrals, their history and provider membership in SQL, as
`flows.referrals.ports.ReferralRepository` promises."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.referrals import OPEN, Referral, ReferralEvent
from storage.base import insert_for
from storage.models import ProviderMember, ReferralEventRecord, ReferralRecord


def _referral(row: ReferralRecord) -> Referral:
    return Referral(
        id=row.id,
        person_id=row.person_id,
        service=row.service,
        organisation=row.organisation,
        status=row.status,
        outcome=row.outcome,
        note=row.note,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlReferralRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def create(
        self, person_id: int, service: str, organisation: str, note: str | None, at: datetime
    ) -> Referral:
        row = ReferralRecord(
            person_id=person_id,
            service=service,
            organisation=organisation,
            status="requested",
            note=note,
            created_at=at,
            updated_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        self._session.add(
            ReferralEventRecord(
                referral_id=row.id, at=at, status="requested", note=note, by_person_id=person_id
            )
        )
        await self._session.flush()
        return _referral(row)

    async def get(self, referral_id: int) -> Referral | None:
        row = await self._session.get(ReferralRecord, referral_id)
        return None if row is None else _referral(row)

    async def move(
        self,
        referral_id: int,
        status: str,
        outcome: str | None,
        note: str | None,
        by_person_id: int | None,
        at: datetime,
    ) -> Referral:
        await self._session.execute(
            update(ReferralRecord)
            .where(ReferralRecord.id == referral_id)
            .values(status=status, outcome=outcome, note=note, updated_at=at)
        )
        self._session.add(
            ReferralEventRecord(
                referral_id=referral_id,
                at=at,
                status=status,
                outcome=outcome,
                note=note,
                by_person_id=by_person_id,
            )
        )
        await self._session.flush()
        row = await self._session.get(ReferralRecord, referral_id, populate_existing=True)
        assert row is not None
        return _referral(row)

    async def history(self, referral_id: int) -> list[ReferralEvent]:
        rows = await self._session.scalars(
            select(ReferralEventRecord)
            .where(ReferralEventRecord.referral_id == referral_id)
            .order_by(ReferralEventRecord.id)
        )
        return [ReferralEvent(r.at, r.status, r.outcome, r.note, r.by_person_id) for r in rows]

    async def of_organisations(self, organisations: list[str]) -> list[Referral]:
        if not organisations:
            return []
        rows = await self._session.scalars(
            select(ReferralRecord)
            .where(ReferralRecord.organisation.in_(organisations))
            .order_by(ReferralRecord.updated_at.desc())
        )
        return [_referral(r) for r in rows]

    async def of_person(self, person_id: int) -> list[Referral]:
        rows = await self._session.scalars(
            select(ReferralRecord)
            .where(ReferralRecord.person_id == person_id)
            .order_by(ReferralRecord.updated_at.desc())
        )
        return [_referral(r) for r in rows]

    async def recent(self, *, status: str | None = None, limit: int = 200) -> list[Referral]:
        """Every referral across the network (of one status), last changed first, for the
        coordinators' overview."""
        statement = select(ReferralRecord).order_by(
            ReferralRecord.updated_at.desc(), ReferralRecord.id.desc()
        )
        if status is not None:
            statement = statement.where(ReferralRecord.status == status)
        rows = await self._session.scalars(statement.limit(limit))
        return [_referral(r) for r in rows]

    async def idle_since(self, before: datetime) -> list[Referral]:
        rows = await self._session.scalars(
            select(ReferralRecord).where(
                ReferralRecord.status.in_(sorted(OPEN)), ReferralRecord.updated_at <= before
            )
        )
        return [_referral(r) for r in rows]

    async def add_member(self, organisation: str, person_id: int, at: datetime) -> bool:
        result = await self._session.execute(
            insert_for(self._dialect, ProviderMember)
            .values(organisation=organisation, person_id=person_id, added_at=at)
            .on_conflict_do_nothing()
            .returning(ProviderMember.person_id)
        )
        return result.first() is not None

    async def organisations_of(self, person_id: int) -> list[str]:
        rows = await self._session.scalars(
            select(ProviderMember.organisation).where(ProviderMember.person_id == person_id)
        )
        return sorted(rows)

    async def members_of(self, organisation: str) -> list[int]:
        rows = await self._session.scalars(
            select(ProviderMember.person_id).where(ProviderMember.organisation == organisation)
        )
        return sorted(rows)
