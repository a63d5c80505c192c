"""One question's results: the tally of its answers as they are counted, and what it adds up
to (counts and shares per choice, mean, median and range of numbers, dates, texts)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.conversation import (
    RATING_VALUES,
    DateStep,
    Flow,
    MultipleStep,
    NumberStep,
    Question,
    RatingStep,
    ScaleStep,
    SingleStep,
    TextStep,
    local,
    say,
)
from flows.surveys.plans import NOT_SHOWN


@dataclass(frozen=True, slots=True)
class ChoiceCount:
    """How many respondents gave one answer, and their share (in percent) of all who answered
    the question; for a multiple-choice question the shares add up to more than 100."""

    id: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class NumberSummary:
    """The numbers given to a number or scale question."""

    count: int
    mean: float
    median: float
    minimum: float
    maximum: float


@dataclass(frozen=True, slots=True)
class DateRange:
    earliest: str
    latest: str


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's results. `answered + skipped + not_shown + unanswered` is the number of
    responses counted: `not_shown` for those its condition (or their flow version) passed it
    over, `unanswered` for those that had not reached it yet."""

    id: str
    kind: str
    text: str
    answered: int
    skipped: int
    not_shown: int
    unanswered: int
    choices: tuple[ChoiceCount, ...] = ()
    numbers: NumberSummary | None = None
    dates: DateRange | None = None
    texts: tuple[str, ...] = ()

    def choice(self, choice_id: str) -> ChoiceCount:
        for found in self.choices:
            if found.id == choice_id:
                return found
        raise KeyError(choice_id)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "answered": self.answered,
            "skipped": self.skipped,
            "not_shown": self.not_shown,
            "unanswered": self.unanswered,
        }
        if self.choices:
            data["choices"] = [
                {"id": c.id, "label": c.label, "count": c.count, "percent": round(c.percent, 2)}
                for c in self.choices
            ]
        if self.numbers is not None:
            n = self.numbers
            data["numbers"] = {
                "count": n.count,
                "mean": n.mean,
                "median": n.median,
                "min": n.minimum,
                "max": n.maximum,
            }
        if self.dates is not None:
            data["dates"] = {"earliest": self.dates.earliest, "latest": self.dates.latest}
        if self.kind == "text":
            data["texts"] = list(self.texts)
        return data


class Tally:
    """The counts of one question, as the results are made."""

    __slots__ = ("counts", "not_shown", "skipped")

    def __init__(self) -> None:
        # Keyed by the answer; a list of choice ids is kept as a tuple, as keys must hash.
        self.counts: dict[Any, int] = {}
        self.skipped = 0
        self.not_shown = 0

    def add(self, value: Any, count: int) -> None:
        if value is NOT_SHOWN:
            self.not_shown += count
        elif value is None:
            self.skipped += count
        else:
            self.counts[value] = self.counts.get(value, 0) + count


def _percent(count: int, of: int) -> float:
    return 100.0 * count / of if of else 0.0


def _choice_counts(
    known: Sequence[tuple[str, str]], counts: Mapping[Any, int], answered: int
) -> tuple[ChoiceCount, ...]:
    """Counts for each known choice in order, then any other answer given (from another flow
    version) by its id."""
    per_id: dict[str, int] = {}
    for value, count in counts.items():
        for choice_id in value if isinstance(value, tuple) else (value,):
            key = str(choice_id)
            per_id[key] = per_id.get(key, 0) + count
    labels = dict(known)
    order = [choice_id for choice_id, _ in known]
    order += sorted(k for k in per_id if k not in labels)
    return tuple(
        ChoiceCount(i, labels.get(i, i), per_id.get(i, 0), _percent(per_id.get(i, 0), answered))
        for i in order
    )


def _numbers(counts: Mapping[Any, int]) -> NumberSummary | None:
    values = sorted(
        (float(v), c)
        for v, c in counts.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    )
    total = sum(c for _, c in values)
    if not total:
        return None
    mean = math.fsum(v * c for v, c in values) / total
    return NumberSummary(total, mean, _median(values, total), values[0][0], values[-1][0])


def _median(values: Sequence[tuple[float, int]], total: int) -> float:
    """The median of numbers given as (value, count) pairs in ascending order."""
    low_rank, high_rank = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value, count in values:
        seen += count
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    assert low is not None and high is not None
    return (low + high) / 2


def question_result(
    flow: Flow, question: Question, tally: Tally, responses: int, language: str
) -> QuestionResult:
    default = flow.default_language
    answered = sum(tally.counts.values())
    choices: tuple[ChoiceCount, ...] = ()
    numbers = None
    dates = None
    texts: tuple[str, ...] = ()
    if isinstance(question, SingleStep | MultipleStep):
        known = [(c.id, local(c.label, language, default)) for c in question.choices]
        choices = _choice_counts(known, tally.counts, answered)
    elif isinstance(question, RatingStep):
        known = [(v, say(language, f"rating.{v}")) for v in RATING_VALUES]
        choices = _choice_counts(known, tally.counts, answered)
    elif isinstance(question, ScaleStep):
        points = [(str(n), str(n)) for n in range(question.min, question.max + 1)]
        by_point: dict[Any, int] = {}
        for value, count in tally.counts.items():
            point = _number_id(value)
            by_point[point] = by_point.get(point, 0) + count
        choices = _choice_counts(points, by_point, answered)
        numbers = _numbers(tally.counts)
    elif isinstance(question, NumberStep):
        numbers = _numbers(tally.counts)
    elif isinstance(question, DateStep):
        days = sorted(str(v) for v in tally.counts)
        dates = DateRange(days[0], days[-1]) if days else None
    elif isinstance(question, TextStep):
        # Sorted, not in the order given, so that no text can be matched to its response.
        given = [str(text) for text, count in tally.counts.items() for _ in range(count)]
        texts = tuple(sorted(sorted(given), key=str.casefold))
    return QuestionResult(
        id=question.id,
        kind=question.kind,
        text=local(question.text, language, default),
        answered=answered,
        skipped=tally.skipped,
        not_shown=tally.not_shown,
        unanswered=responses - answered - tally.skipped - tally.not_shown,
        choices=choices,
        numbers=numbers,
        dates=dates,
        texts=texts,
    )


def _number_id(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
