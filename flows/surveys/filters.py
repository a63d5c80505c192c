"""Filters on survey results: only the responses that gave one answer to one question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flows.conversation import (
    RATING_VALUES,
    AnswerValue,
    Flow,
    MultipleStep,
    NumberStep,
    RatingStep,
    ScaleStep,
    SingleStep,
    parse_number,
)
from flows.surveys.plans import questions_of


class FilterError(ValueError):
    """A filter that cannot apply to the flow; the message says why and what would."""


@dataclass(frozen=True, slots=True)
class AnswerFilter:
    """Only the responses whose answer to `step_id` is `value` (for a multiple-choice question:
    includes it; for a number or scale: equals it as a number)."""

    step_id: str
    value: str

    @classmethod
    def parse(cls, text: str) -> AnswerFilter:
        """`STEP=VALUE`, e.g. `gender=woman`."""
        step, sep, value = text.partition("=")
        if not sep or not step.strip() or not value.strip():
            raise FilterError(f"a filter is STEP=VALUE, e.g. gender=woman; not {text!r}")
        return cls(step.strip(), value.strip())

    def check(self, flow: Flow) -> None:
        """Raise `FilterError` unless it names a question of `flow` and a possible answer."""
        questions = {q.id: q for q in questions_of(flow)}
        question = questions.get(self.step_id)
        if question is None:
            raise FilterError(
                f"{self.step_id!r} is not a question of {flow.id} "
                f"(questions: {', '.join(questions)})"
            )
        allowed: Sequence[str] = ()
        if isinstance(question, SingleStep | MultipleStep):
            allowed = [c.id for c in question.choices]
        elif isinstance(question, RatingStep):
            allowed = RATING_VALUES
        if allowed and self.value not in allowed:
            raise FilterError(
                f"{self.value!r} is not an answer to {self.step_id!r} "
                f"(one of: {', '.join(allowed)})"
            )
        if isinstance(question, NumberStep | ScaleStep) and parse_number(self.value) is None:
            raise FilterError(f"{self.step_id!r} takes a number, not {self.value!r}")

    def matches(self, answer: AnswerValue) -> bool:
        if answer is None:
            return False
        if isinstance(answer, list):
            return self.value in answer
        if isinstance(answer, int | float):
            number = parse_number(self.value)
            return number is not None and float(answer) == number
        return answer == self.value

    def __str__(self) -> str:
        return f"{self.step_id}={self.value}"
