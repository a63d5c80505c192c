"""Broken flow files are refused, naming the file, the step and what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.conversation.conditions import AllOf, AnyOf, Compare, Not
from flows.conversation.loading import FlowFileError, flow_from_json, load_flow_file, parse_flow
from tests.flows.sample import every_kind, every_kind_raw

Raw = dict[str, Any]


def _step(raw: Raw, step_id: str) -> Raw:
    for phase in raw["phases"]:
        for step in phase["steps"]:
            if step["id"] == step_id:
                return step  # type: ignore[no-any-return]
    raise KeyError(step_id)


def refused(change: Callable[[Raw], object]) -> FlowFileError:
    raw = every_kind_raw()
    change(raw)
    with pytest.raises(FlowFileError) as caught:
        parse_flow(raw, "broken.yaml")
    return caught.value


def _as_assessment(raw: Raw, source: str | None) -> None:
    """Make the sample an assessment whose questions name a good source, except `ready`."""
    raw["kind"] = "assessment"
    for phase in raw["phases"]:
        for step in phase["steps"]:
            if step["kind"] != "message":
                step["source"] = "citess:phase0:1"
    _step(raw, "ready")["source"] = source
    if source is None:
        del _step(raw, "ready")["source"]


CASES: list[tuple[str, Callable[[Raw], object], str, str]] = [
    (
        "unknown kind",
        lambda r: _step(r, "role").update(kind="slider"),
        "step 'role' (phase 'about')",
        "kind must be one of message, single, multiple, rating, scale, number, date, text",
    ),
    (
        "no kind",
        lambda r: _step(r, "role").pop("kind"),
        "step 'role' (phase 'about')",
        "every step needs a kind",
    ),
    (
        "duplicate step id in another phase",
        lambda r: _step(r, "staff").update(id="role"),
        "step 'role' (phase 'numbers')",
        "this step id is used twice in the flow",
    ),
    (
        "when on a later step",
        lambda r: _step(r, "role").update(when={"step": "staff", "gt": 1}),
        "step 'role' (phase 'about')",
        "when: 'staff' is not an earlier step of this flow",
    ),
    (
        "when on an unknown step",
        lambda r: _step(r, "eager").update(when={"not": {"step": "ghost", "answered": True}}),
        "step 'eager' (phase 'more')",
        "when: 'ghost' is not an earlier step of this flow",
    ),
    (
        "when on itself",
        lambda r: _step(r, "needs").update(when={"step": "needs", "includes": "space"}),
        "step 'needs' (phase 'about')",
        "when: a step cannot depend on itself",
    ),
    (
        "when on a message",
        lambda r: _step(r, "needs").update(when={"step": "welcome", "answered": True}),
        "step 'needs' (phase 'about')",
        "when: 'welcome' is a message, not a question",
    ),
    (
        "when with an unknown test",
        lambda r: _step(r, "needs").update(when={"step": "role", "bigger": 3}),
        "step 'needs' (phase 'about')",
        "takes exactly one test of: equals, in, includes, gt, ge, lt, le, answered",
    ),
    (
        "when comparing with a word",
        lambda r: _step(r, "needs").update(when={"step": "role", "gt": "three"}),
        "step 'needs' (phase 'about')",
        "`gt` on 'role' takes a number",
    ),
    (
        "source of an unknown CitESS section",
        lambda r: _as_assessment(r, "citess:phase9:1"),
        "step 'ready' (phase 'about')",
        "source: 'citess:phase9:1' names no known section or standard",
    ),
    (
        "source of an unknown DESEO standard",
        lambda r: _as_assessment(r, "deseo:standard:z"),
        "step 'ready' (phase 'about')",
        "source: 'deseo:standard:z' names no known section or standard",
    ),
    (
        "source of the wrong shape",
        lambda r: _step(r, "ready").update(source="page 12"),
        "step 'ready' (phase 'about')",
        "source: 'page 12' is not of the form name:part[:part...]",
    ),
    (
        "assessment question without a source",
        lambda r: _as_assessment(r, None),
        "step 'ready' (phase 'about')",
        "source: every assessment question names its source",
    ),
    (
        "duplicate choice ids",
        lambda r: _step(r, "role")["choices"].append({"id": "city", "label": "A town"}),
        "step 'role' (phase 'about')",
        "choices: a choice id is used twice",
    ),
    (
        "unknown field in a step",
        lambda r: _step(r, "role").update(colour="red"),
        "step 'role' (phase 'about')",
        "unknown field 'colour'",
    ),
    (
        "unknown field in a phase",
        lambda r: r["phases"][1].update(colour="red"),
        "phase 'numbers'",
        "unknown field 'colour'",
    ),
    (
        "unknown field in the flow",
        lambda r: r.update(colour="red"),
        "flow",
        "unknown field 'colour'",
    ),
    (
        "number min above max",
        lambda r: _step(r, "staff").update(min=10, max=1),
        "step 'staff' (phase 'numbers')",
        "min (10.0) is above max (1.0)",
    ),
    (
        "scale min above max",
        lambda r: _step(r, "confidence").update(min=5, max=1),
        "step 'confidence' (phase 'about')",
        "min (5) must be below max (1)",
    ),
    (
        "date min after max",
        lambda r: _step(r, "start-date").update(min="2030-01-01", max="2020-01-01"),
        "step 'start-date' (phase 'numbers')",
        "min (2030-01-01) is after max (2020-01-01)",
    ),
    (
        "date bound not ISO",
        lambda r: _step(r, "start-date").update(min="01/01/2020"),
        "step 'start-date' (phase 'numbers')",
        "min:",
    ),
    (
        "more choices wanted than offered",
        lambda r: _step(r, "needs").update(min_choices=5, max_choices=None),
        "step 'needs' (phase 'about')",
        "min_choices and max_choices do not fit the number of choices",
    ),
    (
        "bad regular expression",
        lambda r: _step(r, "postcode").update(pattern="[0-9"),
        "step 'postcode' (phase 'more')",
        "pattern: not a valid regular expression",
    ),
    (
        "text without the default language",
        lambda r: _step(r, "role").update(text={"it": "Chi sei?"}),
        "step 'role' (phase 'about')",
        "text has no 'en' text",
    ),
    (
        "text in a language the flow does not have",
        lambda r: _step(r, "role").update(text={"en": "Who?", "de": "Wer?"}),
        "step 'role' (phase 'about')",
        "text is in ['de'], not in the flow's languages",
    ),
    (
        "step id with capitals",
        lambda r: _step(r, "role").update(id="Role"),
        "step 'Role' (phase 'about')",
        "'Role' may hold only lower-case letters, digits, - and _",
    ),
]


@pytest.mark.parametrize(
    ("change", "where", "what"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_broken_flow_names_the_file_the_step_and_the_fault(
    change: Callable[[Raw], object], where: str, what: str
) -> None:
    error = refused(change)
    assert error.path == "broken.yaml"
    assert any(
        what in line and f"broken.yaml: {where}: " in line for line in str(error).split("\n")
    ), str(error)
    assert error.problems


def test_every_problem_is_listed_not_only_the_first() -> None:
    def two_faults(raw: Raw) -> None:
        _step(raw, "staff").update(min=10, max=1)
        _step(raw, "postcode").update(pattern="(")

    error = refused(two_faults)
    assert [(p.phase, p.step) for p in error.problems] == [
        ("numbers", "staff"),
        ("more", "postcode"),
    ]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_a_fault_names_its_path(tmp_path: Path) -> None:
    raw = every_kind_raw()
    _step(raw, "role")["kind"] = "slider"
    path = _write(tmp_path, yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(FlowFileError) as caught:
        load_flow_file(path)
    assert str(caught.value).startswith(f"{path}: step 'role' (phase 'about'): kind must be")


def test_invalid_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id: broken\nversion: 1\nkind: survey\nphases:\n  - id: a\n    steps: [\n  - oops\n",
    )
    with pytest.raises(FlowFileError) as caught:
        load_flow_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid YAML at line 7")
    assert ": flow:" not in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FlowFileError, match="cannot read the file"):
        load_flow_file(tmp_path / "nowhere.yaml")


@pytest.mark.parametrize("content", ["", "- a list\n", "just words\n"])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path, content: str) -> None:
    with pytest.raises(FlowFileError, match="the file must hold a mapping"):
        load_flow_file(_write(tmp_path, content))


def test_unquoted_yes_and_no_in_conditions_mean_the_rating_ids(tmp_path: Path) -> None:
    raw = every_kind_raw()
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    # Write the condition as a coordinator would, without quotes.
    text = text.replace("equals: 'yes'", "equals: yes")
    assert "equals: yes" in text
    flow = load_flow_file(_write(tmp_path, text))
    condition = next(s for _, s in flow.steps() if s.id == "eager").when
    assert isinstance(condition, AllOf)
    ready = condition.parts[0]
    assert isinstance(ready, Compare) and ready.op == "equals"
    assert ready.holds({"ready": "yes"})
    assert not ready.holds({"ready": "no"})


def test_plain_strings_are_the_default_language_and_conditions_are_typed() -> None:
    flow = every_kind()
    role = next(s for _, s in flow.steps() if s.id == "role")
    assert role.text == {"en": "Who are you?", "it": "Chi sei?"}
    assert role.help == {"en": "Pick the one that fits best."}
    eager = next(s for _, s in flow.steps() if s.id == "eager")
    assert isinstance(eager.when, AllOf)
    assert isinstance(eager.when.parts[1], AnyOf)
    assert isinstance(eager.when.parts[1].parts[1], Not)


def test_a_stored_flow_comes_back_the_same() -> None:
    flow = every_kind()
    again = flow_from_json(flow.model_dump(mode="json"))
    assert again == flow
    assert again.checksum() == flow.checksum()
