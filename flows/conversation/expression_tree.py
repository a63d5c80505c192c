"""The tree a parsed expression is (see `flows.conversation.expressions`): a few node types."""

from __future__ import annotations

from dataclasses import dataclass


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
