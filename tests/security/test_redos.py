"""A respondent cannot freeze the process with a regular expression: `regex()` and `pattern`
use a linear-time engine, patterns come from the flow file only, and answers have a cap."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.conversation.answers import interpret
from flows.conversation.definitions import NumberStep, TextStep
from flows.conversation.expression_parser import ExpressionError
from flows.conversation.expressions import parse_expression
from flows.conversation.loading import FlowFileError, load_flow_file
from flows.conversation.messages import Reply

HOSTILE = "^(a+)+$"
MAX_ANSWER_LENGTH = 4000  # answers.MAX_ANSWER_LENGTH, also Discord's limit for a form field


async def _within_ten_seconds(work: Any) -> Any:
    # A hang guard only: a backtracking engine takes hours on these inputs, not seconds.
    return await asyncio.wait_for(asyncio.to_thread(work), 10)


def test_backreferences_are_refused_as_no_linear_engine_can_match_them() -> None:
    from flows.conversation.patterns import PatternError, compile_pattern

    with pytest.raises(PatternError):
        compile_pattern(r"(a)\1")
    with pytest.raises(ExpressionError, match="regex"):
        parse_expression(r"regex(., '(a)\1')")


async def test_a_nested_quantifier_constraint_on_a_long_answer_is_handled() -> None:
    step = TextStep.model_validate(
        {
            "id": "code",
            "kind": "text",
            "text": {"en": "Code?"},
            "max_length": MAX_ANSWER_LENGTH,
            "constraint": f"regex(., '{HOSTILE}')",
        }
    )
    answer = "a" * (MAX_ANSWER_LENGTH - 1) + "!"
    result = await _within_ten_seconds(lambda: interpret(step, Reply(answer), "en", "en"))
    assert type(result).__name__ == "Rejected"


async def test_a_hostile_text_pattern_on_a_long_answer_is_handled() -> None:
    step = TextStep.model_validate(
        {
            "id": "code",
            "kind": "text",
            "text": {"en": "Code?"},
            "max_length": MAX_ANSWER_LENGTH,
            "pattern": "(a|a)+",
        }
    )
    answer = "a" * (MAX_ANSWER_LENGTH - 1) + "!"
    result = await _within_ten_seconds(lambda: interpret(step, Reply(answer), "en", "en"))
    assert type(result).__name__ == "Rejected"


def test_an_answer_over_the_cap_is_asked_again_whatever_the_question() -> None:
    step = TextStep.model_validate({"id": "t", "kind": "text", "text": {"en": "Say?"}})
    number = {"id": "n", "kind": "number", "text": {"en": "How many?"}}

    for question in (step, NumberStep.model_validate(number)):
        result = interpret(question, Reply("1" * (MAX_ANSWER_LENGTH + 1)), "en", "en")
        assert type(result).__name__ == "Rejected"
        assert f"at most {MAX_ANSWER_LENGTH} characters" in result.reason  # type: ignore[union-attr]


def _flow(tmp_path: Path, step: dict[str, Any], *earlier: dict[str, Any]) -> Path:
    raw = {
        "id": "hostile",
        "version": 1,
        "kind": "survey",
        "title": "Hostile",
        "languages": ["en"],
        "phases": [{"id": "only", "title": "Only", "steps": [*earlier, step]}],
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


EARLIER = {"id": "shape", "kind": "text", "text": "Which shape?"}


@pytest.mark.parametrize(
    "step",
    [
        {"id": "code", "kind": "text", "text": "Code?", "constraint": "regex(., ${shape})"},
        {"id": "code", "kind": "text", "text": "Code?", "when": {"expr": "regex('a', ${shape})"}},
    ],
)
def test_a_pattern_taken_from_an_answer_is_refused_when_the_flow_is_loaded(
    tmp_path: Path, step: dict[str, Any]
) -> None:
    path = _flow(tmp_path, step, EARLIER)
    with pytest.raises(FlowFileError) as caught:
        load_flow_file(path)
    message = str(caught.value)
    assert str(path) in message and "'code'" in message
    assert "regex()" in message and "quotes" in message


def test_a_text_question_cannot_allow_more_than_the_cap(tmp_path: Path) -> None:
    step = {"id": "long", "kind": "text", "text": "Tell me", "max_length": MAX_ANSWER_LENGTH + 1}
    path = _flow(tmp_path, step)
    with pytest.raises(FlowFileError, match="max_length"):
        load_flow_file(path)


def test_a_text_pattern_a_linear_engine_cannot_run_is_refused(tmp_path: Path) -> None:
    step = {"id": "twice", "kind": "text", "text": "Again?", "pattern": r"(a)\1"}
    with pytest.raises(FlowFileError, match="pattern: "):
        load_flow_file(_flow(tmp_path, step))


async def test_answers_are_checked_off_the_event_loop(
    database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    from datetime import UTC, datetime

    from bot import TELEGRAM
    from flows.clock import FixedClock
    from flows.conversation import engine
    from flows.conversation.catalog import FlowCatalog
    from flows.conversation.loading import parse_flow
    from flows.conversation.service import ConversationService, Sender
    from storage import unit_of_work_factory

    flow = parse_flow(
        {
            "id": "one",
            "version": 1,
            "kind": "survey",
            "title": "One",
            "languages": ["en"],
            "phases": [{"id": "p", "title": "P", "steps": [EARLIER]}],
        }
    )
    clock = FixedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    chat = ConversationService(unit_of_work_factory(database), FlowCatalog([flow]), clock)
    threads: list[int] = []
    real = engine.step

    def spy(*args: Any) -> Any:
        threads.append(threading.get_ident())
        return real(*args)

    monkeypatch.setattr(engine, "step", spy)
    who = Sender(TELEGRAM, "7", "Ana", "en")
    await chat.begin(who, "one")
    await chat.handle(who, Reply("a square"))
    assert threads and threading.get_ident() not in threads
