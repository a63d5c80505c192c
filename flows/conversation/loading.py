"""Loading a flow file: parsing it into a `Flow` and checking it, with errors a person can fix.

Loading checks the shape (pydantic, see `flows.conversation.definitions`) and then the sense
(ids unique, conditions pointing backwards, sources well formed); every problem names the file
and the step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flows.conversation.conditions import AllOf, AnyOf, Condition, Expr, Not
from flows.conversation.definitions import (
    DateStep,
    Flow,
    MessageStep,
    MultipleStep,
    NumberStep,
    ScaleStep,
    SingleStep,
    Step,
    TextStep,
)
from flows.conversation.expressions import parse_expression
from flows.conversation.file_reading import FileFault, load_yaml, read_text
from flows.conversation.patterns import PatternError, compile_pattern

TEXT_FIELDS = frozenset(
    {
        "title",
        "description",
        "intro",
        "text",
        "help",
        "advice",
        "label",
        "min_label",
        "max_label",
        "pattern_message",
        "constraint_message",
    }
)
CITESS_SECTIONS = (
    "phase0",
    "phase1-actors",
    "phase1-resources",
    "phase1-activities",
    "phase2-actors",
    "phase2-resources",
    "phase2-activities",
    "phase3-financial",
    "phase3-institutional",
    "phase3-technical",
    "phase3-social",
    "context-social",
    "context-resources",
    "context-actors",
    "context-networks",
)
DESEO_TOOLS = ("gender", "stakeholders", "gopp", "gap", "swot", "theory-of-change", "sroi")
SOURCE_SHAPE = re.compile(r"^[a-z][a-z0-9-]*(:[A-Za-z0-9_-]+)+$")
SOURCE_RULES: dict[str, re.Pattern[str]] = {
    "citess": re.compile(rf"^citess:({'|'.join(CITESS_SECTIONS)}):[1-9][0-9]*$"),
    "deseo": re.compile(
        rf"^deseo:(standard:[a-q]|phase:(I|II|III|IV|V)|tool:({'|'.join(DESEO_TOOLS)}):[1-9][0-9]*)$"
    ),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a flow file, and where."""

    message: str
    phase: str | None = None
    step: str | None = None
    whole_file: bool = False

    def where(self) -> str:
        if self.step:
            return f"step {self.step!r}" + (f" (phase {self.phase!r})" if self.phase else "")
        if self.phase:
            return f"phase {self.phase!r}"
        return "flow"


class FlowFileError(ValueError):
    """A flow file that cannot be used; `problems` lists each fault with its place."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        lines = [
            f"{path}: {p.message}" if p.whole_file else f"{path}: {p.where()}: {p.message}"
            for p in problems
        ]
        super().__init__("\n".join(lines))


def _localise(node: Any, default: str) -> Any:
    # Plain strings in text fields stand for the default language.
    if isinstance(node, list):
        return [_localise(item, default) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if (
            key in TEXT_FIELDS
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            out[key] = {default: str(value)}
        elif key == "when":
            out[key] = value
        else:
            out[key] = _localise(value, default)
    return out


def _place(raw: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
    phase_id = step_id = None
    try:
        if len(loc) >= 2 and loc[0] == "phases":
            phase = raw["phases"][loc[1]]
            phase_id = phase.get("id") or f"#{int(loc[1]) + 1}"
            if len(loc) >= 4 and loc[2] == "steps":
                step = phase["steps"][loc[3]]
                step_id = step.get("id") or f"#{int(loc[3]) + 1}"
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return phase_id, step_id


def _shape_problems(raw: Any, error: ValidationError) -> list[Problem]:
    problems = []
    errors = error.errors()
    locs = [tuple(e["loc"]) for e in errors]
    for item in errors:
        loc = tuple(item["loc"])
        # A list whose items failed is also reported as too short; the items' faults suffice.
        if item["type"] == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue
        phase_id, step_id = _place(raw, loc)
        # Drop the position and the union tag from the field path; keep the field's own name.
        skip = 4 if step_id else 2 if phase_id else 0
        field = [str(p) for p in loc[skip:] if not isinstance(p, int)]
        if step_id and field and field[0] in _STEP_KINDS:
            field = field[1:]
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "union_tag_invalid":
            message = f"kind must be one of {', '.join(_STEP_KINDS)}"
        elif item["type"] == "union_tag_not_found":
            message = "every step needs a kind"
        elif item["type"] == "string_pattern_mismatch":
            message = f"{item['input']!r} may hold only lower-case letters, digits, - and _"
        elif item["type"] == "extra_forbidden":
            message = f"unknown field {field[-1]!r}" if field else "unknown field"
            field = field[:-1]
        text = f"{'.'.join(field)}: {message}" if field else message
        problems.append(Problem(text, phase_id, step_id))
    return problems


_STEP_KINDS = ("message", "single", "multiple", "rating", "scale", "number", "date", "text")


def check_flow(flow: Flow) -> list[Problem]:
    """The faults pydantic cannot see: duplicates, dangling conditions, sources, languages."""
    problems: list[Problem] = []
    seen_phases: set[str] = set()
    seen_steps: dict[str, Step] = {}
    default = flow.default_language

    def need_default(text: dict[str, str] | None, what: str, phase: str, step: str | None) -> None:
        if text is not None and default not in text:
            problems.append(Problem(f"{what} has no {default!r} text", phase, step))
        if text is not None:
            unknown = set(text) - set(flow.languages)
            if unknown:
                problems.append(
                    Problem(
                        f"{what} is in {sorted(unknown)}, not in the flow's languages", phase, step
                    )
                )

    need_default(flow.title, "title", "", None) if default not in flow.title else None
    for phase in flow.phases:
        if phase.id in seen_phases:
            problems.append(Problem("this phase id is used twice", phase.id))
        seen_phases.add(phase.id)
        need_default(phase.title, "title", phase.id, None)
        need_default(phase.intro, "intro", phase.id, None)
        for step in phase.steps:
            where = (phase.id, step.id)
            if step.id in seen_steps:
                problems.append(Problem("this step id is used twice in the flow", *where))
            for name in ("text", "help", "advice", "constraint_message"):
                need_default(getattr(step, name), name, *where)
            if step.when is not None:
                for ref in sorted(step.when.steps()):
                    if ref == step.id:
                        problems.append(Problem("when: a step cannot depend on itself", *where))
                    elif ref not in seen_steps:
                        problems.append(
                            Problem(f"when: {ref!r} is not an earlier step of this flow", *where)
                        )
                    elif isinstance(seen_steps[ref], MessageStep):
                        problems.append(
                            Problem(f"when: {ref!r} is a message, not a question", *where)
                        )
            if step.constraint is not None:
                problems.extend(_check_constraint(step, seen_steps, *where))
                if parse_expression(step.constraint).pattern_from_answers:
                    problems.append(Problem(f"constraint: {PATTERN_FROM_ANSWERS}", *where))
            if step.when is not None and any(
                parse_expression(source).pattern_from_answers for source in _sources(step.when)
            ):
                problems.append(Problem(f"when: {PATTERN_FROM_ANSWERS}", *where))
            problems.extend(_check_question(flow, step, *where))
            seen_steps[step.id] = step
    return problems


# A pattern taken from an answer lets the respondent choose what the regular expression is.
PATTERN_FROM_ANSWERS = "regex() takes its pattern as text in quotes, not from an answer"


def _sources(condition: Condition) -> list[str]:
    """The expressions (`expr:`) inside a condition."""
    if isinstance(condition, Expr):
        return [condition.source]
    if isinstance(condition, AllOf | AnyOf):
        return [source for part in condition.parts for source in _sources(part)]
    if isinstance(condition, Not):
        return _sources(condition.part)
    return []


def _check_constraint(
    step: Step, earlier: dict[str, Step], phase: str, step_id: str
) -> list[Problem]:
    """A constraint checks a question's own answer (`.` or its own id) against earlier ones."""
    if isinstance(step, MessageStep):
        return [Problem("constraint: a message has no answer to check", phase, step_id)]
    assert step.constraint is not None
    return [
        Problem(f"constraint: {ref!r} is not an earlier question of this flow", phase, step_id)
        for ref in sorted(parse_expression(step.constraint).references - {step.id})
        if ref not in earlier or isinstance(earlier[ref], MessageStep)
    ]


def _check_question(flow: Flow, step: Step, phase: str, step_id: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(message: str) -> None:
        problems.append(Problem(message, phase, step_id))

    if isinstance(step, MessageStep):
        return problems
    if step.source is None:
        if flow.kind == "assessment":
            add("source: every assessment question names its source, e.g. citess:phase0:1")
    elif not SOURCE_SHAPE.match(step.source):
        add(f"source: {step.source!r} is not of the form name:part[:part...]")
    else:
        rule = SOURCE_RULES.get(step.source.split(":", 1)[0])
        if rule is not None and not rule.match(step.source):
            add(f"source: {step.source!r} names no known section or standard")
    if isinstance(step, SingleStep | MultipleStep):
        ids = [c.id for c in step.choices]
        if len(set(ids)) != len(ids):
            add("choices: a choice id is used twice")
        for choice in step.choices:
            if flow.default_language not in choice.label:
                add(f"choices: {choice.id!r} has no {flow.default_language!r} label")
    if isinstance(step, MultipleStep):
        top = step.max_choices if step.max_choices is not None else len(step.choices)
        if step.min_choices > top or top > len(step.choices):
            add("min_choices and max_choices do not fit the number of choices")
    if isinstance(step, ScaleStep) and not step.min < step.max:
        add(f"min ({step.min}) must be below max ({step.max})")
    if isinstance(step, ScaleStep) and step.max - step.min > 100:
        add("a scale has at most 101 points")
    if (
        isinstance(step, NumberStep)
        and step.min is not None
        and step.max is not None
        and step.min > step.max
    ):
        add(f"min ({step.min}) is above max ({step.max})")
    if isinstance(step, DateStep) and step.min and step.max and step.min > step.max:
        add(f"min ({step.min}) is after max ({step.max})")
    if isinstance(step, TextStep) and step.pattern is not None:
        try:
            compile_pattern(step.pattern)
        except PatternError as exc:
            add(f"pattern: not a valid regular expression ({exc})")
    return problems


def parse_flow(raw: Any, path: str = "<flow>") -> Flow:
    """Check the loaded YAML of a flow; raises `FlowFileError` listing every problem found."""
    if not isinstance(raw, dict):
        raise FlowFileError(path, [Problem("the file must hold a mapping with id, phases, ...")])
    languages = raw.get("languages")
    default = languages[0] if isinstance(languages, list) and languages else "en"
    try:
        flow = Flow.model_validate(_localise(raw, str(default)))
    except ValidationError as exc:
        raise FlowFileError(path, _shape_problems(raw, exc)) from None
    problems = check_flow(flow)
    if problems:
        raise FlowFileError(path, problems)
    return flow


def load_flow_file(path: str | Path) -> Flow:
    """Read and check one flow file."""
    name = str(path)
    try:
        raw = load_yaml(read_text(path))
    except FileFault as exc:
        raise FlowFileError(name, [Problem(str(exc), whole_file=True)]) from None
    return parse_flow(raw, name)


def flow_from_json(data: dict[str, Any]) -> Flow:
    """A flow stored by `Flow.model_dump(mode="json")`, trusted as already checked."""
    return Flow.model_validate(data)
