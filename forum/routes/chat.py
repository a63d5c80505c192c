"""The web chat: the same flows as the bots (self-assessments, surveys, orientation), a question
at a time as server-rendered forms, without JavaScript.

A signed-in viewer chats as their person (the web identity of their account); a visitor may
chat as a guest, known by a random id kept in the signed session cookie. Each form carries
the tag of the prompt it shows, so a form left open while the conversation moved on (the back
button, a second tab) is refused, and a one-time event id, so a double submit counts once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from flows.conversation import (
    Command,
    ConversationService,
    Event,
    Flow,
    Outbound,
    Outcome,
    Pick,
    Reply,
    Sender,
    State,
    StoredConversation,
    UnknownFlow,
    build_report,
    engine,
    html_sections,
    local,
    say,
    to_html,
    to_markdown,
    transcript,
)
from flows.directory import describe, match, profile_of
from flows.people import Platform
from flows.referrals import ReferralError, ReferralService
from flows.unit_of_work import UnitOfWork
from forum.addresses import client_address
from forum.auth import CsrfChecked, OptionalViewer, SignedIn, Viewer
from forum.chat_view import inline_html, message_html, prompt_form
from forum.directory import current_directory
from forum.discussion import discussion
from forum.discussion_terms import DiscussionError
from forum.pages import render
from forum.params import RowId
from storage import username_key

router = APIRouter(prefix="/chat", include_in_schema=False)

KINDS = (
    ("assessment", "Self-assessments"),
    ("survey", "Surveys"),
    ("orientation", "Find support"),
)
COMMANDS = frozenset({"back", "skip", "cancel", "resume"})
MOVED_ON = (
    "That question has moved on (perhaps in another tab): here is where the conversation "
    "stands now."
)
# What a page shows of what the chat just said, kept in the session cookie until shown.
FLASH_KINDS = ("error", "notice", "summary")
FLASH_TEXT = 700
FLASH_TOTAL = 1600
DESCRIPTION = 220


def _service(request: Request) -> ConversationService[UnitOfWork]:
    service: ConversationService[UnitOfWork] | None = getattr(
        request.app.state, "conversations", None
    )
    if service is None:
        raise HTTPException(status_code=404, detail="The chat is not available on this site.")
    return service


def sender_of(request: Request, who: Viewer | None, *, create: bool) -> Sender | None:
    """Who chats: the viewer's web identity, else the session's guest (made when `create`)."""
    if who is not None:
        return Sender(Platform.WEB, username_key(who.username), who.display_name)
    guest = request.session.get("guest")
    if not isinstance(guest, str):
        if not create:
            return None
        guest = secrets.token_urlsafe(18)
        request.session["guest"] = guest
    return Sender(Platform.WEB, f"guest:{guest}", "Guest")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION else text[: DESCRIPTION - 1].rstrip() + "…"


@dataclass(frozen=True)
class Offer:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Mine:
    id: int
    title: str
    status: str
    updated: str


def _offers(service: ConversationService[UnitOfWork]) -> list[tuple[str, list[Offer]]]:
    groups = []
    for kind, heading in KINDS:
        offers = [
            Offer(
                flow.id,
                engine.local_title(flow),
                _short(local(flow.description, flow.default_language, flow.default_language)),
            )
            for flow in service.catalog
            if flow.kind == kind
        ]
        if offers:
            groups.append((heading, offers))
    return groups


def _mine(found: list[tuple[Flow, StoredConversation]]) -> list[Mine]:
    return [
        Mine(
            conversation.id,
            engine.local_title(flow, conversation.state.language),
            conversation.state.status,
            f"{conversation.updated_at:%Y-%m-%d %H:%M}",
        )
        for flow, conversation in found
    ]


@router.get("", response_class=HTMLResponse)
async def chat_index(request: Request, who: OptionalViewer) -> HTMLResponse:
    """What one can start, and one's conversations to pick up again."""
    service = _service(request)
    sender = sender_of(request, who, create=False)
    found = await service.mine(sender) if sender is not None else []
    mine = _mine(found)
    return render(
        request,
        "chat/index.html",
        {
            "offers": _offers(service),
            "open": [m for m in mine if m.status != "completed"],
            "finished": [m for m in mine if m.status == "completed"][:10],
            "guest": who is None,
        },
        title="Chat",
    )


@router.post("/start", dependencies=[CsrfChecked])
async def chat_start(
    request: Request, who: OptionalViewer, flow: Annotated[str, Form(max_length=64)]
) -> Response:
    """Start a flow, or pick up one's unfinished conversation of it."""
    service = _service(request)
    if flow not in service.catalog:
        raise HTTPException(status_code=404, detail="There is no such conversation to start.")
    # Behind a trusted proxy, each guest by their own address, not the proxy's.
    key = who.username if who is not None else client_address(request)
    request.app.state.limiter.hit("chat", key)
    sender = sender_of(request, who, create=True)
    assert sender is not None
    try:
        outcome = await service.begin(sender, flow)
    except UnknownFlow:
        raise HTTPException(status_code=404, detail="There is no such conversation.") from None
    if outcome.conversation_id is None:
        return RedirectResponse("/chat", status_code=303)
    return RedirectResponse(f"/chat/{outcome.conversation_id}", status_code=303)


async def _own(
    request: Request, who: Viewer | None, conversation: int
) -> tuple[ConversationService[UnitOfWork], Sender, Flow, StoredConversation]:
    service = _service(request)
    sender = sender_of(request, who, create=False)
    found = None if sender is None else await service.conversation(sender, conversation)
    if sender is None or found is None:
        raise HTTPException(status_code=404, detail="There is no such conversation of yours.")
    flow, stored = found
    return service, sender, flow, stored


def _flash(request: Request, conversation: int, messages: list[Outbound]) -> None:
    said: list[list[str]] = []
    total = 0
    for message in messages:
        text = message.text[:FLASH_TEXT]
        if total + len(text) > FLASH_TOTAL:
            break
        said.append([message.kind, text])
        total += len(text)
    if said:
        request.session["chat_said"] = {"c": conversation, "m": said}


def _take_flash(request: Request, conversation: int) -> list[tuple[str, Markup]]:
    found = request.session.pop("chat_said", None)
    if not isinstance(found, dict) or found.get("c") != conversation:
        return []
    return [(str(kind), message_html(str(text))) for kind, text in found.get("m", [])]


def _worth_saying(messages: tuple[Outbound, ...]) -> list[Outbound]:
    """What a page would not show by itself: refusals, notices, phase summaries, and the help
    that follows a refusal. The transcript and the prompt show the rest."""
    kept = []
    previous: Outbound | None = None
    for message in messages:
        if message.kind in FLASH_KINDS or (
            message.kind == "info" and previous is not None and previous.kind == "error"
        ):
            kept.append(message)
        previous = message
    return kept


async def _matches(request: Request, state: State) -> list[Outbound]:
    """An orientation's matches, found again in the directory as it is now."""
    directory = await current_directory(request)
    profile, typed = profile_of(directory, state)
    return describe(directory, profile, typed, match(directory, profile))


@router.get("/{conversation}", response_class=HTMLResponse)
async def chat_conversation(request: Request, who: OptionalViewer, conversation: RowId) -> Response:
    """The conversation so far and the question it waits on, as a form."""
    _, _, flow, stored = await _own(request, who, conversation)
    state = stored.state
    lead, form = prompt_form(flow, state)
    context: dict[str, Any] = {
        "conversation": stored.id,
        "flow_title": engine.local_title(flow, state.language),
        "lines": [
            (line.by, message_html(line.text) if line.by == "bot" else line.text, line.note)
            for line in transcript(flow, state)
        ],
        "said": _take_flash(request, stored.id),
        "lead": [message_html(m.text) for m in lead],
        "form": form,
        "form_text": None if form is None else inline_html(form.text),
        "event_id": secrets.token_urlsafe(18),
        "status": state.status,
        "guest": who is None,
        "done_text": say(state.language, "done", title=engine.local_title(flow, state.language)),
        "report": None,
        "matches": [],
    }
    if state.status == "completed":
        if flow.kind == "assessment":
            report = build_report(flow, state.answers, state.language, complete=True)
            context["report"] = Markup(html_sections(report, level=3))
        if flow.kind == "orientation":
            context["matches"] = [
                (message_html(m.text), [o for o in m.options if o.id.startswith("refer:")])
                for m in await _matches(request, state)
            ]
    page = render(request, "chat/conversation.html", context, title=context["flow_title"])
    # Each page holds a one-time event id and the prompt it shows: a copy kept by the browser
    # for its back button would only be refused.
    page.headers["Cache-Control"] = "no-store"
    return page


def _event(
    action: str, expects: str, choices: list[str], text: str | None
) -> tuple[Event, bool] | None:
    """The event a form sends, and whether it answers the prompt the form showed."""
    if action in COMMANDS:
        return Command(action), action != "resume"  # type: ignore[arg-type]
    if action != "answer":
        return None
    if expects == "choices":
        return Pick(tuple(choices)), True
    if choices:
        return Pick((choices[0],)), True
    if expects == "text":
        return Reply(text or ""), True
    return Pick(()), True


@router.post("/{conversation}", dependencies=[CsrfChecked])
async def chat_answer(
    request: Request,
    who: OptionalViewer,
    conversation: RowId,
    action: Annotated[str, Form(max_length=16)] = "answer",
    tag: Annotated[str, Form(max_length=32)] = "",
    event: Annotated[str, Form(max_length=64)] = "",
    expects: Annotated[str, Form(max_length=16)] = "",
    choice: Annotated[list[str] | None, Form(max_length=128)] = None,
    text: Annotated[str | None, Form(max_length=20_000)] = None,
) -> Response:
    """Send the form's answer (or back, skip, stop, continue) as the bots send theirs."""
    service = _service(request)
    sender = sender_of(request, who, create=False)
    if sender is None:
        raise HTTPException(status_code=404, detail="There is no such conversation of yours.")
    read = _event(action, expects, choice or [], text)
    if read is None:
        raise HTTPException(status_code=400, detail="That form did not say what to do.")
    sent, tagged = read
    outcome: Outcome = await service.handle(
        sender,
        sent,
        event_id=f"web:{event}" if event else None,
        conversation_id=conversation,
        expect_tag=(tag or "-") if tagged else None,
    )
    if not outcome.duplicate:
        if outcome.conversation_id is None:
            raise HTTPException(status_code=404, detail="There is no such conversation of yours.")
        if outcome.stale:
            _flash(request, conversation, [Outbound(MOVED_ON, kind="notice")])
        else:
            _flash(request, conversation, _worth_saying(outcome.messages))
    return RedirectResponse(f"/chat/{conversation}", status_code=303)


@router.post("/{conversation}/refer", dependencies=[CsrfChecked])
async def chat_refer(
    request: Request,
    who: OptionalViewer,
    conversation: RowId,
    service_slug: Annotated[str, Form(alias="service", max_length=128)],
) -> Response:
    """Ask a service from an orientation's matches to get in touch (as the chat's button)."""
    _, sender, flow, stored = await _own(request, who, conversation)
    if flow.kind != "orientation" or stored.state.status != "completed":
        raise HTTPException(status_code=404, detail="There is no such match to ask.")
    # Read now, so the request names a service as the store's directory has it.
    await current_directory(request)
    referrals: ReferralService = request.app.state.referrals
    try:
        said = await referrals.request(sender, service_slug)
    except ReferralError as exc:
        said = Outbound(str(exc), kind="error")
    _flash(
        request,
        conversation,
        [Outbound(said.text, kind="error" if said.kind == "error" else "notice")],
    )
    return RedirectResponse(f"/chat/{conversation}", status_code=303)


@router.get("/{conversation}/report")
async def chat_report(
    request: Request, who: OptionalViewer, conversation: RowId, format: str = "html"
) -> Response:
    """The conversation's report to keep: HTML (a page of its own) or Markdown."""
    _, _, flow, stored = await _own(request, who, conversation)
    state = stored.state
    report = build_report(flow, state.answers, state.language, complete=state.status == "completed")
    name = f"{flow.id}-report-{stored.id}"
    if format == "md":
        return Response(
            to_markdown(report),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
        )
    if format != "html":
        raise HTTPException(status_code=404, detail="Reports come as html or md.")
    return HTMLResponse(
        to_html(report), headers={"Content-Disposition": f'attachment; filename="{name}.html"'}
    )


# The board a shared self-assessment report opens a thread on (see forum/default_boards.yaml).
REPORTS_BOARD = "self-assessment"


@router.post("/{conversation}/share", dependencies=[CsrfChecked])
async def chat_share(request: Request, who: SignedIn, conversation: RowId) -> Response:
    """Post a finished self-assessment's report as a new thread, for the partnership to
    discuss; the thread is the person's own, so they can edit or remove it."""
    _, _, flow, stored = await _own(request, who, conversation)
    state = stored.state
    if flow.kind != "assessment" or state.status != "completed":
        raise HTTPException(status_code=404, detail="Only a finished self-assessment is shared.")
    report = build_report(flow, state.answers, state.language, complete=True)
    service = discussion(request)
    try:
        board = await service.board(REPORTS_BOARD)
        title = f"{engine.local_title(flow, state.language)}: {who.display_name}'s report"
        thread = await service.start_thread(who, board.id, title[:200], to_markdown(report))
    except DiscussionError as exc:
        raise HTTPException(status_code=exc.status, detail=exc.message) from None
    return RedirectResponse(f"/threads/{thread.id}", status_code=303)
