"""What the engine shows to ask for something: questions, notes, phase breaks, restarts, help.

The ids of the options these prompts offer (`SKIP`, `CONTINUE`, ...) are what a press of
their buttons sends back to the engine.
"""

from __future__ import annotations

from flows.conversation.answers import describe, input_hint, local, options
from flows.conversation.definitions import Flow, MultipleStep, Question
from flows.conversation.messages import Option, Outbound
from flows.conversation.phrases import say
from flows.conversation.progress import progress, step_index
from flows.conversation.report import PhaseReport, phase_summary
from flows.conversation.state import State

SKIP = "skip"
CONTINUE = "continue"
STOP = "stop"
RESTART_YES = "restart-yes"
RESTART_NO = "restart-no"


def flow_title(flow: Flow, language: str) -> str:
    """The flow's title in `language`, or in its default language."""
    return local(flow.title, language, flow.default_language)


def summary(flow: Flow, report: PhaseReport, lang: str) -> Outbound:
    """What is said at the end of a phase."""
    # Readiness and gaps are an assessment's language; a survey just says the part is done.
    if flow.kind == "assessment":
        return Outbound(phase_summary(report, lang), kind="summary")
    return Outbound(say(lang, "phase.done", title=report.title), kind="summary")


def untitled(flow: Flow, phase_index: int) -> bool:
    """Whether the phase goes without an intro of its own."""
    # A phase named only after the flow (as an imported form's ungrouped questions are) and
    # without an intro would just repeat the title the welcome has shown.
    phase = flow.phases[phase_index]
    return phase.intro is None and phase.title == flow.title


def phase_intro(flow: Flow, phase_index: int, lang: str) -> Outbound:
    """The title and intro shown when a phase begins."""
    phase = flow.phases[phase_index]
    title = local(phase.title, lang, flow.default_language)
    intro = local(phase.intro, lang, flow.default_language)
    return Outbound(f"*{title}*" + (f"\n{intro}" if intro else ""))


def question(flow: Flow, state: State, step: Question) -> Outbound:
    """The prompt asking `step`, with its options, hints, progress and any earlier answer."""
    lang = state.language
    text = local(step.text, lang, flow.default_language)
    if not step.required:
        text += f"\n{say(lang, 'optional')}"
    earlier = state.answers.get(step.id)
    if earlier is not None:
        shown = describe(step, earlier.value, lang, flow.default_language)
        text += "\n" + say(lang, "earlier", answer=shown)
    kind, hint = input_hint(step, lang)
    return Outbound(
        text,
        kind="question",
        options=options(step, lang, flow.default_language),
        multiple=isinstance(step, MultipleStep),
        input_hint=kind,
        hint=hint,
        step_id=step.id,
        progress=progress(flow, state, step, lang),
        selected=state.selection,
    )


def note_prompt(state: State, step: Question) -> Outbound:
    """The prompt asking for an optional note after a rating."""
    lang = state.language
    return Outbound(
        say(lang, "note.ask"),
        kind="question",
        options=(Option(SKIP, say(lang, "skip.label")),),
        input_hint="text",
        hint=say(lang, "hint.text"),
        step_id=step.id,
    )


def continue_prompt(flow: Flow, state: State) -> Outbound:
    """The prompt at a phase break: continue to the next phase, or stop here."""
    lang = state.language
    index = step_index(flow)
    assert state.step_id is not None
    phase = flow.phases[index.phase_of[index.position[state.step_id]]]
    title = local(phase.title, lang, flow.default_language)
    return Outbound(
        say(lang, "phase.next", title=title),
        kind="question",
        options=(Option(CONTINUE, say(lang, "continue")), Option(STOP, say(lang, "stop"))),
        input_hint="choice",
    )


def restart_prompt(flow: Flow, state: State) -> Outbound:
    """The prompt asking to confirm a restart."""
    lang = state.language
    return Outbound(
        say(lang, "restart.ask", title=flow_title(flow, lang)),
        kind="question",
        options=(
            Option(RESTART_YES, say(lang, "restart.yes")),
            Option(RESTART_NO, say(lang, "restart.no")),
        ),
        input_hint="choice",
    )


def help_message(flow: Flow, state: State, step: Question | None) -> Outbound:
    """Help for `step` (none at a phase break), then the commands."""
    lang = state.language
    parts = []
    if step is not None:
        help_text = local(step.help, lang, flow.default_language)
        if help_text:
            parts.append(help_text)
        parts.append(input_hint(step, lang)[1])
    parts.append(say(lang, "help.commands"))
    return Outbound("\n".join(parts))


def stuck(flow: Flow, state: State, step: Question) -> Outbound:
    """Said after several answers in a row were refused."""
    lang = state.language
    help_text = local(step.help, lang, flow.default_language) or input_hint(step, lang)[1]
    text = say(lang, "stuck", help=help_text)
    if not step.required:
        text += "\n" + say(lang, "stuck.skip")
    return Outbound(text)
