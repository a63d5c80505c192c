"""Conditions (`when`) on earlier answers: parsed from flow files, evaluated by the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flows.conversation.expression_functions import AnswerValue
from flows.conversation.expression_parser import ExpressionError
from flows.conversation.expressions import parse_expression

CompareOp = Literal["equals", "in", "includes", "gt", "ge", "lt", "le", "answered"]
OPS: tuple[CompareOp, ...] = ("equals", "in", "includes", "gt", "ge", "lt", "le", "answered")


class ConditionError(ValueError):
    """A `when` that cannot be understood; the message says what is wrong with it."""


@dataclass(frozen=True)
class Compare:
    """A test of one earlier step's answer."""

    step: str
    op: CompareOp
    value: Any

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        if self.op == "answered":
            return (answers.get(self.step) is not None) == bool(self.value)
        answer = answers.get(self.step)
        if answer is None:
            return False
        if self.op == "equals":
            return _same(answer, self.value)
        if self.op == "in":
            return any(_same(answer, v) for v in self.value)
        if self.op == "includes":
            return isinstance(answer, list) and str(self.value) in answer
        if isinstance(answer, list | str) or isinstance(self.value, bool):
            return False
        number = float(answer)
        limit = float(self.value)
        return {
            "gt": number > limit,
            "ge": number >= limit,
            "lt": number < limit,
            "le": number <= limit,
        }[self.op]

    def steps(self) -> set[str]:
        return {self.step}


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        return all(p.holds(answers) for p in self.parts)

    def steps(self) -> set[str]:
        return set().union(*(p.steps() for p in self.parts))


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        return any(p.holds(answers) for p in self.parts)

    def steps(self) -> set[str]:
        return set().union(*(p.steps() for p in self.parts))


@dataclass(frozen=True)
class Not:
    part: Condition

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        return not self.part.holds(answers)

    def steps(self) -> set[str]:
        return self.part.steps()


@dataclass(frozen=True)
class Expr:
    """An XLSForm expression such as `${age} >= 18` (see `expressions`); XLSForm imports turn
    `relevant` into this, and flow files may write it as `when: {expr: "..."}`."""

    source: str

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        # Parsed once per text (parse_expression caches), checked when the flow was loaded.
        return parse_expression(self.source).holds(answers)

    def steps(self) -> set[str]:
        return set(parse_expression(self.source).references)


Condition = Compare | AllOf | AnyOf | Not | Expr


def _same(answer: AnswerValue, value: Any) -> bool:
    if isinstance(answer, list):
        return False
    if isinstance(answer, int | float) and not isinstance(value, bool | str):
        return float(answer) == float(value)
    return str(answer) == _text(value)


def _text(value: Any) -> str:
    # YAML reads unquoted yes/no as booleans; a flow means the rating or choice ids.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def parse_condition(raw: Any) -> Condition:
    """Turn the YAML form of a `when` into a condition; raises `ConditionError` if malformed."""
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(f"a condition is a mapping, not {raw!r}")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        if len(raw) != 1 or not isinstance(raw[key], list) or not raw[key]:
            raise ConditionError(f"`{key}` takes a non-empty list of conditions and nothing else")
        parts = tuple(parse_condition(p) for p in raw[key])
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if "not" in raw:
        if len(raw) != 1:
            raise ConditionError("`not` takes one condition and nothing else")
        return Not(parse_condition(raw["not"]))
    if "expr" in raw:
        if len(raw) != 1 or not isinstance(raw["expr"], str):
            raise ConditionError("`expr` takes one expression as text and nothing else")
        try:
            parse_expression(raw["expr"])
        except ExpressionError as exc:
            raise ConditionError(f"expr: {exc}") from None
        return Expr(raw["expr"])
    step = raw.get("step")
    if not isinstance(step, str) or not step:
        raise ConditionError("a condition names an earlier `step`")
    ops = [k for k in raw if k != "step"]
    if len(ops) != 1 or ops[0] not in OPS:
        raise ConditionError(
            f"a condition on {step!r} takes exactly one test of: {', '.join(OPS)}; got {ops}"
        )
    op: CompareOp = ops[0]
    value = raw[op]
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ConditionError(f"`in` on {step!r} takes a non-empty list")
        value = tuple(_text(v) if isinstance(v, bool) else v for v in value)
    elif op in ("gt", "ge", "lt", "le"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConditionError(f"`{op}` on {step!r} takes a number, not {value!r}")
    elif op == "answered":
        if not isinstance(value, bool):
            raise ConditionError(f"`answered` on {step!r} takes true or false")
    elif op == "includes":
        value = _text(value)
    return Compare(step=step, op=op, value=value)


def condition_to_raw(condition: Condition) -> dict[str, Any]:
    """The YAML/JSON form of a condition, the inverse of `parse_condition`."""
    if isinstance(condition, AllOf):
        return {"all": [condition_to_raw(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_to_raw(p) for p in condition.parts]}
    if isinstance(condition, Not):
        return {"not": condition_to_raw(condition.part)}
    if isinstance(condition, Expr):
        return {"expr": condition.source}
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"step": condition.step, condition.op: value}
