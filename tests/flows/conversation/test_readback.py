"""A conversation read back from its state (`flows.conversation.transcript`), as the web
chat shows it."""

from __future__ import annotations

from typing import Any

from flows.conversation import engine
from flows.conversation.definitions import Flow
from flows.conversation.loading import parse_flow
from flows.conversation.messages import Reply
from flows.conversation.state import State
from flows.conversation.transcript import Line, transcript


def flow() -> Flow:
    raw: dict[str, Any] = {
        "id": "pets",
        "version": 1,
        "kind": "survey",
        "title": "Pets",
        "description": "About your pets.",
        "languages": ["en"],
        "phases": [
            {
                "id": "one",
                "title": "Your pets",
                "steps": [
                    {"id": "hello", "kind": "message", "text": "A few questions."},
                    {
                        "id": "has",
                        "kind": "single",
                        "text": "Do you have a pet?",
                        "choices": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}],
                    },
                    {
                        "id": "name",
                        "kind": "text",
                        "text": "Its name?",
                        "when": {"step": "has", "equals": "yes"},
                    },
                    {"id": "bye", "kind": "message", "text": "Nearly done."},
                    {"id": "age", "kind": "number", "text": "Your age?"},
                ],
            }
        ],
    }
    return parse_flow(raw)


def run(*said: str) -> State:
    pets = flow()
    state, _ = engine.start(pets)
    for text in said:
        state, _ = engine.step(pets, state, Reply(text))
    return state


def test_the_welcome_and_what_came_before_the_first_question() -> None:
    assert transcript(flow(), run()) == [
        Line("bot", "*Pets*\nAbout your pets."),
        Line("bot", "*Your pets*"),
        Line("bot", "A few questions.", "hello"),
    ]


def test_questions_answered_with_their_answers_and_no_question_not_asked() -> None:
    lines = transcript(flow(), run("no"))
    assert lines[-3:] == [
        Line("bot", "Do you have a pet?", "has"),
        Line("person", "No", "has"),
        Line("bot", "Nearly done.", "bye"),
    ]
    assert all(line.step_id != "name" for line in lines)


def test_going_back_leaves_out_what_comes_after() -> None:
    state = run("yes", "Rex", "back")
    lines = transcript(flow(), state)
    assert lines[-2:] == [Line("bot", "Do you have a pet?", "has"), Line("person", "Yes", "has")]
    assert state.step_id == "name"


def test_a_finished_conversation_reads_to_the_end() -> None:
    lines = transcript(flow(), run("yes", "<b>Rex</b>", "41"))
    assert Line("person", "<b>Rex</b>", "name") in lines
    assert lines[-1] == Line("person", "41", "age")
