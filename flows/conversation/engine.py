"""The conversation engine: `(flow, state, event) -> (state, messages)`, and nothing else.

Pure: no I/O, no clock, no platform. Every rule of a conversation lives here (answers, re-asking,
back, skip, help, restart, cancel, phase breaks, completion), so that every chat platform, the web
and the terminal behave the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from flows.conversation.answers import (
    Accepted,
    describe,
    input_hint,
    interpret,
    local,
    normalise,
    options,
)
from flows.conversation.definitions import (
    Flow,
    MessageStep,
    MultipleStep,
    Question,
    RatingStep,
    Step,
)
from flows.conversation.messages import (
    Command,
    CommandName,
    Done,
    Event,
    Option,
    Outbound,
    Pick,
    Press,
    Reply,
    Toggle,
)
from flows.conversation.phrases import COMMANDS, say, words
from flows.conversation.report import PhaseReport, build_report, phase_report, phase_summary
from flows.conversation.state import Answer, State

STUCK_AFTER = 3
NOTE_AFTER = ("partly", "no", "dont_know")
SKIP = "skip"
CONTINUE = "continue"
STOP = "stop"
RESTART_YES = "restart-yes"
RESTART_NO = "restart-no"

Result = tuple[State, list[Outbound]]


@dataclass(frozen=True)
class _Index:
    """Positions of steps in a flow, computed once per flow."""

    order: tuple[Step, ...]
    phase_of: tuple[int, ...]
    position: dict[str, int]


def _index(flow: Flow) -> _Index:
    return flow.memo("engine.index", _make_index)


def _make_index(flow: Flow) -> _Index:
    order: list[Step] = []
    phase_of: list[int] = []
    for p, phase in enumerate(flow.phases):
        for step in phase.steps:
            order.append(step)
            phase_of.append(p)
    return _Index(tuple(order), tuple(phase_of), {s.id: i for i, s in enumerate(order)})


def choose_language(flow: Flow, wanted: str | None) -> str:
    """The person's language when the flow has it, else the flow's default."""
    return wanted if wanted in flow.languages else flow.default_language


def prompt_tag(state: State) -> str:
    """A short name for what the conversation waits for now; buttons carry it (see `Press`).

    It changes with every answer, so a button of an earlier prompt never answers a later one.
    """
    key = f"{state.status == 'completed'}:{state.awaiting}:{state.step_id}:{len(state.history)}"
    return hashlib.blake2s(key.encode(), digest_size=4).hexdigest()


def _tagged(state: State, out: list[Outbound]) -> list[Outbound]:
    # Only the last message asks for what `state` waits for; earlier ones are history.
    if out and out[-1].options and out[-1].kind == "question":
        out[-1] = replace(out[-1], tag=prompt_tag(state))
    return out


def start(flow: Flow, language: str | None = None) -> Result:
    """Begin a conversation: the flow's welcome, then its first question."""
    state, out = _start(flow, language)
    return state, _tagged(state, out)


def prompt(flow: Flow, state: State) -> list[Outbound]:
    """What to show to pick up a conversation where it stands, e.g. after a restart."""
    return _tagged(state, _prompt(flow, state))


def step(flow: Flow, state: State, event: Event) -> Result:
    """Apply one inbound event to the conversation."""
    if (state.flow_id, state.flow_version) != (flow.id, flow.version):
        raise ValueError(
            f"state of {state.flow_id} v{state.flow_version} given flow {flow.id} v{flow.version}"
        )
    if isinstance(event, Press):
        pressed = _pressed(flow, state, event)
        if pressed is None:
            return state, [Outbound(say(state.language, "stale"), kind="notice")]
        if state.status == "paused":
            state = state.model_copy(update={"status": "open"})
        event = pressed
    new, out = _step(flow, state, event)
    return new, _tagged(new, out)


def _pressed(flow: Flow, state: State, press: Press) -> Event | None:
    """The event a button stands for, or None when it belongs to a prompt no longer current."""
    if state.status == "completed" or press.tag != prompt_tag(state):
        return None
    action = press.action
    if action in COMMAND_NAMES:
        return Command(action)
    if action == "done":
        return Done()
    options = _prompt(flow, state)[-1].options
    toggle = action.startswith("t")
    number = action[1:] if toggle else action
    if not number.isdecimal() or len(number) > 4 or int(number) >= len(options):
        return None
    chosen = options[int(number)].id
    return Toggle(chosen) if toggle else Pick((chosen,))


COMMAND_NAMES: frozenset[CommandName] = frozenset(
    ("back", "skip", "help", "restart", "cancel", "resume")
)


def _start(flow: Flow, language: str | None = None) -> Result:
    lang = choose_language(flow, language)
    state = State(flow_id=flow.id, flow_version=flow.version, language=lang)
    title = local(flow.title, lang, flow.default_language)
    description = local(flow.description, lang, flow.default_language)
    out = [Outbound(f"*{title}*" + (f"\n{description}" if description else ""))]
    return _forward(flow, state, 0, out, current_phase=None)


def _prompt(flow: Flow, state: State) -> list[Outbound]:
    lang = state.language
    if state.status == "completed":
        return [Outbound(say(lang, "done.already", title=_title(flow, lang)))]
    if state.awaiting == "continue":
        return [_continue_prompt(flow, state)]
    if state.awaiting == "confirm_restart":
        return [_restart_prompt(flow, state)]
    step = _current(flow, state)
    if state.awaiting == "note":
        return [_note_prompt(state, step)]
    return [_question(flow, state, step)]


def _step(flow: Flow, state: State, event: Event) -> Result:
    event = _as_command(event, state.language)
    if state.status == "paused":
        return _paused(flow, state, event)
    if state.status == "completed":
        return _completed(flow, state, event)
    if isinstance(event, Command):
        return _command(flow, state, event)
    if state.awaiting == "continue":
        return _at_break(flow, state, event)
    if state.awaiting == "confirm_restart":
        return _confirming(flow, state, event)
    if state.awaiting == "note":
        return _note(flow, state, event)
    return _answer(flow, state, event)


# --- reading events ---------------------------------------------------------------------------


def _as_command(event: Event, language: str) -> Event:
    if isinstance(event, Reply):
        said = normalise(event.text).lstrip("/")
        for name, spellings in words(COMMANDS, language).items():
            if said == name or said in spellings:
                return Command(name)  # type: ignore[arg-type]
    return event


def _title(flow: Flow, language: str) -> str:
    return local(flow.title, language, flow.default_language)


def _current(flow: Flow, state: State) -> Question:
    index = _index(flow)
    if state.step_id is None or state.step_id not in index.position:
        raise ValueError(f"state points at no step of {flow.id}: {state.step_id!r}")
    found = index.order[index.position[state.step_id]]
    if isinstance(found, MessageStep):
        raise ValueError(f"state points at a message step: {found.id}")
    return found


# --- moving through the flow --------------------------------------------------------------


def _forward(
    flow: Flow, state: State, start_at: int, out: list[Outbound], current_phase: int | None
) -> Result:
    """Go to the next step that applies at or after `start_at`, saying what comes on the way."""
    index = _index(flow)
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
                out.append(_summary(flow, report, lang))
                paused = state.model_copy(
                    update={"awaiting": "continue", "step_id": current.id, "invalid": 0}
                )
                out.append(_continue_prompt(flow, paused))
                return paused, out
            if not _untitled(flow, phase):
                out.append(_phase_intro(flow, phase, lang))
            current_phase = phase
        if isinstance(current, MessageStep):
            out.append(Outbound(local(current.text, lang, flow.default_language)))
            i += 1
            continue
        state = state.model_copy(
            update={"awaiting": "answer", "step_id": current.id, "invalid": 0, "selection": ()}
        )
        out.append(_question(flow, state, current))
        return state, out
    return _finish(flow, state, out, current_phase)


def _summary(flow: Flow, report: PhaseReport, lang: str) -> Outbound:
    # Readiness and gaps are an assessment's language; a survey just says the part is done.
    if flow.kind == "assessment":
        return Outbound(phase_summary(report, lang), kind="summary")
    return Outbound(say(lang, "phase.done", title=report.title), kind="summary")


def _asked_in(flow: Flow, state: State, phase: int) -> bool:
    ids = {q.id for q in flow.phases[phase].questions}
    return any(step in ids for step in state.history)


def _finish(flow: Flow, state: State, out: list[Outbound], last_phase: int | None) -> Result:
    lang = state.language
    if last_phase is not None and _asked_in(flow, state, last_phase) and len(flow.phases) > 1:
        last = phase_report(flow, last_phase, state.answers, lang)
        out.append(_summary(flow, last, lang))
    done = state.model_copy(
        update={"status": "completed", "awaiting": "answer", "step_id": None, "invalid": 0}
    )
    out.append(Outbound(say(lang, "done", title=_title(flow, lang))))
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


def _after(flow: Flow, state: State, step_id: str) -> Result:
    """Move on from a question just answered or skipped."""
    index = _index(flow)
    at = index.position[step_id]
    return _forward(flow, state, at + 1, [], current_phase=index.phase_of[at])


# --- prompts --------------------------------------------------------------------------------


def _untitled(flow: Flow, phase_index: int) -> bool:
    # A phase named only after the flow (as an imported form's ungrouped questions are) and
    # without an intro would just repeat the title the welcome has shown.
    phase = flow.phases[phase_index]
    return phase.intro is None and phase.title == flow.title


def _phase_intro(flow: Flow, phase_index: int, lang: str) -> Outbound:
    phase = flow.phases[phase_index]
    title = local(phase.title, lang, flow.default_language)
    intro = local(phase.intro, lang, flow.default_language)
    return Outbound(f"*{title}*" + (f"\n{intro}" if intro else ""))


def _progress(flow: Flow, state: State, step: Question, lang: str) -> str:
    index = _index(flow)
    number, total = _position(flow, state, step)
    if len(flow.phases) == 1:
        return say(lang, "progress.single", question=number, questions=total)
    phase = index.phase_of[index.position[step.id]] + 1
    return say(
        lang, "progress", phase=phase, phases=len(flow.phases), question=number, questions=total
    )


def _position(flow: Flow, state: State, step: Question) -> tuple[int, int]:
    """ "Question n of m" in the step's phase, counting only the questions the person meets:
    an earlier one skipped by its `when` is not counted, nor a later one whose `when` the
    answers given have already ruled out (one that hangs on answers still to come is)."""
    index = _index(flow)
    phase = flow.phases[index.phase_of[index.position[step.id]]]
    values = state.answer_values()
    number, later = 1, 0
    seen = False
    for question in phase.questions:
        if question.id == step.id:
            seen = True
            continue
        when = question.when
        if not seen:
            number += when is None or when.holds(values)
        else:
            decided = when is not None and all(s in values for s in when.steps())
            later += not (decided and when is not None and not when.holds(values))
    return number, number + later


def _question(flow: Flow, state: State, step: Question) -> Outbound:
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
        progress=_progress(flow, state, step, lang),
        selected=state.selection,
    )


def _note_prompt(state: State, step: Question) -> Outbound:
    lang = state.language
    return Outbound(
        say(lang, "note.ask"),
        kind="question",
        options=(Option(SKIP, say(lang, "skip.label")),),
        input_hint="text",
        hint=say(lang, "hint.text"),
        step_id=step.id,
    )


def _continue_prompt(flow: Flow, state: State) -> Outbound:
    lang = state.language
    index = _index(flow)
    assert state.step_id is not None
    phase = flow.phases[index.phase_of[index.position[state.step_id]]]
    title = local(phase.title, lang, flow.default_language)
    return Outbound(
        say(lang, "phase.next", title=title),
        kind="question",
        options=(Option(CONTINUE, say(lang, "continue")), Option(STOP, say(lang, "stop"))),
        input_hint="choice",
    )


def _restart_prompt(flow: Flow, state: State) -> Outbound:
    lang = state.language
    return Outbound(
        say(lang, "restart.ask", title=_title(flow, lang)),
        kind="question",
        options=(
            Option(RESTART_YES, say(lang, "restart.yes")),
            Option(RESTART_NO, say(lang, "restart.no")),
        ),
        input_hint="choice",
    )


def _help(flow: Flow, state: State, step: Question | None) -> Outbound:
    lang = state.language
    parts = []
    if step is not None:
        help_text = local(step.help, lang, flow.default_language)
        if help_text:
            parts.append(help_text)
        parts.append(input_hint(step, lang)[1])
    parts.append(say(lang, "help.commands"))
    return Outbound("\n".join(parts))


# --- handling each kind of wait -------------------------------------------------------------


def _command(flow: Flow, state: State, command: Command) -> Result:
    lang = state.language
    if command.name == "cancel":
        return state.model_copy(update={"status": "paused"}), [Outbound(say(lang, "cancelled"))]
    if command.name == "restart":
        if state.awaiting == "confirm_restart":
            return state, [_restart_prompt(flow, state)]
        asking = state.model_copy(
            update={"awaiting": "confirm_restart", "before_confirm": state.awaiting}
        )
        return asking, [_restart_prompt(flow, asking)]
    if state.awaiting == "confirm_restart":
        return _confirming(flow, state, command)
    if command.name == "resume":
        if state.awaiting == "continue":
            return _at_break(flow, state, Pick((CONTINUE,)))
        return state, prompt(flow, state)
    if command.name == "back":
        return _back(flow, state)
    if state.awaiting == "continue":
        if command.name == "help":
            return state, [_help(flow, state, None), _continue_prompt(flow, state)]
        return _at_break(flow, state, command)
    current = _current(flow, state)
    if command.name == "help":
        return state, [_help(flow, state, current), *prompt(flow, state)]
    # skip
    if state.awaiting == "note":
        return _after(flow, state.model_copy(update={"invalid": 0}), current.id)
    if current.required:
        return state, [Outbound(say(lang, "bad.required"), kind="error"), *prompt(flow, state)]
    answers = {**state.answers, current.id: Answer(value=None)}
    skipped = state.model_copy(
        update={"answers": answers, "history": (*state.history, current.id), "selection": ()}
    )
    return _after(flow, skipped, current.id)


def _back(flow: Flow, state: State) -> Result:
    lang = state.language
    if state.awaiting == "note":
        again = state.model_copy(update={"awaiting": "answer", "invalid": 0})
        return again, prompt(flow, again)
    history = state.history
    if state.awaiting == "answer" and state.step_id in history:
        history = history[: history.index(state.step_id)]
    if not history:
        return state, [Outbound(say(lang, "back.first"), kind="error"), *prompt(flow, state)]
    previous = history[-1]
    back = state.model_copy(
        update={
            "awaiting": "answer",
            "step_id": previous,
            "history": history[:-1],
            "invalid": 0,
            "selection": (),
        }
    )
    return back, prompt(flow, back)


def _answer(flow: Flow, state: State, event: Event) -> Result:
    current = _current(flow, state)
    lang = state.language
    if isinstance(event, Toggle | Done):
        if not isinstance(current, MultipleStep):
            return state, prompt(flow, state)
        if isinstance(event, Toggle):
            if event.choice_id not in {c.id for c in current.choices}:
                return state, prompt(flow, state)
            chosen = set(state.selection) ^ {event.choice_id}
            order = [c.id for c in current.choices if c.id in chosen]
            toggled = state.model_copy(update={"selection": tuple(order)})
            return toggled, prompt(flow, toggled)
        event = Pick(state.selection)
    assert isinstance(event, Reply | Pick)
    result = interpret(current, event, lang, flow.default_language, state.answer_values())
    if not isinstance(result, Accepted):
        invalid = state.invalid + 1
        wrong = state.model_copy(update={"invalid": invalid})
        out = [Outbound(result.reason, kind="error")]
        if invalid >= STUCK_AFTER:
            out.append(_stuck(flow, wrong, current))
        return wrong, [*out, *prompt(flow, wrong)]
    answers = {**state.answers, current.id: Answer(value=result.value, note=result.note)}
    history = state.history
    if current.id not in history:
        history = (*history, current.id)
    answered = state.model_copy(
        update={"answers": answers, "history": history, "invalid": 0, "selection": ()}
    )
    if (
        isinstance(current, RatingStep)
        and current.note
        and result.note is None
        and result.value in NOTE_AFTER
    ):
        noting = answered.model_copy(update={"awaiting": "note"})
        return noting, [_note_prompt(noting, current)]
    return _after(flow, answered, current.id)


def _stuck(flow: Flow, state: State, step: Question) -> Outbound:
    lang = state.language
    help_text = local(step.help, lang, flow.default_language) or input_hint(step, lang)[1]
    text = say(lang, "stuck", help=help_text)
    if not step.required:
        text += "\n" + say(lang, "stuck.skip")
    return Outbound(text)


def _note(flow: Flow, state: State, event: Event) -> Result:
    current = _current(flow, state)
    if isinstance(event, Pick) and event.choice_ids == (SKIP,):
        return _after(flow, state, current.id)
    if not isinstance(event, Reply) or not event.text.strip():
        return state, prompt(flow, state)
    said = normalise(event.text)
    # "1" picks the one numbered option (Skip) where choices are shown as a numbered list.
    if said in ("1", "no", "none", "nothing", "-", normalise(say(state.language, "skip.label"))):
        return _after(flow, state, current.id)
    previous = state.answers[current.id]
    noted = previous.model_copy(update={"note": event.text.strip()[:2000]})
    answers = {**state.answers, current.id: noted}
    return _after(flow, state.model_copy(update={"answers": answers}), current.id)


def _at_break(flow: Flow, state: State, event: Event) -> Result:
    lang = state.language
    choice = None
    if isinstance(event, Pick) and len(event.choice_ids) == 1:
        choice = event.choice_ids[0]
    elif isinstance(event, Reply):
        said = normalise(event.text)
        if said in ("1", CONTINUE, normalise(say(lang, "continue")), "yes", "y", "ok"):
            choice = CONTINUE
        elif said in ("2", STOP, normalise(say(lang, "stop")), "no", "n"):
            choice = STOP
    elif isinstance(event, Command) and event.name == "skip":
        choice = CONTINUE
    if choice == CONTINUE:
        index = _index(flow)
        assert state.step_id is not None
        return _forward(flow, state, index.position[state.step_id], [], current_phase=None)
    if choice == STOP:
        return state.model_copy(update={"status": "paused"}), [Outbound(say(lang, "paused"))]
    return state, [_continue_prompt(flow, state)]


def _confirming(flow: Flow, state: State, event: Event) -> Result:
    lang = state.language
    yes = (isinstance(event, Pick) and event.choice_ids == (RESTART_YES,)) or (
        isinstance(event, Reply)
        and normalise(event.text) in ("1", "yes", "y", normalise(say(lang, "restart.yes")))
    )
    if yes:
        fresh, out = start(flow, lang)
        return fresh, [Outbound(say(lang, "restart.done")), *out]
    back = state.model_copy(
        update={"awaiting": state.before_confirm or "answer", "before_confirm": None}
    )
    if back.step_id is None:
        back = back.model_copy(update={"status": "completed"})
    return back, prompt(flow, back)


def _paused(flow: Flow, state: State, event: Event) -> Result:
    lang = state.language
    if isinstance(event, Command) and event.name == "cancel":
        return state, [Outbound(say(lang, "paused"))]
    opened = state.model_copy(update={"status": "open"})
    if isinstance(event, Command) and event.name == "restart":
        return _command(flow, opened, event)
    if isinstance(event, Command) and event.name == "resume" and state.awaiting == "continue":
        # They stopped at a phase break: coming back means going on to the next phase.
        return _at_break(flow, opened, Pick((CONTINUE,)))
    return opened, [Outbound(say(lang, "resumed", title=_title(flow, lang))), *prompt(flow, opened)]


def _completed(flow: Flow, state: State, event: Event) -> Result:
    lang = state.language
    if isinstance(event, Command) and event.name == "restart":
        asking = state.model_copy(
            update={"status": "open", "awaiting": "confirm_restart", "before_confirm": None}
        )
        return asking, [_restart_prompt(flow, asking)]
    if isinstance(event, Command) and event.name == "back" and state.history:
        reopened = state.model_copy(update={"status": "open", "awaiting": "answer"})
        return _back(flow, reopened)
    return state, [Outbound(say(lang, "done.already", title=_title(flow, lang)))]


def local_title(flow: Flow, language: str | None = None) -> str:
    """The flow's title in `language`, or in its default language."""
    return _title(flow, choose_language(flow, language))
