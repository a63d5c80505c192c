"""Exports of survey results: one row per response, one cell per question, as XLSForm tools
lay out their data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flows.conversation import AnswerValue, DateStep, Flow, Question
from flows.surveys.plans import MEMO_LIMIT, make_plan, questions_of
from flows.surveys.responses import Encoded, EncodedResponse, Response, decode_answer

Cell = str | int | float | date | datetime | None
"""One cell of an export row: text, a number, a date or time, or nothing."""

EXPORT_COLUMNS = ("_id", "_status", "_version", "_started", "_updated")
"""The columns before the questions' own; question ids never start with `_`, so none clash."""


class _Decoded(dict[Any, AnswerValue]):
    """Stored answers decoded so far (most are one of a few choice ids or numbers), decoding
    and keeping each new one up to a limit."""

    def __missing__(self, stored: Encoded) -> AnswerValue:
        value = decode_answer(stored)
        if len(self) < MEMO_LIMIT * 16:
            self[stored] = value
        return value


class ExportLayout:
    """The table an export writes: one row per response, one column per question of `flow` in
    its order after the `EXPORT_COLUMNS`, as XLSForm tools lay out their data (the choices of a
    multiple-choice question in one cell, separated by spaces). A question not shown to a
    response, skipped or not reached is an empty cell."""

    def __init__(self, flow: Flow, versions: Mapping[int, Flow] | None = None) -> None:
        self.flow = flow
        self._questions = questions_of(flow)
        ids = tuple(q.id for q in self._questions)
        self._plan = make_plan(ids, flow)
        self._plans = {n: make_plan(ids, v) for n, v in (versions or {}).items()}
        self._dates = frozenset(q.id for q in self._questions if isinstance(q, DateStep))
        self._decoded = _Decoded()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*EXPORT_COLUMNS, *(q.id for q in self._questions))

    def row(self, response: Response | EncodedResponse) -> list[Cell]:
        version = response.flow_version
        plan = self._plan if version is None else self._plans.get(version, self._plan)
        answers: Mapping[str, AnswerValue]
        if isinstance(response, EncodedResponse):
            steps, values = response.steps, response.values
            failed = plan.failed_stored(steps, values)
            answers = dict(zip(steps, map(self._decoded.__getitem__, values), strict=True))
        else:
            answers = response.answers
            failed = plan.failed(answers)
        hidden = plan.never.union(plan.ids[i] for c in failed for i in c.positions)
        status = response.status or ("completed" if response.completed else "open")
        cells: list[Cell] = [
            response.id,
            status,
            version,
            response.started_at,
            response.updated_at,
        ]
        dates = self._dates
        for question in self._questions:
            step_id = question.id
            value = answers.get(step_id)
            if value is None or step_id in hidden:
                cells.append(None)
            elif isinstance(value, str) and step_id not in dates:
                cells.append(value)
            else:
                cells.append(export_cell(question, value))
        return cells


def export_cell(question: Question, value: AnswerValue) -> Cell:
    """One answer as an export cell: ids as text, several ids joined by spaces, numbers as
    numbers, dates as dates; None for no answer."""
    if value is None:
        return None
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(question, DateStep) and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, bool):
        return json.dumps(value)
    return value
