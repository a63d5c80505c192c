"""The conversation engine: `(flow, state, event) -> (state, messages)`, and nothing else.

Pure: no I/O, no clock, no platform. Every rule of a conversation lives here (answers, re-asking,
back, skip, help, restart, cancel, phase breaks, completion), so that every chat platform, the web
and the terminal behave the same. This module reads events and handles each kind of wait;
`traversal` moves on through the flow, `prompts` says what is shown and `progress` knows where
a conversation stands.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from flows.conversation.answers import Accepted, interpret, local, normalise
from flows.conversation.definitions import Flow, MultipleStep, RatingStep
from flows.conversation.messages import (
    Command,
    CommandName,
    Done,
    Event,
    Outbound,
    Pick,
    Press,
    Reply,
    Toggle,
)
from flows.conversation.phrases import COMMANDS, say, words
from flows.conversation.progress import current_question, step_index
from flows.conversation.prompts import (
    CONTINUE,
    RESTART_YES,
    SKIP,
    STOP,
    continue_prompt,
    flow_title,
    help_message,
    note_prompt,
    question,
    restart_prompt,
    stuck,
)
from flows.conversation.state import Answer, State
from flows.conversation.traversal import Result, after, forward

STUCK_AFTER = 3
NOTE_AFTER = ("partly", "no", "dont_know")


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
    return forward(flow, state, 0, out, current_phase=None)


def _prompt(flow: Flow, state: State) -> list[Outbound]:
    lang = state.language
    if state.status == "completed":
        return [Outbound(say(lang, "done.already", title=flow_title(flow, lang)))]
    if state.awaiting == "continue":
        return [continue_prompt(flow, state)]
    if state.awaiting == "confirm_restart":
        return [restart_prompt(flow, state)]
    step = current_question(flow, state)
    if state.awaiting == "note":
        return [note_prompt(state, step)]
    return [question(flow, state, step)]


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


# --- handling each kind of wait -------------------------------------------------------------


def _command(flow: Flow, state: State, command: Command) -> Result:
    lang = state.language
    if command.name == "cancel":
        return state.model_copy(update={"status": "paused"}), [Outbound(say(lang, "cancelled"))]
    if command.name == "restart":
        if state.awaiting == "confirm_restart":
            return state, [restart_prompt(flow, state)]
        asking = state.model_copy(
            update={"awaiting": "confirm_restart", "before_confirm": state.awaiting}
        )
        return asking, [restart_prompt(flow, asking)]
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
            return state, [help_message(flow, state, None), continue_prompt(flow, state)]
        return _at_break(flow, state, command)
    current = current_question(flow, state)
    if command.name == "help":
        return state, [help_message(flow, state, current), *prompt(flow, state)]
    # skip
    if state.awaiting == "note":
        return after(flow, state.model_copy(update={"invalid": 0}), current.id)
    if current.required:
        return state, [Outbound(say(lang, "bad.required"), kind="error"), *prompt(flow, state)]
    answers = {**state.answers, current.id: Answer(value=None)}
    skipped = state.model_copy(
        update={"answers": answers, "history": (*state.history, current.id), "selection": ()}
    )
    return after(flow, skipped, current.id)


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
    current = current_question(flow, state)
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
            out.append(stuck(flow, wrong, current))
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
        return noting, [note_prompt(noting, current)]
    return after(flow, answered, current.id)


def _note(flow: Flow, state: State, event: Event) -> Result:
    current = current_question(flow, state)
    if isinstance(event, Pick) and event.choice_ids == (SKIP,):
        return after(flow, state, current.id)
    if not isinstance(event, Reply) or not event.text.strip():
        return state, prompt(flow, state)
    said = normalise(event.text)
    # "1" picks the one numbered option (Skip) where choices are shown as a numbered list.
    if said in ("1", "no", "none", "nothing", "-", normalise(say(state.language, "skip.label"))):
        return after(flow, state, current.id)
    previous = state.answers[current.id]
    noted = previous.model_copy(update={"note": event.text.strip()[:2000]})
    answers = {**state.answers, current.id: noted}
    return after(flow, state.model_copy(update={"answers": answers}), current.id)


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
        index = step_index(flow)
        assert state.step_id is not None
        return forward(flow, state, index.position[state.step_id], [], current_phase=None)
    if choice == STOP:
        return state.model_copy(update={"status": "paused"}), [Outbound(say(lang, "paused"))]
    return state, [continue_prompt(flow, state)]


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
    return opened, [
        Outbound(say(lang, "resumed", title=flow_title(flow, lang))),
        *prompt(flow, opened),
    ]


def _completed(flow: Flow, state: State, event: Event) -> Result:
    lang = state.language
    if isinstance(event, Command) and event.name == "restart":
        asking = state.model_copy(
            update={"status": "open", "awaiting": "confirm_restart", "before_confirm": None}
        )
        return asking, [restart_prompt(flow, asking)]
    if isinstance(event, Command) and event.name == "back" and state.history:
        reopened = state.model_copy(update={"status": "open", "awaiting": "answer"})
        return _back(flow, reopened)
    return state, [Outbound(say(lang, "done.already", title=flow_title(flow, lang)))]


def local_title(flow: Flow, language: str | None = None) -> str:
    """The flow's title in `language`, or in its default language."""
    return flow_title(flow, choose_language(flow, language))
