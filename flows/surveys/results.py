"""Survey results: what the responses to a flow add up to, question by question, and the rows
of an export.

Pure: responses come in one at a time from whoever reads them (the store, a test), so counting
100,000 of them keeps only the counts, one per distinct answer. A question counts for a response
as shown when its `when` holds on that response's answers under the flow version it was given
in; an answer kept for a question that is no longer shown (the person went back and changed an
earlier answer) is left out, as the engine itself would pass that question over.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flows.conversation import (
    RATING_VALUES,
    AnswerValue,
    Condition,
    DateStep,
    Flow,
    MessageStep,
    MultipleStep,
    NumberStep,
    Question,
    RatingStep,
    ScaleStep,
    SingleStep,
    Status,
    TextStep,
    local,
    parse_number,
    say,
)

Cell = str | int | float | date | datetime | None
"""One cell of an export row: text, a number, a date or time, or nothing."""

EXPORT_COLUMNS = ("_id", "_status", "_version", "_started", "_updated")
"""The columns before the questions' own; question ids never start with `_`, so none clash."""


@dataclass(frozen=True, slots=True)
class Response:
    """One conversation through a flow, as results read it: its answers by step id (None for a
    skipped question), whether it was completed, and the flow version it ran under."""

    id: int
    completed: bool
    answers: Mapping[str, AnswerValue]
    flow_version: int | None = None
    status: Status | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None


Encoded = str | int | float | None
"""An answer as the store keeps it: its JSON text (a number may come decoded)."""


def decode_answer(stored: Encoded) -> AnswerValue:
    """An answer from its stored JSON text."""
    value: AnswerValue = json.loads(stored) if isinstance(stored, str) else stored
    return value


@dataclass(frozen=True, slots=True)
class EncodedResponse:
    """A response as the store reads it: the ids of the steps answered and, in the same order,
    each answer's stored JSON text (a number may come decoded). Counting needs no decoding;
    only a condition, a filter or an export cell decodes the answers it reads."""

    id: int
    completed: bool
    steps: Sequence[str]
    values: Sequence[Encoded]
    flow_version: int | None = None
    status: Status | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None

    def decoded(self) -> Response:
        return Response(
            id=self.id,
            completed=self.completed,
            answers={s: decode_answer(v) for s, v in zip(self.steps, self.values, strict=True)},
            flow_version=self.flow_version,
            status=self.status,
            started_at=self.started_at,
            updated_at=self.updated_at,
        )


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


# --- what the results hold -----------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class SurveyResults:
    """The results of one flow: how many responded, and each question's numbers."""

    flow_id: str
    flow_version: int
    title: str
    responses: int
    completed: int
    questions: tuple[QuestionResult, ...]
    invited: int | None = None
    filter: AnswerFilter | None = None
    versions: tuple[int, ...] = ()

    @property
    def in_progress(self) -> int:
        return self.responses - self.completed

    @property
    def response_rate(self) -> float | None:
        """Completed responses as a percentage of those invited, when that number is known."""
        if not self.invited:
            return None
        return 100.0 * self.completed / self.invited

    def question(self, step_id: str) -> QuestionResult:
        for found in self.questions:
            if found.id == step_id:
                return found
        raise KeyError(step_id)

    def to_json(self) -> dict[str, Any]:
        rate = self.response_rate
        return {
            "flow": self.flow_id,
            "version": self.flow_version,
            "versions": list(self.versions),
            "title": self.title,
            "filter": None if self.filter is None else str(self.filter),
            "responses": self.responses,
            "completed": self.completed,
            "in_progress": self.in_progress,
            "invited": self.invited,
            "response_rate": None if rate is None else round(rate, 2),
            "questions": [q.to_json() for q in self.questions],
        }


# --- counting ------------------------------------------------------------------------------


def questions_of(flow: Flow) -> list[Question]:
    """The flow's questions in order, messages left out."""
    return [step for _, step in flow.steps() if not isinstance(step, MessageStep)]


class _Mark:
    """A value that stands for no answer in the counts."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


NOT_SHOWN = _Mark("not shown")
_MISSING = _Mark("missing")
MEMO_LIMIT = 4096


@dataclass(frozen=True, slots=True, eq=False)
class _Condition:
    """A `when`, and the positions of the questions behind it."""

    when: Condition
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    """How the responses of one flow version count against the questions of the results' flow:
    the questions that version lacks (never shown), and the conditions of the others, with a
    memo of which fail by the stored answers they read (a survey has few distinct ones)."""

    ids: tuple[str, ...]
    position: Mapping[str, int]
    never: frozenset[str]
    conditions: tuple[_Condition, ...]
    governs: Mapping[str, _Condition]
    reads: tuple[str, ...]
    failing: dict[Any, tuple[_Condition, ...]]

    def failed(self, answers: Mapping[str, AnswerValue]) -> tuple[_Condition, ...]:
        """The conditions that do not hold for these answers."""
        return tuple(c for c in self.conditions if not c.when.holds(answers))

    def failed_stored(
        self, steps: Sequence[str], values: Sequence[Encoded]
    ) -> tuple[_Condition, ...]:
        """The conditions that do not hold for these stored answers: looked up in the memo by
        the answers they read (a list search each: cheaper than a dict of all the answers)."""
        key = tuple([values[steps.index(s)] if s in steps else _MISSING for s in self.reads])
        found = self.failing.get(key)
        if found is None:
            known = {
                s: decode_answer(v)
                for s, v in zip(self.reads, key, strict=True)
                if not isinstance(v, _Mark)
            }
            found = self.failed(known)
            if len(self.failing) < MEMO_LIMIT:
                self.failing[key] = found
        return found


def _key(when: Condition) -> Any:
    try:
        hash(when)
    except TypeError:  # a condition holding a list, say
        return id(when)
    return when


def _make_plan(ids: tuple[str, ...], version: Flow) -> _Plan:
    whens = {q.id: q.when for q in questions_of(version)}
    grouped: dict[Any, list[int]] = {}
    keyed: dict[Any, Condition] = {}
    for index, step_id in enumerate(ids):
        when = whens.get(step_id)
        if when is not None:
            # Questions behind the same condition share one test of it per response.
            key = _key(when)
            grouped.setdefault(key, []).append(index)
            keyed[key] = when
    conditions = tuple(_Condition(keyed[k], tuple(p)) for k, p in grouped.items())
    reads: set[str] = set()
    for condition in conditions:
        reads |= condition.when.steps()
    return _Plan(
        ids=ids,
        position={step_id: i for i, step_id in enumerate(ids)},
        never=frozenset(step_id for step_id in ids if step_id not in whens),
        conditions=conditions,
        governs={ids[i]: c for c in conditions for i in c.positions},
        reads=tuple(sorted(reads)),
        failing={},
    )


class _Tally:
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


def _hashable(value: Any) -> Any:
    return tuple(value) if value.__class__ is list else value


class ResultsAggregator:
    """Counts responses one by one into `SurveyResults` for `flow`.

    `versions` holds the definitions of the flow versions the responses were given under, so
    that whether a question was shown is judged by the version each response ran; responses of
    a version not given are judged by `flow`. Memory grows with the distinct answers only (the
    numbers, for medians, and the free texts), not with the number of responses.
    """

    def __init__(
        self,
        flow: Flow,
        versions: Mapping[int, Flow] | None = None,
        answer_filter: AnswerFilter | None = None,
        invited: int | None = None,
        language: str | None = None,
    ) -> None:
        if answer_filter is not None:
            answer_filter.check(flow)
        self.flow = flow
        self.filter = answer_filter
        self.invited = invited
        self.language = language
        ids = tuple(q.id for q in questions_of(flow))
        self._plan = _make_plan(ids, flow)
        self._plans = {n: _make_plan(ids, v) for n, v in (versions or {}).items()}
        # (step id, answer) -> how many: each answer as the store gave it, or decoded. Not
        # shown counts as an answer of its own; not reached is what no count accounts for.
        self._encoded: Counter[tuple[str, Any]] = Counter()
        self._decoded: Counter[tuple[str, Any]] = Counter()
        self._by_version: Counter[tuple[int | None, bool]] = Counter()

    def _plan_of(self, version: int | None) -> _Plan:
        return self._plan if version is None else self._plans.get(version, self._plan)

    def add(self, response: Response | EncodedResponse) -> None:
        """Count one response (left out when the filter does not match it)."""
        if isinstance(response, EncodedResponse):
            self.count(response.flow_version, response.completed, response.steps, response.values)
            return
        plan = self._plan_of(response.flow_version)
        answers = response.answers
        failed = plan.failed(answers)
        if self.filter is not None and not self._passes(
            plan, failed, answers.get(self.filter.step_id)
        ):
            return
        self._by_version[response.flow_version, response.completed] += 1
        counts = self._decoded
        counts.update(zip(answers, map(_hashable, answers.values()), strict=True))
        for step_id in self._hidden(plan, failed, response.completed, answers):
            if step_id in answers:
                counts[step_id, _hashable(answers[step_id])] -= 1
            counts[step_id, NOT_SHOWN] += 1

    def add_all(self, responses: Iterable[Response | EncodedResponse]) -> ResultsAggregator:
        for response in responses:
            self.add(response)
        return self

    def count(
        self,
        flow_version: int | None,
        completed: bool,
        steps: Sequence[str],
        values: Sequence[Encoded],
    ) -> None:
        """Count one response as the store reads it: the steps answered and, in the same
        order, each answer's stored JSON text (see `EncodedResponse`)."""
        # Counting runs in C (zip, Counter.update); Python only looks up which conditions fail
        # for the answers they read, in a memo, and takes back the answers they hide.
        plan = self._plan if flow_version is None else self._plans.get(flow_version, self._plan)
        counts = self._encoded
        if plan.conditions or self.filter is not None:
            failed = plan.failed_stored(steps, values)
            if self.filter is not None:
                step_id = self.filter.step_id
                value = values[steps.index(step_id)] if step_id in steps else None
                if not self._passes(plan, failed, decode_answer(value)):
                    return
            if failed:
                for step_id in self._hidden(plan, failed, completed, steps):
                    if step_id in steps:
                        counts[step_id, values[steps.index(step_id)]] -= 1
                    counts[step_id, NOT_SHOWN] += 1
        self._by_version[flow_version, completed] += 1
        counts.update(zip(steps, values, strict=True))

    @staticmethod
    def _hidden(
        plan: _Plan, failed: tuple[_Condition, ...], completed: bool, answered: Iterable[str]
    ) -> Iterator[str]:
        """The questions the failed conditions hide. An answer kept for one is from before the
        person went back and changed an earlier answer, and must be taken back."""
        # Past the last question an unfinished response answered, it was not reached yet,
        # whatever the condition would say once the earlier answers are in.
        reached = len(plan.ids) if completed else _reached(plan, answered)
        for condition in failed:
            for index in condition.positions:
                if index < reached:
                    yield plan.ids[index]

    def add_counts(
        self,
        responses: Mapping[tuple[int | None, bool], int],
        answers: Iterable[tuple[str, AnswerValue, int]],
    ) -> None:
        """Count responses already counted by someone else (the store, in SQL): how many there
        are by (flow version, completed), and how many gave each answer, by step id.

        Exact only where nothing depends on a single response: no filter, and no question with
        a `when` in any version counted (see `counts_suffice`).
        """
        if not self.counts_suffice(v for v, _ in responses):
            raise ValueError("these results need each response: a filter or a condition applies")
        for step_id, value, count in answers:
            self._decoded[step_id, _hashable(value)] += count
        self._by_version.update(responses)

    def counts_suffice(self, versions: Iterable[int | None]) -> bool:
        """Whether counts of answers (no single response) give exact results for these versions."""
        if self.filter is not None:
            return False
        return not any(self._plan_of(v).conditions for v in versions)

    def _passes(self, plan: _Plan, failed: tuple[_Condition, ...], value: AnswerValue) -> bool:
        """Whether the filter's question was shown and answered as the filter asks."""
        assert self.filter is not None
        step_id = self.filter.step_id
        if step_id in plan.never or plan.governs.get(step_id) in failed:
            return False
        return self.filter.matches(value)

    def result(self) -> SurveyResults:
        """The results so far."""
        flow = self.flow
        language = self.language or flow.default_language
        tallies = {step_id: _Tally() for step_id in self._plan.ids}
        for (step_id, stored), count in self._encoded.items():
            tally = tallies.get(step_id)
            if tally is not None and count:
                value = stored if stored is NOT_SHOWN else decode_answer(stored)
                tally.add(_hashable(value), count)
        for (step_id, value), count in self._decoded.items():
            tally = tallies.get(step_id)
            if tally is not None and count:
                tally.add(value, count)
        responses = sum(self._by_version.values())
        for (version, _), count in self._by_version.items():
            for step_id in self._plan_of(version).never:
                tallies[step_id].not_shown += count
        questions = tuple(
            _question_result(flow, q, tallies[q.id], responses, language)
            for q in questions_of(flow)
        )
        return SurveyResults(
            flow_id=flow.id,
            flow_version=flow.version,
            title=local(flow.title, language, flow.default_language),
            responses=responses,
            completed=sum(n for (_, done), n in self._by_version.items() if done),
            questions=questions,
            invited=self.invited,
            filter=self.filter,
            versions=tuple(sorted({v for v, _ in self._by_version if v is not None})),
        )


def _reached(plan: _Plan, answered: Iterable[str]) -> int:
    """How far an unfinished response got: up to the last question it answered."""
    return 1 + max((plan.position.get(s, -1) for s in answered), default=-1)


def compute_results(
    flow: Flow,
    responses: Iterable[Response | EncodedResponse],
    *,
    versions: Mapping[int, Flow] | None = None,
    answer_filter: AnswerFilter | None = None,
    invited: int | None = None,
    language: str | None = None,
) -> SurveyResults:
    """The results of `responses` to `flow`, optionally only those matching `answer_filter`."""
    aggregator = ResultsAggregator(flow, versions, answer_filter, invited, language)
    return aggregator.add_all(responses).result()


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


def _question_result(
    flow: Flow, question: Question, tally: _Tally, responses: int, language: str
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


# --- exports -------------------------------------------------------------------------------


class _Decoded(dict[Any, AnswerValue]):
    """Stored answers decoded so far (most are one of a few choice ids or numbers), decoding
    and keeping each new one up to a limit."""

    def __missing__(self, stored: Encoded) -> AnswerValue:
        value = decode_answer(stored)
        if len(self) < MEMO_LIMIT * 16:
            self[stored] = value
        return value


class ExportLayout:
    """The table an export writes: one row per response, one column per question of `flow` in
    its order after the `EXPORT_COLUMNS`, as XLSForm tools lay out their data (the choices of a
    multiple-choice question in one cell, separated by spaces). A question not shown to a
    response, skipped or not reached is an empty cell."""

    def __init__(self, flow: Flow, versions: Mapping[int, Flow] | None = None) -> None:
        self.flow = flow
        self._questions = questions_of(flow)
        ids = tuple(q.id for q in self._questions)
        self._plan = _make_plan(ids, flow)
        self._plans = {n: _make_plan(ids, v) for n, v in (versions or {}).items()}
        self._dates = frozenset(q.id for q in self._questions if isinstance(q, DateStep))
        self._decoded = _Decoded()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*EXPORT_COLUMNS, *(q.id for q in self._questions))

    def row(self, response: Response | EncodedResponse) -> list[Cell]:
        version = response.flow_version
        plan = self._plan if version is None else self._plans.get(version, self._plan)
        answers: Mapping[str, AnswerValue]
        if isinstance(response, EncodedResponse):
            steps, values = response.steps, response.values
            failed = plan.failed_stored(steps, values)
            answers = dict(zip(steps, map(self._decoded.__getitem__, values), strict=True))
        else:
            answers = response.answers
            failed = plan.failed(answers)
        hidden = plan.never.union(plan.ids[i] for c in failed for i in c.positions)
        status = response.status or ("completed" if response.completed else "open")
        cells: list[Cell] = [
            response.id,
            status,
            version,
            response.started_at,
            response.updated_at,
        ]
        dates = self._dates
        for question in self._questions:
            step_id = question.id
            value = answers.get(step_id)
            if value is None or step_id in hidden:
                cells.append(None)
            elif isinstance(value, str) and step_id not in dates:
                cells.append(value)
            else:
                cells.append(export_cell(question, value))
        return cells


def export_cell(question: Question, value: AnswerValue) -> Cell:
    """One answer as an export cell: ids as text, several ids joined by spaces, numbers as
    numbers, dates as dates; None for no answer."""
    if value is None:
        return None
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(question, DateStep) and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, bool):
        return json.dumps(value)
    return value
