"""The XLSForm expression language, the small part of XPath 1.0 that forms use in `relevant`
and `constraint`, read by a tokenizer and a recursive-descent parser and evaluated over answers.

Nothing here runs Python code from the expression: a parse gives a tree of a few node types,
and evaluation walks it. Supported: `${name}` (an answer), `.` (the answer being checked),
'text' and "text", numbers, `= != < <= > >=`, `and`, `or`, `+ - * div mod`, unary minus,
parentheses and the functions in `FUNCTIONS`. Values follow XForms: an unanswered question is
the empty string, a multiple choice answer is its ids separated by spaces, `<` and the like
compare numbers (an ISO date counts as its days since 1970, as in ODK Collect), and a text
that is no number is NaN, so every comparison with it is false.

The tokenizer and parser are in `expression_parser`, the tree in `expression_tree`, the values
and `FUNCTIONS` in `expression_functions`; this module holds the parsed `Expression` and its
evaluation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from flows.conversation.expression_functions import (
    FUNCTIONS,
    AnswerValue,
    Value,
    answer_value,
    to_boolean,
    to_number,
)
from flows.conversation.expression_parser import ExpressionError, Parser, tokenize
from flows.conversation.expression_tree import Call, Chain, Current, Literal, Negate, Node, Ref

MAX_LENGTH = 10_000


# --- evaluation ----------------------------------------------------------------------------


def _compare(op: str, left: Value, right: Value) -> bool:
    if op in ("=", "!="):
        same: bool
        if isinstance(left, bool) or isinstance(right, bool):
            same = to_boolean(left) == to_boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            a, b = to_number(left), to_number(right)
            # NaN is unequal to everything, itself included, for `=` and for `!=` alike.
            if math.isnan(a) or math.isnan(b):
                return op == "!="
            same = a == b
        else:
            same = left == right
        return same if op == "=" else not same
    a, b = to_number(left), to_number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arithmetic(op: str, left: Value, right: Value) -> float:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    # XPath's mod truncates towards zero, as C's fmod does.
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its source, its tree and the questions it reads."""

    source: str
    root: Node
    references: frozenset[str]
    uses_current: bool
    # A regex() whose pattern is not text in quotes: the pattern would come from an answer,
    # that is from the respondent. Loading a flow refuses it.
    pattern_from_answers: bool = False

    def evaluate(self, answers: Mapping[str, AnswerValue], current: AnswerValue = None) -> Value:
        """The value over `answers`; `current` is what `.` stands for (unanswered: "")."""
        return _Evaluation(answers, answer_value(current)).run(self.root)

    def holds(self, answers: Mapping[str, AnswerValue], current: AnswerValue = None) -> bool:
        """The value as a boolean, as `relevant` and `constraint` read it."""
        return to_boolean(self.evaluate(answers, current))


class _Evaluation:
    def __init__(self, answers: Mapping[str, AnswerValue], current: str) -> None:
        self.answers = answers
        self.current = current

    def run(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return answer_value(self.answers.get(node.name))
        if isinstance(node, Current):
            return self.current
        if isinstance(node, Negate):
            return -to_number(self.run(node.operand))
        if isinstance(node, Call):
            if node.name == "string-length" and not node.args:
                return float(len(self.current))
            return FUNCTIONS[node.name].run([self.run(a) for a in node.args])
        value = self.run(node.first)
        for op, operand in node.rest:
            # `and` and `or` look at their right side only when they need it, as XPath says.
            if op == "and":
                value = to_boolean(value) and to_boolean(self.run(operand))
            elif op == "or":
                value = to_boolean(value) or to_boolean(self.run(operand))
            elif op in ("=", "!=", "<", "<=", ">", ">="):
                value = _compare(op, value, self.run(operand))
            else:
                value = _arithmetic(op, value, self.run(operand))
        return value


def _walk(node: Node) -> list[Node]:
    found: list[Node] = [node]
    if isinstance(node, Negate):
        found += _walk(node.operand)
    elif isinstance(node, Chain):
        found += _walk(node.first)
        for _, operand in node.rest:
            found += _walk(operand)
    elif isinstance(node, Call):
        for arg in node.args:
            found += _walk(arg)
    return found


def parse_expression(source: str) -> Expression:
    """Parse `source`; raises `ExpressionError`, and nothing else, for any text it cannot read."""
    if not isinstance(source, str):
        raise ExpressionError("an expression is a piece of text", repr(source), 0)
    return _parse(source)


# Flows are checked once and then evaluated at every step, so each text is parsed only once.
@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> Expression:
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters", source[:40] + "...", 0)
    if not source.strip():
        raise ExpressionError("the expression is empty", source, len(source))
    root = Parser(source).whole()
    nodes = _walk(root)
    references = frozenset(n.name for n in nodes if isinstance(n, Ref))
    uses_current = any(
        isinstance(n, Current) or (isinstance(n, Call) and n.name == "string-length" and not n.args)
        for n in nodes
    )
    pattern_from_answers = any(
        isinstance(n, Call) and n.name == "regex" and not isinstance(n.args[1], Literal)
        for n in nodes
    )
    return Expression(source, root, references, uses_current, pattern_from_answers)


def rename_references(source: str, names: Mapping[str, str]) -> str:
    """`source` with each `${old}` written `${new}` for the pairs in `names`; others kept."""
    out: list[str] = []
    last = 0
    for token in tokenize(source):
        if token.kind == "ref" and token.text in names:
            out.append(source[last : token.start])
            out.append("${" + names[token.text] + "}")
            last = token.end
    out.append(source[last:])
    return "".join(out)
