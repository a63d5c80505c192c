"""`/coordinate/surveys`: the surveys and their results for coordinators, question by question
with bar charts, filtered by one answer, and the responses as CSV or XLSX downloads (built by
`forum.routes.coordinate.results`, as a campaign's page is)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from flows.people import Role
from flows.surveys import CampaignError, CampaignService
from forum.auth import Viewer, require_role
from forum.pages import render
from forum.permissions import can_see_results
from forum.routes.coordinate.results import catalog, csv_download, results_page, xlsx_download
from storage import Database, SqlResultsRepository

router = APIRouter(prefix="/coordinate", include_in_schema=False)
Coordinator = require_role(Role.COORDINATOR)


@dataclass(frozen=True)
class SurveyRow:
    id: str
    title: str
    responses: int
    completed: int


async def _counts(database: Database, flow_id: str, hidden: Collection[int]) -> tuple[int, int]:
    async with database.sessions() as session:
        repository = SqlResultsRepository(session, database.dialect, hidden_campaigns=hidden)
        counts = await repository.response_counts(flow_id)
    return sum(counts.values()), sum(n for (_, done), n in counts.items() if done)


@router.get("/surveys", response_class=HTMLResponse)
async def surveys(request: Request, who: Annotated[Viewer, Coordinator]) -> HTMLResponse:
    """Every survey on offer with how many responded (of the responses the viewer may read)."""
    rows = []
    for flow in catalog(request):
        if flow.kind != "survey" or not can_see_results(who, flow.id):
            continue
        hidden = await _hidden(request, who, flow.id)
        total, completed = await _counts(request.app.state.database, flow.id, hidden)
        rows.append(SurveyRow(flow.id, flow.title[flow.default_language], total, completed))
    return render(request, "coordinate/surveys.html", {"surveys": rows}, title="Survey results")


async def _readable(request: Request, who: Viewer, flow_id: str) -> frozenset[int]:
    """Refuse whoever may not read the flow's results; for the others, the flow's campaigns
    whose responses they may not read (left out of the page, the counts and the files)."""
    if not can_see_results(who, flow_id):
        raise HTTPException(status_code=403, detail="These results are not yours to read.")
    return await _hidden(request, who, flow_id)


async def _hidden(request: Request, who: Viewer, flow_id: str) -> frozenset[int]:
    campaigns: CampaignService = request.app.state.campaigns
    try:
        return await campaigns.hidden_from(flow_id, who.person_id)
    except CampaignError:
        raise HTTPException(
            status_code=403, detail="These results are not yours to read."
        ) from None


@router.get("/surveys/{flow_id}", response_class=HTMLResponse)
async def survey_results(
    request: Request,
    who: Annotated[Viewer, Coordinator],
    flow_id: str,
    by: Annotated[str | None, Query(max_length=128)] = None,
    value: Annotated[str | None, Query(max_length=256)] = None,
    invited: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
) -> HTMLResponse:
    """Results per question, optionally only of the responses with one answer."""
    hidden = await _readable(request, who, flow_id)
    page = await results_page(
        request,
        flow_id,
        base=f"/coordinate/surveys/{flow_id}",
        by=by,
        value=value,
        invited=invited,
        hidden_campaigns=hidden,
    )
    return render(
        request,
        "coordinate/survey.html",
        {**page.context, "ask_invited": True, "back": ("/coordinate/surveys", "All surveys")},
        title=f"Results: {page.title}",
        status_code=page.status_code,
    )


@router.get("/surveys/{flow_id}/responses.csv")
async def export_csv(
    request: Request, who: Annotated[Viewer, Coordinator], flow_id: str
) -> Response:
    """Every response as a CSV row, streamed as it is read."""
    hidden = await _readable(request, who, flow_id)
    return await csv_download(request, flow_id, flow_id, hidden_campaigns=hidden)


@router.get("/surveys/{flow_id}/responses.xlsx")
async def export_xlsx(
    request: Request, who: Annotated[Viewer, Coordinator], flow_id: str
) -> Response:
    """Every response as a row of a spreadsheet."""
    hidden = await _readable(request, who, flow_id)
    return await xlsx_download(request, flow_id, flow_id, hidden_campaigns=hidden)
