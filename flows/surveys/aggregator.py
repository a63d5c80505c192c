"""A survey's results: responses counted one by one into what they add up to, question by
question.

Pure: responses come in one at a time from whoever reads them (the store, a test), so counting
100,000 of them keeps only the counts, one per distinct answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.conversation import AnswerValue, Flow, local
from flows.surveys.filters import AnswerFilter
from flows.surveys.plans import NOT_SHOWN, ConditionGroup, Plan, make_plan, questions_of
from flows.surveys.responses import Encoded, EncodedResponse, Response, decode_answer
from flows.surveys.tallies import QuestionResult, Tally, question_result


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
        self._plan = make_plan(ids, flow)
        self._plans = {n: make_plan(ids, v) for n, v in (versions or {}).items()}
        # (step id, answer) -> how many: each answer as the store gave it, or decoded. Not
        # shown counts as an answer of its own; not reached is what no count accounts for.
        self._encoded: Counter[tuple[str, Any]] = Counter()
        self._decoded: Counter[tuple[str, Any]] = Counter()
        self._by_version: Counter[tuple[int | None, bool]] = Counter()

    def _plan_of(self, version: int | None) -> Plan:
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
        plan: Plan, failed: tuple[ConditionGroup, ...], completed: bool, answered: Iterable[str]
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

    def _passes(self, plan: Plan, failed: tuple[ConditionGroup, ...], value: AnswerValue) -> bool:
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
        tallies = {step_id: Tally() for step_id in self._plan.ids}
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
            question_result(flow, q, tallies[q.id], responses, language) for q in questions_of(flow)
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


def _reached(plan: Plan, answered: Iterable[str]) -> int:
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
