"""Going through a flow: on to the next step that applies, with phase breaks and completion."""

from __future__ import annotations

from flows.conversation.answers import local
from flows.conversation.definitions import Flow, MessageStep
from flows.conversation.messages import Outbound
from flows.conversation.phrases import say
from flows.conversation.progress import step_index
from flows.conversation.prompts import (
    continue_prompt,
    flow_title,
    phase_intro,
    question,
    summary,
    untitled,
)
from flows.conversation.report import build_report, phase_report
from flows.conversation.state import State

Result = tuple[State, list[Outbound]]


def forward(
    flow: Flow, state: State, start_at: int, out: list[Outbound], current_phase: int | None
) -> Result:
    """Go to the next step that applies at or after `start_at`, saying what comes on the way."""
    index = step_index(flow)
    lang = state.language
    values = state.answer_values()
    i = start_at
    while i < len(index.order):
        current = index.order[i]
        phase = index.phase_of[i]
        if current.when is not None and not current.when.holds(values):
            i += 1
            continue
        if phase != current_phase:
            if current_phase is not None and _asked_in(flow, state, current_phase):
                report = phase_report(flow, current_phase, state.answers, lang)
                out.append(summary(flow, report, lang))
                paused = state.model_copy(
                    update={"awaiting": "continue", "step_id": current.id, "invalid": 0}
                )
                out.append(continue_prompt(flow, paused))
                return paused, out
            if not untitled(flow, phase):
                out.append(phase_intro(flow, phase, lang))
            current_phase = phase
        if isinstance(current, MessageStep):
            out.append(Outbound(local(current.text, lang, flow.default_language)))
            i += 1
            continue
        state = state.model_copy(
            update={"awaiting": "answer", "step_id": current.id, "invalid": 0, "selection": ()}
        )
        out.append(question(flow, state, current))
        return state, out
    return finish(flow, state, out, current_phase)


def _asked_in(flow: Flow, state: State, phase: int) -> bool:
    ids = {q.id for q in flow.phases[phase].questions}
    return any(step in ids for step in state.history)


def finish(flow: Flow, state: State, out: list[Outbound], last_phase: int | None) -> Result:
    """Complete the conversation: the last phase's summary, the goodbye and, for an
    assessment, the readiness of every phase."""
    lang = state.language
    if last_phase is not None and _asked_in(flow, state, last_phase) and len(flow.phases) > 1:
        last = phase_report(flow, last_phase, state.answers, lang)
        out.append(summary(flow, last, lang))
    done = state.model_copy(
        update={"status": "completed", "awaiting": "answer", "step_id": None, "invalid": 0}
    )
    out.append(Outbound(say(lang, "done", title=flow_title(flow, lang))))
    if flow.kind == "assessment":
        report = build_report(flow, done.answers, lang, complete=True)
        lines = [
            say(
                lang,
                "summary.phase",
                title=p.title,
                readiness=f"{p.readiness}%",
                yes=p.counts.yes,
                partly=p.counts.partly,
                no=p.counts.no,
                dont_know=p.counts.dont_know,
            )
            for p in report.phases
            if p.counts.rated
        ]
        if lines:
            out.append(Outbound("\n".join(lines), kind="report"))
    return done, out


def after(flow: Flow, state: State, step_id: str) -> Result:
    """Move on from a question just answered or skipped."""
    index = step_index(flow)
    at = index.position[step_id]
    return forward(flow, state, at + 1, [], current_phase=index.phase_of[at])
