"""Assessment reports: readiness per phase, gaps with advice and notes, Markdown, HTML and JSON."""

from __future__ import annotations

import json

import pytest

from flows.conversation.definitions import Flow
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.loading import parse_flow
from flows.conversation.report import Report, build_report, phase_summary, to_html, to_markdown
from flows.conversation.state import Answer


def _rating(n: int, **extra: object) -> dict[str, object]:
    return {
        "id": f"r{n}",
        "kind": "rating",
        "source": f"citess:phase1-actors:{n}",
        "text": f"Rating question {n}?",
        "advice": f"Advice for {n}.",
        "note": True,
        **extra,
    }


def _flow() -> Flow:
    return parse_flow(
        {
            "id": "check",
            "version": 3,
            "kind": "assessment",
            "title": "The check",
            "languages": ["en"],
            "phases": [
                {
                    "id": "rated",
                    "title": "Rated phase",
                    "steps": [
                        {"id": "hello", "kind": "message", "text": "Hello."},
                        *(_rating(n) for n in range(1, 6)),
                        # Asked only after a "no" to r1; passed over (and not counted) otherwise.
                        _rating(6, when={"step": "r1", "equals": "no"}),
                    ],
                },
                {
                    "id": "plain",
                    "title": "Plain phase",
                    "steps": [
                        {
                            "id": "name",
                            "kind": "text",
                            "source": "citess:context-social:1",
                            "text": "Your organisation?",
                        },
                        {
                            "id": "size",
                            "kind": "number",
                            "source": "citess:context-social:1",
                            "text": "How many staff?",
                        },
                    ],
                },
                {
                    "id": "untouched",
                    "title": "Untouched phase",
                    "steps": [_rating(7), _rating(8)],
                },
            ],
        }
    )


FLOW = _flow()
SCRIPT = '<script>alert("x")</script>'


def _answers(**given: AnswerValue | tuple[AnswerValue, str]) -> dict[str, Answer]:
    out = {}
    for step_id, value in given.items():
        if isinstance(value, tuple):
            out[step_id] = Answer(value=value[0], note=value[1])
        else:
            out[step_id] = Answer(value=value)
    return out


ANSWERS = _answers(
    r1="yes",
    r2="yes",
    r3=("partly", "only in the city"),
    r4=("no", SCRIPT),
    r5="dont_know",
    # An answer kept from before r1 was changed: r6 no longer applies and must not count.
    r6="no",
    name="Coop & Co <b>",
    size=12.0,
)


@pytest.fixture
def report() -> Report:
    return build_report(FLOW, ANSWERS, "en", complete=False)


def test_readiness_counts_yes_whole_and_partly_half(report: Report) -> None:
    rated, plain, untouched = report.phases
    counts = rated.counts
    assert (counts.yes, counts.partly, counts.no, counts.dont_know) == (2, 1, 1, 1)
    assert counts.rated == 5
    # (2 + 0.5) / 5
    assert rated.readiness == 50
    assert plain.readiness is None and plain.counts.rated == 0
    assert untouched.readiness is None and untouched.unanswered == 2
    assert rated.unanswered == 0


@pytest.mark.parametrize(
    ("values", "readiness"),
    [
        (["yes"] * 5, 100),
        (["partly"] * 5, 50),
        (["no", "dont_know", "no", "no", "dont_know"], 0),
        (["yes", "partly", "partly", "no", "no"], 40),
        (["yes", "yes", "yes", "partly", "dont_know"], 70),
    ],
)
def test_readiness_numbers(values: list[str], readiness: int) -> None:
    answers = {f"r{n}": Answer(value=v) for n, v in enumerate(values, start=1)}
    assert build_report(FLOW, answers, "en", complete=True).phases[0].readiness == readiness


def test_gaps_are_the_no_and_dont_know_answers_with_advice_and_note(report: Report) -> None:
    gaps = report.phases[0].gaps
    assert [(g.step_id, g.answer, g.advice, g.note) for g in gaps] == [
        ("r4", "No", "Advice for 4.", SCRIPT),
        ("r5", "Don't know", "Advice for 5.", None),
    ]
    assert gaps[0].source == "citess:phase1-actors:4"
    assert gaps[0].question == "Rating question 4?"
    assert [line.step_id for line in report.phases[0].notes] == ["r3", "r4"]


def test_steps_passed_over_by_when_are_left_out(report: Report) -> None:
    rated = report.phases[0]
    assert "r6" not in {line.step_id for line in rated.lines}
    assert "r6" not in {gap.step_id for gap in rated.gaps}
    # Once the condition holds, the same answer counts.
    changed = build_report(FLOW, {**ANSWERS, "r1": Answer(value="no")}, "en", complete=False)
    assert changed.phases[0].counts.no == 3
    assert "r6" in {gap.step_id for gap in changed.phases[0].gaps}


def test_markdown(report: Report) -> None:
    text = to_markdown(report)
    for fragment in [
        "# Report: The check\n",
        "## Rated phase\n*Readiness: 50%* (2 yes · 1 partly · 1 no · 1 don't know)",
        "### Gaps and what to do\n- **Rating question 4?** (No)\n  Advice for 4.\n  _" + SCRIPT,
        "- **Rating question 5?** (Don't know)\n  Advice for 5.\n",
        "### Your notes\n- Rating question 3? (Partly): _only in the city_",
        "## Plain phase\n",
        "### Answers\n- Your organisation? **Coop & Co <b>**\n- How many staff? **12**",
        "## Untouched phase\n2 not answered yet",
    ]:
        assert fragment in text
    # A note on a gap is shown with the gap, not again among the notes.
    assert text.count(SCRIPT) == 1
    assert "Readiness" not in text.split("## Plain phase")[1].split("## Untouched")[0]


def test_html_escapes_every_text(report: Report) -> None:
    page = to_html(report)
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page
    assert "<title>Report: The check</title>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Coop &amp; Co &lt;b&gt;" in page
    assert '<meter min="0" max="100" value="50">' in page
    assert "<strong>50%</strong>" in page
    assert "Advice for 4." in page
    assert "only in the city" in page


def test_html_escapes_a_script_in_a_note_that_is_not_a_gap() -> None:
    answers = {**ANSWERS, "r3": Answer(value="partly", note=SCRIPT)}
    page = to_html(build_report(FLOW, answers, "en", complete=True))
    assert "<script>" not in page
    assert page.count("&lt;script&gt;") == 2


def test_json(report: Report) -> None:
    data = json.loads(json.dumps(report.to_json()))
    assert {k: data[k] for k in ("flow_id", "flow_version", "title", "language", "complete")} == {
        "flow_id": "check",
        "flow_version": 3,
        "title": "The check",
        "language": "en",
        "complete": False,
    }
    rated = data["phases"][0]
    assert rated["counts"] == {"yes": 2, "partly": 1, "no": 1, "dont_know": 1, "rated": 5}
    assert rated["readiness"] == 50
    assert [g["step_id"] for g in rated["gaps"]] == ["r4", "r5"]
    assert rated["gaps"][0]["note"] == SCRIPT
    assert data["phases"][1]["readiness"] is None
    assert [line["value"] for line in data["phases"][1]["lines"]] == ["Coop & Co <b>", 12.0]
    assert data["phases"][2]["unanswered"] == 2


def test_phase_summary_shows_the_first_gaps_only() -> None:
    answers = {f"r{n}": Answer(value="no") for n in range(1, 7)}
    summary = phase_summary(build_report(FLOW, answers, "en", complete=False).phases[0], "en")
    assert summary.splitlines() == [
        "That is the end of Rated phase.",
        "Rated phase: 0 yes, 0 partly, 6 no, 0 don't know (readiness 0%).",
        "Gaps to work on:",
        "• Rating question 1?",
        "• Rating question 2?",
        "• Rating question 3?",
        "…and 3 more in the full report.",
    ]


def test_an_empty_report() -> None:
    report = build_report(FLOW, {}, "en", complete=False)
    assert [p.unanswered for p in report.phases] == [5, 2, 2]
    assert all(p.readiness is None and not p.gaps for p in report.phases)
    assert "Readiness" not in to_markdown(report)
    assert "<meter" not in to_html(report)
