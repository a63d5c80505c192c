"""Where a conversation stands in its flow: the positions of steps, and "question n of m"."""

from __future__ import annotations

from dataclasses import dataclass

from flows.conversation.definitions import Flow, MessageStep, Question, Step
from flows.conversation.phrases import say
from flows.conversation.state import State


@dataclass(frozen=True)
class StepIndex:
    """Positions of steps in a flow, computed once per flow."""

    order: tuple[Step, ...]
    phase_of: tuple[int, ...]
    position: dict[str, int]


def step_index(flow: Flow) -> StepIndex:
    """The positions of `flow`'s steps, computed on first use and kept with the flow."""
    return flow.memo("engine.index", _make_index)


def _make_index(flow: Flow) -> StepIndex:
    order: list[Step] = []
    phase_of: list[int] = []
    for p, phase in enumerate(flow.phases):
        for step in phase.steps:
            order.append(step)
            phase_of.append(p)
    return StepIndex(tuple(order), tuple(phase_of), {s.id: i for i, s in enumerate(order)})


def current_question(flow: Flow, state: State) -> Question:
    """The question `state` points at; raises ValueError when it points at none."""
    index = step_index(flow)
    if state.step_id is None or state.step_id not in index.position:
        raise ValueError(f"state points at no step of {flow.id}: {state.step_id!r}")
    found = index.order[index.position[state.step_id]]
    if isinstance(found, MessageStep):
        raise ValueError(f"state points at a message step: {found.id}")
    return found


def progress(flow: Flow, state: State, step: Question, lang: str) -> str:
    """The progress line shown with a question: its phase and its number in the phase."""
    index = step_index(flow)
    number, total = position(flow, state, step)
    if len(flow.phases) == 1:
        return say(lang, "progress.single", question=number, questions=total)
    phase = index.phase_of[index.position[step.id]] + 1
    return say(
        lang, "progress", phase=phase, phases=len(flow.phases), question=number, questions=total
    )


def position(flow: Flow, state: State, step: Question) -> tuple[int, int]:
    """ "Question n of m" in the step's phase, counting only the questions the person meets:
    an earlier one skipped by its `when` is not counted, nor a later one whose `when` the
    answers given have already ruled out (one that hangs on answers still to come is)."""
    index = step_index(flow)
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
