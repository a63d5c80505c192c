"""Reading a person's input as an answer to one question, or saying why it is not one."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flows.conversation.definitions import (
    MAX_ANSWER_LENGTH,
    RATING_VALUES,
    DateStep,
    MultipleStep,
    NumberStep,
    Question,
    RatingStep,
    ScaleStep,
    SingleStep,
    TextStep,
)
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.expressions import parse_expression
from flows.conversation.messages import InputHint, Option, Pick, Reply
from flows.conversation.patterns import PatternError, fullmatch
from flows.conversation.phrases import RATING_WORDS, say, words

NOTE_SEPARATORS = re.compile(r"\s*(?::|;|,|\s-\s|\s–\s|\s—\s)\s*")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y")
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Accepted:
    value: AnswerValue
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


def normalise(text: str) -> str:
    """Lower case, single spaces, no trailing full stop: how typed words are compared."""
    return " ".join(text.strip().lower().replace("’", "'").split()).rstrip(".!")


def local(text: dict[str, str] | None, language: str, default: str) -> str:
    """A localised text in `language`, else in the flow's default language."""
    if not text:
        return ""
    return text.get(language) or text.get(default) or next(iter(text.values()))


def options(step: Question, language: str, default: str) -> tuple[Option, ...]:
    """The choices to offer for a question, in order; empty for typed answers."""
    if isinstance(step, SingleStep | MultipleStep):
        return tuple(Option(c.id, local(c.label, language, default)) for c in step.choices)
    if isinstance(step, RatingStep):
        return tuple(Option(v, say(language, f"rating.{v}")) for v in RATING_VALUES)
    if isinstance(step, ScaleStep) and step.max - step.min <= 10:
        return tuple(Option(str(n), str(n)) for n in range(step.min, step.max + 1))
    return ()


def input_hint(step: Question, language: str) -> tuple[InputHint, str]:
    """What kind of input the question wants, and a sentence telling the person."""
    if isinstance(step, SingleStep):
        return "choice", say(language, "hint.single")
    if isinstance(step, MultipleStep):
        high = step.max_choices or len(step.choices)
        if step.min_choices <= 1 and high == len(step.choices):
            return "choices", say(language, "hint.multiple")
        low = max(step.min_choices, 1)
        return "choices", say(language, "hint.multiple.range", low=low, high=high)
    if isinstance(step, RatingStep):
        return "rating", say(language, "hint.rating")
    if isinstance(step, ScaleStep):
        return "number", say(language, "hint.scale", low=step.min, high=step.max)
    if isinstance(step, NumberStep):
        if step.min is not None and step.max is not None:
            return "number", say(
                language, "hint.number.range", low=_show(step.min), high=_show(step.max)
            )
        return "number", say(language, "hint.number")
    if isinstance(step, DateStep):
        return "date", say(language, "hint.date")
    return "text", say(language, "hint.text")


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def describe(step: Question, value: AnswerValue, language: str, default: str) -> str:
    """An answer as the person would read it back."""
    if value is None:
        return say(language, "report.skipped")
    if isinstance(step, SingleStep | MultipleStep | RatingStep):
        labels = {o.id: o.label for o in options(step, language, default)}
        ids = value if isinstance(value, list) else [str(value)]
        return ", ".join(labels.get(i, i) for i in ids)
    if isinstance(value, float):
        return _show(value)
    return str(value)


def interpret(
    step: Question,
    event: Reply | Pick,
    language: str,
    default: str,
    answers: Mapping[str, AnswerValue] | None = None,
) -> Accepted | Rejected:
    """Read `event` as an answer to `step`; `answers`, the earlier ones, feed its constraint."""
    result = _read(step, event, language, default)
    # The constraint judges an answer already well formed: `.`, like the step's own `${id}`,
    # is the value just given, as in XLSForm.
    if isinstance(result, Accepted) and step.constraint is not None:
        values = {**(answers or {}), step.id: result.value}
        if not parse_expression(step.constraint).holds(values, current=result.value):
            message = local(step.constraint_message, language, default)
            return Rejected(message or say(language, "bad.pattern"))
    return result


def _read(step: Question, event: Reply | Pick, language: str, default: str) -> Accepted | Rejected:
    if isinstance(step, RatingStep):
        return _rating(event, language)
    if isinstance(step, SingleStep | MultipleStep):
        return _choices(step, event, language, default)
    text = event.text if isinstance(event, Reply) else " ".join(event.choice_ids)
    if len(text) > MAX_ANSWER_LENGTH:
        # Typed text is kept and checked (constraints, patterns) only up to this length.
        return Rejected(say(language, "bad.long", limit=MAX_ANSWER_LENGTH))
    if not text.strip():
        return Rejected(say(language, "bad.empty"))
    if isinstance(step, ScaleStep):
        return _number(text, step.min, step.max, True, language)
    if isinstance(step, NumberStep):
        return _number(text, step.min, step.max, step.integer, language)
    if isinstance(step, DateStep):
        return _date(text, step, language)
    assert isinstance(step, TextStep)
    return _text(text, step, language, default)


def _rating(event: Reply | Pick, language: str) -> Accepted | Rejected:
    if isinstance(event, Pick):
        if len(event.choice_ids) == 1 and event.choice_ids[0] in RATING_VALUES:
            return Accepted(event.choice_ids[0])
        return Rejected(say(language, "bad.rating"))
    vocabulary = words(RATING_WORDS, language)

    def match(text: str) -> str | None:
        said = normalise(text)
        if said in RATING_VALUES:
            return said
        number = _numbered(said, len(RATING_VALUES))
        if number is not None:
            return RATING_VALUES[number - 1]
        for value, spellings in vocabulary.items():
            if said in spellings:
                return value
        return None

    whole = match(event.text)
    if whole is not None:
        return Accepted(whole)
    parts = NOTE_SEPARATORS.split(event.text.strip(), maxsplit=1)
    if len(parts) == 2:
        value = match(parts[0])
        if value is not None:
            note = parts[1].strip()[:MAX_NOTE]
            return Accepted(value, note or None)
    return Rejected(say(language, "bad.rating"))


def _numbered(said: str, count: int) -> int | None:
    """The position from 1 to `count` that `said` gives as a number, if it gives one."""
    # isdecimal, not isdigit: int() refuses digits such as "²"; the length bound keeps int()
    # clear of Python's limit on the digits it converts.
    if said.isdecimal() and len(said) <= 6 and 1 <= int(said) <= count:
        return int(said)
    return None


def _find_choice(
    token: str, step: SingleStep | MultipleStep, language: str, default: str
) -> str | None:
    said = normalise(token)
    number = _numbered(said, len(step.choices))
    if number is not None:
        return step.choices[number - 1].id
    for choice in step.choices:
        if said == choice.id or said == normalise(local(choice.label, language, default)):
            return choice.id
    for choice in step.choices:
        if any(said == normalise(label) for label in choice.label.values()):
            return choice.id
    # A unique beginning of a label is enough, as people shorten long labels.
    if len(said) >= 3:
        starts = [
            c.id
            for c in step.choices
            if normalise(local(c.label, language, default)).startswith(said)
        ]
        if len(starts) == 1:
            return starts[0]
    return None


def _choices(
    step: SingleStep | MultipleStep, event: Reply | Pick, language: str, default: str
) -> Accepted | Rejected:
    if isinstance(event, Pick):
        known = {c.id for c in step.choices}
        tokens = [i for i in event.choice_ids if i in known]
        if len(tokens) != len(event.choice_ids):
            unknown = next(i for i in event.choice_ids if i not in known)
            return Rejected(say(language, "bad.choice", given=unknown))
        chosen = list(dict.fromkeys(tokens))
    else:
        text = event.text.strip()
        if not text:
            return Rejected(say(language, "bad.empty"))
        whole = _find_choice(text, step, language, default)
        if whole is not None:
            chosen = [whole]
        elif isinstance(step, SingleStep):
            return Rejected(say(language, "bad.choice", given=text[:60]))
        else:
            pieces = [p for p in re.split(r"\s*[,;]\s*|\s+and\s+|\s+", text) if p]
            if not all(p.isdigit() for p in pieces):
                pieces = [p for p in re.split(r"\s*[,;]\s*|\s+and\s+", text) if p]
            chosen = []
            for piece in pieces:
                found = _find_choice(piece, step, language, default)
                if found is None:
                    return Rejected(say(language, "bad.choice", given=piece[:60]))
                chosen.append(found)
            chosen = list(dict.fromkeys(chosen))
    if isinstance(step, SingleStep):
        if len(chosen) != 1:
            return Rejected(say(language, "hint.single"))
        return Accepted(chosen[0])
    low = step.min_choices
    high = step.max_choices or len(step.choices)
    if not max(low, 1) <= len(chosen) <= high:
        return Rejected(say(language, "bad.multiple.count", low=max(low, 1), high=high))
    order = {c.id: n for n, c in enumerate(step.choices)}
    return Accepted(sorted(chosen, key=order.__getitem__))


def parse_number(text: str) -> float | None:
    """A number as people type it: 12, 3.5, 3,5 (decimal comma), 1 000."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    number = float(cleaned)
    # Hundreds of digits overflow to infinity, which is no answer and does not survive JSON.
    return number if math.isfinite(number) else None


def _number(
    text: str, low: float | None, high: float | None, integer: bool, language: str
) -> Accepted | Rejected:
    number = parse_number(text)
    if number is None:
        return Rejected(say(language, "bad.integer" if integer else "bad.number"))
    if integer and not number.is_integer():
        return Rejected(say(language, "bad.integer"))
    if low is not None and number < low:
        return Rejected(say(language, "bad.low", low=_show(low)))
    if high is not None and number > high:
        return Rejected(say(language, "bad.high", high=_show(high)))
    return Accepted(int(number) if integer else number)


def parse_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _date(text: str, step: DateStep, language: str) -> Accepted | Rejected:
    day = parse_date(text)
    if day is None:
        return Rejected(say(language, "bad.date"))
    iso = day.isoformat()
    if step.min and iso < step.min:
        return Rejected(say(language, "bad.date.low", low=step.min))
    if step.max and iso > step.max:
        return Rejected(say(language, "bad.date.high", high=step.max))
    return Accepted(iso)


def _text(text: str, step: TextStep, language: str, default: str) -> Accepted | Rejected:
    answer = text.strip()
    if len(answer) > step.max_length:
        return Rejected(say(language, "bad.long", limit=step.max_length))
    if step.pattern and not _matches(step.pattern, answer):
        message = local(step.pattern_message, language, default)
        return Rejected(message or say(language, "bad.pattern"))
    return Accepted(answer)


def _matches(pattern: str, answer: str) -> bool:
    # RE2, linear in the answer; a pattern it cannot run (a stored flow from before) matches
    # nothing, so the question is asked again rather than answered unchecked.
    try:
        return fullmatch(pattern, answer)
    except PatternError:
        return False
