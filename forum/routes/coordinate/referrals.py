"""`/coordinate/referrals`: every referral across the network with where it stands, and each
one's history (what `deseo referrals list` and `history` show to a provider, for all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from flows.directory import Directory
from flows.people import Role
from flows.referrals import OUTCOME_WORDS, STATUS_WORDS, STATUSES, Referral, ReferralEvent
from forum.auth import Viewer, require_role, uow
from forum.directory import current_directory
from forum.pages import render
from forum.params import RowId
from forum.permissions import can_follow_referrals

router = APIRouter(prefix="/coordinate", include_in_schema=False)
Coordinator = require_role(Role.COORDINATOR)
SHOWN = 200


@dataclass(frozen=True)
class Row:
    referral: Referral
    service: str
    organisation: str
    status: str
    outcome: str | None


def _row(directory: Directory, referral: Referral) -> Row:
    service = referral.service
    organisation = referral.organisation
    for found_organisation, found_service in directory.services():
        if found_service.slug == referral.service:
            service, organisation = found_service.name, found_organisation.name
            break
    outcome = OUTCOME_WORDS.get(referral.outcome) if referral.outcome else None
    return Row(referral, service, organisation, STATUS_WORDS[referral.status], outcome)


def _check(who: Viewer) -> None:
    if not can_follow_referrals(who):
        raise HTTPException(status_code=403, detail="Only coordinators follow all referrals.")


@router.get("/referrals", response_class=HTMLResponse)
async def referrals_page(
    request: Request,
    who: Annotated[Viewer, Coordinator],
    status: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """The referrals, last changed first, optionally of one status."""
    _check(who)
    status = status if status in STATUSES else ""
    async with uow(request) as work:
        found = await work.referrals.recent(status=status or None, limit=SHOWN)
    directory = await current_directory(request)
    context = {
        "rows": [_row(directory, r) for r in found],
        "statuses": [(s, STATUS_WORDS[s]) for s in STATUSES],
        "status": status,
        "shown": SHOWN,
    }
    return render(request, "coordinate/referrals.html", context, title="Referrals")


@dataclass(frozen=True)
class Step:
    event: ReferralEvent
    status: str
    outcome: str | None


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
async def referral_page(
    request: Request, who: Annotated[Viewer, Coordinator], referral_id: RowId
) -> HTMLResponse:
    """One referral and every change it went through."""
    _check(who)
    async with uow(request) as work:
        referral = await work.referrals.get(referral_id)
        history = [] if referral is None else await work.referrals.history(referral_id)
    if referral is None:
        raise HTTPException(status_code=404, detail="There is no such referral.")
    directory = await current_directory(request)
    steps = [
        Step(e, STATUS_WORDS.get(e.status, e.status), OUTCOME_WORDS.get(e.outcome or ""))
        for e in history
    ]
    return render(
        request,
        "coordinate/referral.html",
        {"row": _row(directory, referral), "steps": steps},
        title=f"Referral #{referral.id}",
    )
