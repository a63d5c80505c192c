"""Reading an expression: the tokenizer and the recursive-descent parser that gives its tree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.conversation.expression_functions import FUNCTIONS
from flows.conversation.expression_tree import Call, Chain, Current, Literal, Negate, Node, Ref
from flows.conversation.patterns import PatternError, compile_pattern

MAX_DEPTH = 64


class ExpressionError(ValueError):
    """An expression that cannot be parsed; says what is wrong and where (1-based column)."""

    def __init__(self, message: str, source: str, position: int) -> None:
        self.reason = message
        self.source = source
        self.position = position
        where = "at the end" if position >= len(source) else f"at column {position + 1}"
        super().__init__(f"{message} {where} of {source!r}")


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


class Parser:
    """Reads one expression; `whole()` gives its tree or raises `ExpressionError`."""

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
                compile_pattern(str(args[1].value))
            except PatternError as exc:
                raise self.fail(f"regex(): not a valid regular expression ({exc})", token) from None
        return Call(name, tuple(args))

    def nested(self, token: Token) -> _Nesting:
        return _Nesting(self, token)


class _Nesting:
    """Bounds how deeply parentheses and calls nest, so no input exhausts Python's stack."""

    def __init__(self, parser: Parser, token: Token) -> None:
        self.parser = parser
        self.token = token

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise self.parser.fail(f"nested more than {MAX_DEPTH} deep", self.token)

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1
