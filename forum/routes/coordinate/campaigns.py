"""`/coordinate/campaigns`: survey campaigns for their coordinators. The list of those one may
read, and each campaign's page: how far it has come, its open link, its results question by
question (only its own responses, as `deseo survey campaign results` counts them), downloads,
and a button that closes it.

Who may read a campaign is `forum.permissions.can_see_results` with the campaign: its named
coordinators and creator (with or without the coordinator role), any coordinator when it names
none, admins always. Nothing here names a respondent, so an anonymous campaign's page shows no
person either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flows.surveys import (
    Campaign,
    CampaignCounts,
    CampaignError,
    CampaignService,
    CampaignStatus,
    ChatInvitation,
    NotFound,
    link_lines,
    when,
)
from forum.auth import CsrfChecked, SignedIn, Viewer, uow
from forum.pages import render
from forum.permissions import (
    can_close_campaign,
    can_coordinate,
    can_list_campaigns,
    can_see_results,
)
from forum.routes.coordinate.results import csv_download, results_page, xlsx_download

router = APIRouter(prefix="/coordinate", include_in_schema=False)
Slug = Annotated[str, Path(min_length=1, max_length=100)]
DONE = {
    "closed": "The campaign is closed: it takes no more answers, and the invitations and "
    "reminders still owed are cancelled.",
    "already-closed": "The campaign was closed already.",
}


@dataclass(frozen=True)
class CampaignRow:
    """One campaign as the list shows it; times are in the campaign's zone."""

    campaign: Campaign
    status: CampaignStatus
    opens: str
    closes: str
    counts: CampaignCounts


def _closes(campaign: Campaign) -> str:
    ends = campaign.ends_at
    return when(ends, campaign.timezone) if ends is not None else "when closed by hand"


@router.get("/campaigns", response_class=HTMLResponse)
async def campaigns(request: Request, who: SignedIn) -> HTMLResponse:
    """The campaigns whose results the viewer may read, newest first."""
    now = request.app.state.clock.now()
    rows = []
    async with uow(request) as work:
        for campaign in await work.campaigns.all():
            coordinators = await work.campaigns.coordinators(campaign.id)
            if not can_see_results(who, campaign.flow_id, campaign, coordinators):
                continue
            rows.append(
                CampaignRow(
                    campaign,
                    campaign.status(now),
                    when(campaign.opens_at, campaign.timezone),
                    _closes(campaign),
                    await work.campaigns.counts(campaign.id),
                )
            )
    if not can_list_campaigns(who, bool(rows)):
        raise HTTPException(status_code=403, detail="No survey campaign is yours to follow.")
    context = {"rows": rows, "coordinating": can_coordinate(who)}
    return render(request, "coordinate/campaigns.html", context, title="Survey campaigns")


@dataclass(frozen=True)
class Found:
    campaign: Campaign
    counts: CampaignCounts
    chats: list[ChatInvitation]
    coordinators: list[int]


async def _readable(request: Request, who: Viewer, slug: str) -> Found:
    """The campaign, if the viewer may read its results: 404 when there is none, else 403."""
    service: CampaignService = request.app.state.campaigns
    try:
        found = Found(*await service.campaign(slug))
    except NotFound:
        raise HTTPException(status_code=404, detail="There is no such campaign.") from None
    if not can_see_results(who, found.campaign.flow_id, found.campaign, found.coordinators):
        raise HTTPException(
            status_code=403, detail="Only the coordinators of this campaign read its results."
        )
    return found


async def _names(request: Request, person_ids: list[int]) -> list[str]:
    async with uow(request) as work:
        people = [await work.people.get(person_id) for person_id in person_ids]
    return [p.display_name for p in people if p is not None]


@router.get("/campaigns/{slug}", response_class=HTMLResponse)
async def campaign_page(
    request: Request,
    who: SignedIn,
    slug: Slug,
    by: Annotated[str | None, Query(max_length=128)] = None,
    value: Annotated[str | None, Query(max_length=256)] = None,
    done: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """A campaign's progress and its results per question, optionally only of the responses
    with one answer."""
    found = await _readable(request, who, slug)
    campaign = found.campaign
    base = f"/coordinate/campaigns/{campaign.slug}"
    page = await results_page(
        request,
        campaign.flow_id,
        base=base,
        by=by,
        value=value,
        invited=found.counts.invited or None,
        campaign_id=campaign.id,
    )
    status = campaign.status(request.app.state.clock.now())
    service: CampaignService = request.app.state.campaigns
    context = {
        **page.context,
        "ask_invited": False,
        "back": ("/coordinate/campaigns", "All campaigns"),
        "campaign": campaign,
        "status": status,
        "opens": when(campaign.opens_at, campaign.timezone),
        "closes": when(campaign.closes_at, campaign.timezone) if campaign.closes_at else None,
        "closed": when(campaign.closed_at, campaign.timezone) if campaign.closed_at else None,
        "counts": found.counts,
        "chats": found.chats,
        "coordinators": await _names(request, found.coordinators),
        "links": link_lines(campaign, service.platforms) if campaign.open_link else [],
        "can_close": status != "closed" and can_close_campaign(who, campaign, found.coordinators),
        "done": DONE.get(done or ""),
    }
    return render(
        request,
        "coordinate/campaign.html",
        context,
        title=f"Campaign: {campaign.title}",
        status_code=page.status_code,
    )


@router.post("/campaigns/{slug}/close", dependencies=[CsrfChecked])
async def close(request: Request, who: SignedIn, slug: Slug) -> Response:
    """Stop taking answers now; the invitations and reminders still owed are cancelled."""
    found = await _readable(request, who, slug)
    if not can_close_campaign(who, found.campaign, found.coordinators):
        raise HTTPException(status_code=403, detail="This campaign is not yours to close.")
    service: CampaignService = request.app.state.campaigns
    try:
        await service.close(found.campaign.slug)
        done = "closed"
    except CampaignError:
        # Closed in the meantime, by someone else or by the worker.
        done = "already-closed"
    return RedirectResponse(
        f"/coordinate/campaigns/{found.campaign.slug}?done={done}", status_code=303
    )


@router.get("/campaigns/{slug}/responses.csv")
async def export_csv(request: Request, who: SignedIn, slug: Slug) -> Response:
    """The campaign's responses as CSV rows, streamed as they are read."""
    campaign = (await _readable(request, who, slug)).campaign
    return await csv_download(request, campaign.flow_id, campaign.slug, campaign_id=campaign.id)


@router.get("/campaigns/{slug}/responses.xlsx")
async def export_xlsx(request: Request, who: SignedIn, slug: Slug) -> Response:
    """The campaign's responses as rows of a spreadsheet."""
    campaign = (await _readable(request, who, slug)).campaign
    return await xlsx_download(request, campaign.flow_id, campaign.slug, campaign_id=campaign.id)
