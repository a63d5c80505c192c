"""Whatever a person sends, in any order, the engine answers and its state stays valid.

Hypothesis plays random conversations (typed words, numbers, dates, command words, picks of
real and made-up ids, toggles, done, commands) on the bundled flows and the synthetic one, and
checks the state after every event.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.conversation.definitions import (
    RATING_VALUES,
    DateStep,
    Flow,
    MessageStep,
    MultipleStep,
    NumberStep,
    Question,
    RatingStep,
    ScaleStep,
    SingleStep,
    TextStep,
)
from flows.conversation.engine import prompt_tag, start, step
from flows.conversation.loading import load_flow_file
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
from flows.conversation.phrases import COMMANDS, RATING_WORDS
from flows.conversation.prompts import CONTINUE, RESTART_NO, RESTART_YES, SKIP, STOP
from flows.conversation.state import Answer, State
from tests.flows.sample import every_kind

CONTENT = Path(__file__).resolve().parents[3] / "flows" / "content"
FLOWS: dict[str, Flow] = {
    "citess": load_flow_file(CONTENT / "citess.yaml"),
    "deseo": load_flow_file(CONTENT / "deseo.yaml"),
    "every-kind": every_kind(),
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Long conversations cost more each; fewer of them still reach every phase and the end.
LONG = settings(
    SETTINGS,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _questions(flow: Flow) -> dict[str, Question]:
    return flow.memo(
        "tests.questions",
        lambda f: {s.id: s for _, s in f.steps() if not isinstance(s, MessageStep)},
    )


def _choice_ids(flow: Flow) -> list[str]:
    ids = {
        c.id
        for q in _questions(flow).values()
        if isinstance(q, SingleStep | MultipleStep)
        for c in q.choices
    }
    return sorted(ids)


def _spoken_words() -> list[str]:
    spoken = {
        w
        for table in (COMMANDS, RATING_WORDS)
        for lang in table.values()
        for words in lang.values()
        for w in words
    }
    return sorted(spoken)


TYPED = [
    *_spoken_words(),
    "continue",
    "stop",
    "1",
    "2",
    "3",
    "4",
    "0",
    "1, 3",
    "2 and 4",
    "partly: only in the city",
    "no - not yet",
    "3,5",
    "-1",
    "12.5",
    "1" + "0" * 400,
    "2026-03-31",
    "31/03/2026",
    "1999-12-31",
    "12345",
    "",
    "   ",
    "/back",
    "A city",
    "Office space, Legal advice",
    "²",
    "٣",
    "1" * 5000,
]
# What a button may carry: an option's index, a toggle of one, done, a command, or nonsense.
ACTIONS = ["0", "1", "2", "3", "9", "t0", "t2", "t9", "done", "back", "skip", "x", "-1", "²"]


def events(flow: Flow) -> st.SearchStrategy[Event]:
    ids = [
        *_choice_ids(flow),
        *RATING_VALUES,
        SKIP,
        CONTINUE,
        STOP,
        RESTART_YES,
        RESTART_NO,
        "nope",
    ]
    text = st.one_of(
        st.sampled_from(TYPED),
        st.sampled_from(TYPED),
        st.text(max_size=40),
        st.integers(-10, 600).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.dates(date(1990, 1, 1), date(2040, 1, 1)).map(
            lambda d: d.isoformat() if d.day % 2 else d.strftime("%d/%m/%Y")
        ),
    )
    return st.one_of(
        text.map(Reply),
        st.lists(st.sampled_from(ids), max_size=4).map(lambda chosen: Pick(tuple(chosen))),
        st.sampled_from(ids).map(Toggle),
        st.just(Done()),
        st.sampled_from(get_args(CommandName)).map(Command),
        # Buttons of a prompt long gone, or never shown.
        st.builds(Press, st.sampled_from(["00000000", ""]), st.sampled_from(ACTIONS)),
    )


def check_value(question: Question, answer: Answer) -> None:
    """The answer is one the question could have been given."""
    value = answer.value
    if answer.note is not None:
        assert isinstance(question, RatingStep), "only ratings carry notes"
        assert answer.note.strip() and len(answer.note) <= 2000
    if value is None:
        assert not question.required, "a required question was skipped"
        return
    if isinstance(question, SingleStep):
        assert value in {c.id for c in question.choices}
    elif isinstance(question, MultipleStep):
        assert isinstance(value, list)
        ids = [c.id for c in question.choices]
        assert len(set(value)) == len(value) and set(value) <= set(ids)
        assert value == sorted(value, key=ids.index)
        high = question.max_choices or len(ids)
        assert max(question.min_choices, 1) <= len(value) <= high
    elif isinstance(question, RatingStep):
        assert value in RATING_VALUES
    elif isinstance(question, ScaleStep):
        assert isinstance(value, int) and question.min <= value <= question.max
    elif isinstance(question, NumberStep):
        assert isinstance(value, int | float) and not isinstance(value, bool)
        assert math.isfinite(value)
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
        assert not question.integer or isinstance(value, int)
    elif isinstance(question, DateStep):
        assert isinstance(value, str) and date.fromisoformat(value).isoformat() == value
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
    else:
        assert isinstance(question, TextStep)
        assert isinstance(value, str) and value == value.strip() and value
        assert len(value) <= question.max_length
        assert question.pattern is None or re.fullmatch(question.pattern, value)


def check_state(flow: Flow, state: State, out: list[Outbound]) -> None:
    questions = _questions(flow)
    assert out and all(m.text for m in out), "every event gets a reply"
    assert (state.flow_id, state.flow_version) == (flow.id, flow.version)
    assert state.status in ("open", "paused", "completed")
    assert state.awaiting in ("answer", "note", "continue", "confirm_restart")
    if state.status == "open" and state.awaiting in ("answer", "note"):
        assert state.step_id in questions
    if state.status == "completed":
        assert state.step_id is None
    if state.awaiting == "note":
        assert isinstance(questions[str(state.step_id)], RatingStep)
        assert state.step_id in state.answers
    assert state.invalid >= 0
    if state.selection:
        current = questions.get(str(state.step_id))
        assert isinstance(current, MultipleStep)
        assert set(state.selection) <= {c.id for c in current.choices}
    assert set(state.answers) <= set(questions)
    for step_id, answer in state.answers.items():
        check_value(questions[step_id], answer)
    assert len(set(state.history)) == len(state.history)
    assert set(state.history) <= set(state.answers)
    assert State.model_validate_json(state.model_dump_json()) == state


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_any_conversation_keeps_a_valid_state(name: str) -> None:
    flow = FLOWS[name]

    @SETTINGS
    @given(st.lists(events(flow), min_size=10, max_size=80))
    def run(inputs: list[Event]) -> None:
        state, out = start(flow, "en")
        check_state(flow, state, out)
        for event in inputs:
            state, out = step(flow, state, event)
            check_state(flow, state, out)

    run()


def fitting(out: list[Outbound], pick: int) -> Event:
    """An input that fits what the engine just asked: one of its options, or a typed value.

    Chosen by index from a list rather than drawn from a fresh strategy, which keeps long
    conversations fast to generate.
    """
    asked = out[-1]
    typed = {
        "number": ["3", "12", "3,5"],
        "date": ["2026-03-31", "31/03/2026"],
        "text": ["12345", "only in the city"],
    }.get(asked.input_hint, ["yes"])
    candidates: list[Event] = [Reply(t) for t in typed]
    for number, option in enumerate(asked.options, start=1):
        candidates += [Pick((option.id,)), Reply(str(number)), Reply(option.label)]
        if asked.tag is not None:
            candidates.append(Press(asked.tag, str(number - 1)))
    if asked.tag is not None:
        candidates += [Press(asked.tag, action) for action in ("t0", "done", "back")]
    return candidates[pick % len(candidates)]


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_conversations_that_mostly_fit_reach_the_end(name: str) -> None:
    """Mostly fitting answers with random events between, so later phases and the end are met."""
    flow = FLOWS[name]
    random_event = events(flow)

    @LONG
    @given(st.data())
    def run(data: st.DataObject) -> None:
        state, out = start(flow, "en")
        for _ in range(data.draw(st.integers(0, 300), label="length")):
            pick = data.draw(st.integers(0, 255))
            event = data.draw(random_event) if pick < 26 else fitting(out, pick)
            state, out = step(flow, state, event)
            check_state(flow, state, out)

    run()


def _stages(flow: Flow) -> list[State]:
    """One state of each kind met going through the flow by its options in turn and typed values.

    A kind is what the engine waits for and the kind of question it waits on, so a long flow of
    ratings costs no more than a short one.
    """
    typed = {"number": "3", "date": "2026-03-31", "text": "12345"}
    state, out = start(flow, "en")
    stages: dict[tuple[object, ...], State] = {}
    turn = picks = 0
    while state.status != "completed":
        turn += 1
        current = _questions(flow).get(str(state.step_id))
        kind = (state.awaiting, state.status, type(current), current and current.required)
        stages.setdefault(kind, state)
        asked = out[-1]
        event: Event
        if state.status == "paused":
            event = Command("resume")
        elif asked.options:
            picks += 1
            event = Pick((asked.options[picks % len(asked.options)].id,))
        else:
            event = Reply(typed[asked.input_hint])
        state, out = step(flow, state, event)
        assert turn < 1000, "the walk does not end"
    stages[("end",)] = state
    assert {kind[0] for kind in stages} >= {"answer", "note", "continue"}
    return list(stages.values())


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_odd_input_at_every_stage_of_the_flow(name: str) -> None:
    """Each listed word and each kind of event, sent at each stage a walk through the flow meets."""
    flow = FLOWS[name]
    ids = [*_choice_ids(flow), *RATING_VALUES, SKIP, CONTINUE, STOP, "nope"]
    odd: list[Event] = [
        *(Reply(text) for text in TYPED),
        *(Pick((i,)) for i in ids),
        Pick(()),
        Pick(tuple(ids[:3])),
        Toggle(ids[0]),
        Toggle("nope"),
        Done(),
        *(Command(command) for command in get_args(CommandName)),
    ]
    for state in _stages(flow):
        pressed = [Press(prompt_tag(state), action) for action in ACTIONS]
        for event in [*odd, *pressed]:
            after, out = step(flow, state, event)
            check_state(flow, after, out)
