"""The XLSForm expression language, the small part of XPath 1.0 that forms use in `relevant`
and `constraint`, read by a tokenizer and a recursive-descent parser and evaluated over answers.

Nothing here runs Python code from the expression: a parse gives a tree of a few node types,
and evaluation walks it. Supported: `${name}` (an answer), `.` (the answer being checked),
'text' and "text", numbers, `= != < <= > >=`, `and`, `or`, `+ - * div mod`, unary minus,
parentheses and the functions in `FUNCTIONS`. Values follow XForms: an unanswered question is
the empty string, a multiple choice answer is its ids separated by spaces, `<` and the like
compare numbers (an ISO date counts as its days since 1970, as in ODK Collect), and a text
that is no number is NaN, so every comparison with it is false.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.conversation.conditions import AnswerValue

Value = str | float | bool
"""What an expression gives: XPath's string, number and boolean."""

MAX_LENGTH = 10_000
MAX_DEPTH = 64
EPOCH = date(1970, 1, 1)


class ExpressionError(ValueError):
    """An expression that cannot be parsed; says what is wrong and where (1-based column)."""

    def __init__(self, message: str, source: str, position: int) -> None:
        self.reason = message
        self.source = source
        self.position = position
        where = "at the end" if position >= len(source) else f"at column {position + 1}"
        super().__init__(f"{message} {where} of {source!r}")


# --- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | float


@dataclass(frozen=True, slots=True)
class Ref:
    """`${name}`: the answer to the question `name`."""

    name: str


@dataclass(frozen=True, slots=True)
class Current:
    """`.`: the answer being checked by a constraint."""


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


@dataclass(frozen=True, slots=True)
class Chain:
    """`first op1 x1 op2 x2 ...` at one level of precedence, applied left to right.

    A flat chain, not nested pairs, so that `1+1+...+1` is no deeper to evaluate than `1+1`.
    """

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Ref | Current | Negate | Chain | Call


# --- turning values into one another, as XPath does ------------------------------------------

_NUMBER = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})\s*")


def answer_value(answer: AnswerValue) -> str:
    """The XForms string value of a stored answer."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        return " ".join(answer)
    if isinstance(answer, float):
        return to_string(answer)
    return str(answer)


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return str(int(value)) if value.is_integer() else repr(value)


def _date_of(text: str) -> date | None:
    found = _ISO_DATE.fullmatch(text)
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _NUMBER.fullmatch(value):
        return float(value)
    # ODK Collect reads a date as a number of days, so `. > '2000-01-01'` compares dates.
    day = _date_of(value)
    return float((day - EPOCH).days) if day is not None else math.nan


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


# --- functions -----------------------------------------------------------------------------


def _selected(values: list[Value]) -> Value:
    return to_string(values[1]).strip() in to_string(values[0]).split()


def _regex(values: list[Value]) -> Value:
    try:
        return re.search(to_string(values[1]), to_string(values[0])) is not None
    except re.error:
        return False


def _int(values: list[Value]) -> Value:
    number = to_number(values[0])
    return float(math.trunc(number)) if math.isfinite(number) else number


def _date(values: list[Value]) -> Value:
    value = values[0]
    if isinstance(value, str):
        day = _date_of(value)
        return day.isoformat() if day is not None else ""
    days = to_number(value)
    if not math.isfinite(days) or abs(days) > 2_000_000:
        return ""
    return (EPOCH + timedelta(days=math.floor(days))).isoformat()


@dataclass(frozen=True)
class Function:
    least: int
    most: int
    run: Callable[[list[Value]], Value]


FUNCTIONS: dict[str, Function] = {
    "not": Function(1, 1, lambda v: not to_boolean(v[0])),
    "true": Function(0, 0, lambda v: True),
    "false": Function(0, 0, lambda v: False),
    "selected": Function(2, 2, _selected),
    "count-selected": Function(1, 1, lambda v: float(len(to_string(v[0]).split()))),
    "string-length": Function(0, 1, lambda v: float(len(to_string(v[0])))),
    "regex": Function(2, 2, _regex),
    "number": Function(1, 1, lambda v: to_number(v[0])),
    "string": Function(1, 1, lambda v: to_string(v[0])),
    "int": Function(1, 1, _int),
    "date": Function(1, 1, _date),
}
"""The functions an expression may call, with how many arguments each takes."""


# --- tokens --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ref, dot, number, string, name, op, end
    text: str
    start: int
    end: int


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_REF_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_NUMBER_TOKEN = re.compile(r"\d+(\.\d*)?|\.\d+")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")


def tokenize(source: str) -> list[Token]:
    """The tokens of `source`, ending with an `end` token; raises `ExpressionError`."""
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
            continue
        if source.startswith("${", i):
            name = _REF_NAME.match(source, i + 2)
            close = name.end() if name else i + 2
            if name is None or not source.startswith("}", close):
                raise ExpressionError("`${` must be followed by a question name and `}`", source, i)
            tokens.append(Token("ref", name.group(), i, close + 1))
            i = close + 1
            continue
        number = _NUMBER_TOKEN.match(source, i)
        if number:
            tokens.append(Token("number", number.group(), i, number.end()))
            i = number.end()
            continue
        if char == ".":
            if source.startswith("..", i):
                raise ExpressionError("`..` (the parent) is not supported", source, i)
            tokens.append(Token("dot", ".", i, i + 1))
            i += 1
            continue
        if char in "'\"":
            close = source.find(char, i + 1)
            if close < 0:
                raise ExpressionError("this text has no closing quote", source, i)
            tokens.append(Token("string", source[i + 1 : close], i, close + 1))
            i = close + 1
            continue
        name = _NAME.match(source, i)
        if name:
            tokens.append(Token("name", name.group(), i, name.end()))
            i = name.end()
            continue
        operator = next((op for op in _OPERATORS if source.startswith(op, i)), None)
        if operator is None:
            raise ExpressionError(f"unexpected character {char!r}", source, i)
        tokens.append(Token("op", operator, i, i + len(operator)))
        i += len(operator)
    tokens.append(Token("end", "", len(source), len(source)))
    return tokens


# --- the parser ----------------------------------------------------------------------------

_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)
_WORD_OPERATORS = frozenset({"or", "and", "div", "mod"})


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.at = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, message: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(message, self.source, (token or self.peek()).start)

    def expect(self, text: str) -> Token:
        token = self.peek()
        if token.kind != "op" or token.text != text:
            found = "the end" if token.kind == "end" else repr(token.text)
            raise self.fail(f"expected {text!r}, found {found}")
        return self.take()

    def operator(self, level: tuple[str, ...]) -> str | None:
        # `and`, `or`, `div` and `mod` are names where a value may stand, operators after one;
        # here a value has just been read, so they are operators.
        token = self.peek()
        if token.kind == "op" and token.text in level:
            return token.text
        if token.kind == "name" and token.text in level and token.text in _WORD_OPERATORS:
            return token.text
        return None

    def whole(self) -> Node:
        node = self.level(0)
        token = self.peek()
        if token.kind != "end":
            raise self.fail(f"unexpected {token.text!r}: an operator or the end was expected")
        return node

    def level(self, index: int) -> Node:
        if index == len(_LEVELS):
            return self.unary()
        first = self.level(index + 1)
        rest: list[tuple[str, Node]] = []
        while (op := self.operator(_LEVELS[index])) is not None:
            self.take()
            rest.append((op, self.level(index + 1)))
        return Chain(first, tuple(rest)) if rest else first

    def unary(self) -> Node:
        signs = 0
        while self.peek().kind == "op" and self.peek().text == "-":
            self.take()
            signs += 1
        node = self.primary()
        return Negate(node) if signs % 2 else node

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "number":
            self.take()
            return Literal(float(token.text))
        if token.kind == "string":
            self.take()
            return Literal(token.text)
        if token.kind == "ref":
            self.take()
            return Ref(token.text)
        if token.kind == "dot":
            self.take()
            return Current()
        if token.kind == "op" and token.text == "(":
            self.take()
            with self.nested(token):
                node = self.level(0)
            self.expect(")")
            return node
        if token.kind == "name":
            return self.call()
        if token.kind == "end":
            raise self.fail("the expression ends where a value was expected")
        raise self.fail(f"{token.text!r} cannot start a value")

    def call(self) -> Node:
        token = self.take()
        name = token.text
        after = self.peek()
        if after.kind != "op" or after.text != "(":
            raise self.fail(
                f"{name!r} is neither a function call nor a reference: write ${{{name}}} for "
                f"a question's answer, or '{name}' for a piece of text",
                token,
            )
        function = FUNCTIONS.get(name)
        if function is None:
            known = ", ".join(f"{f}()" for f in FUNCTIONS)
            raise self.fail(f"unknown function {name}() (known: {known})", token)
        self.take()
        args: list[Node] = []
        with self.nested(token):
            if not (self.peek().kind == "op" and self.peek().text == ")"):
                args.append(self.level(0))
                while self.peek().kind == "op" and self.peek().text == ",":
                    self.take()
                    args.append(self.level(0))
        self.expect(")")
        if not function.least <= len(args) <= function.most:
            count = (
                str(function.least)
                if function.least == function.most
                else f"{function.least} to {function.most}"
            )
            raise self.fail(f"{name}() takes {count} argument(s), not {len(args)}", token)
        if name == "regex" and isinstance(args[1], Literal):
            try:
                re.compile(str(args[1].value))
            except re.error as exc:
                raise self.fail(f"regex(): not a valid regular expression ({exc})", token) from None
        return Call(name, tuple(args))

    def nested(self, token: Token) -> _Nesting:
        return _Nesting(self, token)


class _Nesting:
    """Bounds how deeply parentheses and calls nest, so no input exhausts Python's stack."""

    def __init__(self, parser: _Parser, token: Token) -> None:
        self.parser = parser
        self.token = token

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise self.parser.fail(f"nested more than {MAX_DEPTH} deep", self.token)

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


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
    root = _Parser(source).whole()
    nodes = _walk(root)
    references = frozenset(n.name for n in nodes if isinstance(n, Ref))
    uses_current = any(
        isinstance(n, Current) or (isinstance(n, Call) and n.name == "string-length" and not n.args)
        for n in nodes
    )
    return Expression(source, root, references, uses_current)


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
