"""The bundled flows: they load, they cover their sources, and they say how to answer them."""

from __future__ import annotations

import re
import string
from collections import Counter
from pathlib import Path

import pytest

from flows.conversation.answers import Accepted, interpret
from flows.conversation.definitions import Flow, MessageStep, MultipleStep, RatingStep, SingleStep
from flows.conversation.loading import load_flow_file
from flows.conversation.messages import Reply

CONTENT = Path(__file__).resolve().parents[3] / "flows" / "content"
FILES = sorted(CONTENT.glob("*.yaml"))

CITESS_SECTIONS = {
    "phase0": 5,
    "phase1-actors": 6,
    "phase1-resources": 4,
    "phase1-activities": 8,
    "phase2-actors": 3,
    "phase2-resources": 4,
    "phase2-activities": 6,
    "phase3-financial": 1,
    "phase3-institutional": 2,
    "phase3-technical": 2,
    "phase3-social": 1,
    "context-social": 1,
    "context-resources": 6,
    "context-actors": 8,
    "context-networks": 1,
}
CITESS_SOURCES = {
    f"citess:{section}:{n}"
    for section, count in CITESS_SECTIONS.items()
    for n in range(1, count + 1)
}


def _load(name: str) -> Flow:
    return load_flow_file(CONTENT / f"{name}.yaml")


def _sources(flow: Flow) -> Counter[str]:
    return Counter(step.source for _, step in flow.steps() if step.source)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_flow_file_loads(path: Path) -> None:
    flow = load_flow_file(path)
    assert flow.id == path.stem
    assert flow.checksum() == load_flow_file(path).checksum()


def test_the_bundled_flows_are_there_with_unique_ids() -> None:
    ids = [load_flow_file(path).id for path in FILES]
    assert {"citess", "deseo"} <= set(ids)
    assert len(ids) == len(set(ids))


def test_citess_has_all_58_sources() -> None:
    sources = set(_sources(_load("citess")))
    assert len(CITESS_SOURCES) == 58
    assert sources == CITESS_SOURCES, (
        f"missing {sorted(CITESS_SOURCES - sources)}, unexpected {sorted(sources - CITESS_SOURCES)}"
    )


def test_citess_asks_each_section_in_its_own_phase() -> None:
    flow = _load("citess")
    for phase in flow.phases:
        for step in phase.questions:
            assert step.source is not None
            # phase1-actors belongs to phase1, context-social to context, and so on.
            section = step.source.split(":")[1].split("-")[0]
            assert phase.id == section, f"{step.id} ({step.source}) is in {phase.id}"


def test_deseo_has_all_standards_and_phases() -> None:
    sources = set(_sources(_load("deseo")))
    standards = {s.rsplit(":", 1)[1] for s in sources if s.startswith("deseo:standard:")}
    phases = {s.rsplit(":", 1)[1] for s in sources if s.startswith("deseo:phase:")}
    assert standards == set(string.ascii_lowercase[: string.ascii_lowercase.index("q") + 1])
    assert len(standards) == 17
    assert phases == {"I", "II", "III", "IV", "V"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_rating_has_advice(path: Path) -> None:
    flow = load_flow_file(path)
    lacking = [
        step.id
        for _, step in flow.steps()
        if isinstance(step, RatingStep)
        and not (step.advice and step.advice.get(flow.default_language, "").strip())
    ]
    assert lacking == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_ids_are_unique(path: Path) -> None:
    flow = load_flow_file(path)
    phase_ids = [phase.id for phase in flow.phases]
    step_ids = [step.id for _, step in flow.steps()]
    assert len(set(phase_ids)) == len(phase_ids)
    assert len(set(step_ids)) == len(step_ids)
    for _, step in flow.steps():
        if isinstance(step, SingleStep | MultipleStep):
            choice_ids = [choice.id for choice in step.choices]
            assert len(set(choice_ids)) == len(choice_ids), step.id


@pytest.mark.parametrize("name", ["citess", "deseo"])
def test_how_to_answer_says_what_the_engine_does(name: str) -> None:
    flow = _load(name)
    first = flow.phases[0].steps[0]
    assert isinstance(first, MessageStep)
    text = " ".join(first.text[flow.default_language].split())
    for words in ("yes, partly, no or don't know", "skip", "back", "cancel", "resume"):
        assert words in text, f"the how-to-answer message of {name} does not mention {words!r}"
    assert re.search(r"after partly, no or don't know", text, re.IGNORECASE)
    # The example of a note given straight away is one the engine reads as such.
    (example,) = re.findall(r'"([^"]+:[^"]+)"', text)
    question = flow.phases[0].questions[0]
    assert isinstance(question, RatingStep) and question.note
    result = interpret(question, Reply(example), flow.default_language, flow.default_language)
    assert result == Accepted("partly", "only in the city")
