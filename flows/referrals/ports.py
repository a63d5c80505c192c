"""What referrals need from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from flows.outbox import OutboxWork
from flows.people import PeopleWork
from flows.referrals.model import Referral, ReferralEvent


class ReferralRepository(Protocol):
    """Referrals, their history, and who acts for which provider organisation."""

    async def create(
        self, person_id: int, service: str, organisation: str, note: str | None, at: datetime
    ) -> Referral: ...

    async def get(self, referral_id: int) -> Referral | None: ...

    async def move(
        self,
        referral_id: int,
        status: str,
        outcome: str | None,
        note: str | None,
        by_person_id: int | None,
        at: datetime,
    ) -> Referral: ...

    async def history(self, referral_id: int) -> list[ReferralEvent]: ...

    async def of_organisations(self, organisations: list[str]) -> list[Referral]: ...

    async def of_person(self, person_id: int) -> list[Referral]: ...

    async def idle_since(self, before: datetime) -> list[Referral]: ...

    async def add_member(self, organisation: str, person_id: int, at: datetime) -> bool: ...

    async def organisations_of(self, person_id: int) -> list[str]: ...

    async def members_of(self, organisation: str) -> list[int]: ...


class ReferralWork(PeopleWork, OutboxWork, Protocol):
    """What referrals need: referrals, the people in them, the outbox for their notices."""

    @property
    def referrals(self) -> ReferralRepository: ...


ReferralUnits = Callable[[], ReferralWork]
