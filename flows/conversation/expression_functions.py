"""The values of the expression language and the functions over them, as XPath 1.0 has them.

An unanswered question is the empty string, a multiple choice answer is its ids separated by
spaces, and a text that is no number is NaN (an ISO date counts as its days since 1970, as in
ODK Collect).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flows.conversation.patterns import PatternError, search

AnswerValue = str | int | float | list[str] | None
"""What an answer holds: a choice or rating id, a number, ISO date or text, ids of several
choices, or None for a skipped question."""

Value = str | float | bool
"""What an expression gives: XPath's string, number and boolean."""

EPOCH = date(1970, 1, 1)


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
    # RE2, linear in the text; a pattern it cannot run (or no RE2 at all) matches nothing.
    try:
        return search(to_string(values[1]), to_string(values[0]))
    except PatternError:
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
