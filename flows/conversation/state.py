"""The state of one conversation: where it stands in its flow and what has been answered.

It is plain data (JSON round-trips exactly), so the store can keep it between events and a
restart of any process loses nothing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from flows.conversation.expression_functions import AnswerValue

Status = Literal["open", "paused", "completed"]
Awaiting = Literal["answer", "note", "continue", "confirm_restart"]


class Answer(BaseModel):
    """One answer: its value (None when skipped) and the person's optional note."""

    model_config = ConfigDict(frozen=True)

    value: AnswerValue
    note: str | None = None


class State(BaseModel):
    """Where a conversation stands. `step_id` is the step asked now, or the next one to ask."""

    model_config = ConfigDict(frozen=True)

    flow_id: str
    flow_version: int
    language: str
    status: Status = "open"
    awaiting: Awaiting = "answer"
    step_id: str | None = None
    answers: dict[str, Answer] = Field(default_factory=dict)
    # Questions answered or skipped, in the order they were met; `back` walks it backwards.
    history: tuple[str, ...] = ()
    invalid: int = 0
    selection: tuple[str, ...] = ()
    # What the conversation was waiting for before a restart was asked for, to return to it.
    before_confirm: Awaiting | None = None

    def answer_values(self) -> dict[str, AnswerValue]:
        return {step: answer.value for step, answer in self.answers.items()}
