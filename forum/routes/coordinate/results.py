"""A survey's results as coordinators read them, for the survey pages and the campaign pages
alike: question by question with bar charts, filtered by one answer, and the responses as CSV
or XLSX downloads; of every response to the flow, or only of one campaign's.

The numbers are those of `deseo results` and the files those of `deseo export`: the same
aggregation (`flows.surveys` through `storage.repositories.results`) and the same export code
(`storage.exports`).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from markupsafe import Markup
from starlette.background import BackgroundTask

from flows.conversation import Flow, FlowCatalog
from flows.surveys import AnswerFilter, FilterError, QuestionResult, SurveyResults
from forum.charts import Bar, bar_chart
from storage import ExportFormat, ResultsReader, UnknownSurvey, csv_chunks, export_responses

TEXTS_SHOWN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@functools.cache
def _bundled() -> FlowCatalog:
    return FlowCatalog.from_directory()


def catalog(request: Request) -> FlowCatalog:
    """The flows on offer: the chat's catalog (with imported surveys), else the bundled one."""
    service = getattr(request.app.state, "conversations", None)
    return service.catalog if service is not None else _bundled()


def _fallback(request: Request, flow_id: str) -> Flow | None:
    """The flow as on offer, standing in for one the store holds no version of yet."""
    flows = catalog(request)
    return flows.get(flow_id) if flow_id in flows else None


@dataclass(frozen=True)
class ChoiceRow:
    label: str
    count: int
    percent: float
    filter_url: str


@dataclass(frozen=True)
class QuestionView:
    """One question's results as the page shows them."""

    result: QuestionResult
    chart: Markup | None
    rows: tuple[ChoiceRow, ...]
    texts: tuple[str, ...]
    more_texts: int


def _view(base: str, question: QuestionResult, filterable: bool) -> QuestionView:
    rows = tuple(
        ChoiceRow(
            c.label,
            c.count,
            c.percent,
            f"{base}?" + urlencode({"by": question.id, "value": c.id}) + "#results"
            if filterable
            else "",
        )
        for c in question.choices
    )
    chart = None
    if question.choices:
        bars = [Bar(c.label, c.count, c.percent) for c in question.choices]
        chart = Markup(bar_chart(question.text, bars, chart_id=f"chart-{question.id}"))
    return QuestionView(
        question,
        chart,
        rows,
        question.texts[:TEXTS_SHOWN],
        max(0, len(question.texts) - TEXTS_SHOWN),
    )


@dataclass(frozen=True)
class ResultsPage:
    """What `coordinate/survey.html` shows of a survey's results, and the status to send."""

    title: str
    context: dict[str, Any]
    status_code: int


async def results_page(
    request: Request,
    flow_id: str,
    *,
    base: str,
    by: str | None,
    value: str | None,
    invited: int | None,
    campaign_id: int | None = None,
    hidden_campaigns: Collection[int] = (),
) -> ResultsPage:
    """The results per question of a flow's responses (of one campaign's, with `campaign_id`;
    none of the `hidden_campaigns`'), optionally only of those with one answer; the page's
    filter links and downloads start at `base`. Raises a 404 for a survey the store and the
    catalog do not know; a filter that does not fit shows every response, with the problem
    said and a 400."""
    reader = ResultsReader(
        request.app.state.database, campaign_id=campaign_id, hidden_campaigns=hidden_campaigns
    )
    fallback = _fallback(request, flow_id)

    async def read(answer_filter: AnswerFilter | None) -> SurveyResults:
        return await reader.results(
            flow_id, answer_filter=answer_filter, invited=invited, fallback=fallback
        )

    answer_filter = AnswerFilter(by, value) if by and value else None
    problem = None
    try:
        found = await read(answer_filter)
    except UnknownSurvey:
        raise HTTPException(status_code=404, detail="There is no such survey.") from None
    except FilterError as exc:
        problem = str(exc)
        answer_filter = None
        found = await read(None)
    questions = [_view(base, q, answer_filter is None) for q in found.questions]
    choices = [
        (q.result.id, q.result.text, [(c.id, c.label) for c in q.result.choices])
        for q in questions
        if q.result.kind in ("single", "multiple", "rating", "scale") and q.result.choices
    ]
    context = {
        "base": base,
        "flow_id": flow_id,
        "results": found,
        "questions": questions,
        "filter_questions": choices,
        "by": by or "",
        "value": value or "",
        "invited": invited,
        "problem": problem,
        "filter": answer_filter,
        "filter_text": _filter_text(found, answer_filter),
    }
    return ResultsPage(found.title, context, 400 if problem else 200)


def _filter_text(found: SurveyResults, answer_filter: AnswerFilter | None) -> str | None:
    if answer_filter is None:
        return None
    try:
        question = found.question(answer_filter.step_id)
    except KeyError:
        return str(answer_filter)
    label = answer_filter.value
    for choice in question.choices:
        if choice.id == answer_filter.value:
            label = choice.label
    return f"{question.text} — {label}"


async def csv_download(
    request: Request,
    flow_id: str,
    name: str,
    *,
    campaign_id: int | None = None,
    hidden_campaigns: Collection[int] = (),
) -> Response:
    """Every response (of one campaign's, with `campaign_id`; none of the `hidden_campaigns`')
    as a CSV row, streamed as it is read, offered as `<name>-responses.csv`."""
    try:
        pieces = await csv_chunks(
            request.app.state.database,
            flow_id,
            fallback=_fallback(request, flow_id),
            campaign_id=campaign_id,
            hidden_campaigns=hidden_campaigns,
        )
    except UnknownSurvey:
        raise HTTPException(status_code=404, detail="There is no such survey.") from None
    return StreamingResponse(
        pieces,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-responses.csv"'},
    )


async def xlsx_download(
    request: Request,
    flow_id: str,
    name: str,
    *,
    campaign_id: int | None = None,
    hidden_campaigns: Collection[int] = (),
) -> Response:
    """Every response (of one campaign's, with `campaign_id`; none of the `hidden_campaigns`')
    as a row of a spreadsheet, written to a temporary file, sent from it as
    `<name>-responses.xlsx`, then removed."""
    folder = Path(tempfile.mkdtemp(prefix="deseo-export-"))
    output = folder / f"{name}-responses.xlsx"

    def clean() -> None:
        output.unlink(missing_ok=True)
        folder.rmdir()

    try:
        await export_responses(
            request.app.state.database,
            flow_id,
            ExportFormat.xlsx,
            output,
            fallback=_fallback(request, flow_id),
            campaign_id=campaign_id,
            hidden_campaigns=hidden_campaigns,
            sheet=name,
        )
    except UnknownSurvey:
        clean()
        raise HTTPException(status_code=404, detail="There is no such survey.") from None
    except BaseException:
        clean()
        raise
    return FileResponse(
        output, media_type=XLSX, filename=output.name, background=BackgroundTask(clean)
    )
