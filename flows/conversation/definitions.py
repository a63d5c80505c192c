"""Flow definitions: the typed form of a flow file.

A flow has phases, a phase has steps, a step is a message or a question. These models check
the shape of a flow (pydantic); `flows.conversation.loading` reads a flow file into them and
checks its sense, with errors a person can fix.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    SkipValidation,
    field_validator,
)

from flows.conversation.conditions import (
    Condition,
    ConditionError,
    condition_to_raw,
    parse_condition,
)
from flows.conversation.expressions import parse_expression

T = TypeVar("T")
# The longest answer any question takes (the longest a chat form field takes): the checks of
# an answer, `regex()` included, never see more.
MAX_ANSWER_LENGTH = 4000
FlowKind = Literal["assessment", "survey", "orientation"]
RATING_VALUES = ("yes", "partly", "no", "dont_know")

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
FlowId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
LocalText = Annotated[dict[str, str], Field(min_length=1)]
"""Text by language code; the flow's default language is always present."""


def _parse_when(raw: Any) -> Condition | None:
    if raw is None or isinstance(raw, Condition):
        return raw
    try:
        return parse_condition(raw)
    except ConditionError as exc:
        raise ValueError(str(exc)) from None


When = Annotated[
    SkipValidation[Condition | None],
    BeforeValidator(_parse_when),
    PlainSerializer(lambda c: None if c is None else condition_to_raw(c)),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Model):
    id: Id
    label: LocalText


class _Step(_Model):
    id: Id
    text: LocalText
    help: LocalText | None = None
    when: When = None
    source: str | None = None
    advice: LocalText | None = None
    required: bool = True
    # An XLSForm-style check of the answer, `.` standing for it (see `expressions`): an answer
    # for which it is false is refused with `constraint_message`. Questions only.
    constraint: str | None = None
    constraint_message: LocalText | None = None

    @property
    def is_question(self) -> bool:
        return True

    @field_validator("constraint")
    @classmethod
    def _constraint_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_expression(value)  # an ExpressionError is a ValueError: a fault of this step
        return value


class MessageStep(_Step):
    """Text shown to the person; the flow moves on without an answer."""

    kind: Literal["message"]

    @property
    def is_question(self) -> bool:
        return False


class SingleStep(_Step):
    kind: Literal["single"]
    choices: tuple[Choice, ...] = Field(min_length=2)


class MultipleStep(_Step):
    kind: Literal["multiple"]
    choices: tuple[Choice, ...] = Field(min_length=2)
    min_choices: int = Field(default=1, ge=0)
    max_choices: int | None = Field(default=None, ge=1)


class RatingStep(_Step):
    """Yes / partly / no / don't know, with an optional note after it."""

    kind: Literal["rating"]
    note: bool = False


class ScaleStep(_Step):
    kind: Literal["scale"]
    min: int = 1
    max: int = 5
    min_label: LocalText | None = None
    max_label: LocalText | None = None


class NumberStep(_Step):
    kind: Literal["number"]
    min: float | None = None
    max: float | None = None
    integer: bool = False


class DateStep(_Step):
    kind: Literal["date"]
    min: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    max: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class TextStep(_Step):
    kind: Literal["text"]
    max_length: int = Field(default=2000, ge=1, le=MAX_ANSWER_LENGTH)
    pattern: str | None = None
    pattern_message: LocalText | None = None


Step = Annotated[
    MessageStep
    | SingleStep
    | MultipleStep
    | RatingStep
    | ScaleStep
    | NumberStep
    | DateStep
    | TextStep,
    Field(discriminator="kind"),
]
Question = SingleStep | MultipleStep | RatingStep | ScaleStep | NumberStep | DateStep | TextStep


class Phase(_Model):
    id: Id
    title: LocalText
    intro: LocalText | None = None
    steps: tuple[Step, ...] = Field(min_length=1)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(s for s in self.steps if not isinstance(s, MessageStep))


class Flow(_Model):
    """A whole flow, as loaded and checked; immutable, and cheap to share between conversations."""

    id: FlowId
    version: int = Field(ge=1)
    kind: FlowKind
    title: LocalText
    description: LocalText | None = None
    languages: tuple[str, ...] = Field(min_length=1)
    phases: tuple[Phase, ...] = Field(min_length=1)
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)

    def memo(self, key: str, make: Callable[[Flow], T]) -> T:
        """`make(self)`, computed once per loaded flow (flows are immutable, so it stays true)."""
        if key not in self._memo:
            self._memo[key] = make(self)
        return self._memo[key]  # type: ignore[no-any-return]

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f"{code!r} is not a two-letter language code")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def steps(self) -> Iterator[tuple[int, Step]]:
        """Every step in order, with the index of its phase."""
        for index, phase in enumerate(self.phases):
            for step in phase.steps:
                yield index, step

    def checksum(self) -> str:
        """A digest of the definition: two loads of the same content give the same digest."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()
