"""A survey response as results read it back: one respondent's answers by step id, decoded, or
as the store keeps them (JSON text, decoded only when something reads them)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flows.conversation import AnswerValue, Status


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
