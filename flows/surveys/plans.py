"""Which questions of a flow a response was shown: the plan of one flow version, judged against
the questions of the flow the results are for.

A question counts for a response as shown when its `when` holds on that response's answers
under the flow version it was given in; an answer kept for a question that is no longer shown
(the person went back and changed an earlier answer) is left out, as the engine itself would
pass that question over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.conversation import AnswerValue, Condition, Flow, MessageStep, Question
from flows.surveys.responses import Encoded, decode_answer


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
class ConditionGroup:
    """A `when`, and the positions of the questions behind it."""

    when: Condition
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """How the responses of one flow version count against the questions of the results' flow:
    the questions that version lacks (never shown), and the conditions of the others, with a
    memo of which fail by the stored answers they read (a survey has few distinct ones)."""

    ids: tuple[str, ...]
    position: Mapping[str, int]
    never: frozenset[str]
    conditions: tuple[ConditionGroup, ...]
    governs: Mapping[str, ConditionGroup]
    reads: tuple[str, ...]
    failing: dict[Any, tuple[ConditionGroup, ...]]

    def failed(self, answers: Mapping[str, AnswerValue]) -> tuple[ConditionGroup, ...]:
        """The conditions that do not hold for these answers."""
        return tuple(c for c in self.conditions if not c.when.holds(answers))

    def failed_stored(
        self, steps: Sequence[str], values: Sequence[Encoded]
    ) -> tuple[ConditionGroup, ...]:
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


def make_plan(ids: tuple[str, ...], version: Flow) -> Plan:
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
    conditions = tuple(ConditionGroup(keyed[k], tuple(p)) for k, p in grouped.items())
    reads: set[str] = set()
    for condition in conditions:
        reads |= condition.when.steps()
    return Plan(
        ids=ids,
        position={step_id: i for i, step_id in enumerate(ids)},
        never=frozenset(step_id for step_id in ids if step_id not in whens),
        conditions=conditions,
        governs={ids[i]: c for c in conditions for i in c.positions},
        reads=tuple(sorted(reads)),
        failing={},
    )
