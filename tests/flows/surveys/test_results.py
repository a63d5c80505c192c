"""Survey results on a small synthetic survey: counts and shares, means and medians, skipped and
not shown, filters, the response rate, flow versions, the counts-only path and export rows."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import pytest

from flows.conversation.definitions import Flow
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.loading import parse_flow
from flows.surveys.aggregator import ResultsAggregator, SurveyResults, compute_results
from flows.surveys.exports import EXPORT_COLUMNS, ExportLayout
from flows.surveys.filters import AnswerFilter, FilterError
from flows.surveys.responses import EncodedResponse, Response


def survey(version: int = 2, *, conditions: bool = True, comment: bool = True) -> Flow:
    kids: dict[str, Any] = {"id": "kids", "kind": "number", "text": "How many?", "integer": True}
    if conditions:
        kids["when"] = {"step": "has-kids", "equals": "yes"}
    opinion: list[dict[str, Any]] = [
        {"id": "satisfaction", "kind": "scale", "text": "How satisfied?", "min": 1, "max": 5},
        {"id": "fair", "kind": "rating", "text": "Is it fair?"},
        {"id": "since", "kind": "date", "text": "Since when?"},
    ]
    if comment:
        opinion.append(
            {"id": "comment", "kind": "text", "text": "Anything else?", "required": False}
        )
    raw = {
        "id": "sample",
        "version": version,
        "kind": "survey",
        "title": "Sample survey",
        "languages": ["en"],
        "phases": [
            {
                "id": "about",
                "title": "About you",
                "steps": [
                    {"id": "hello", "kind": "message", "text": "Hello."},
                    {
                        "id": "gender",
                        "kind": "single",
                        "text": "Gender?",
                        "required": False,
                        "choices": [
                            {"id": "woman", "label": "Woman"},
                            {"id": "man", "label": "Man"},
                            {"id": "another", "label": "Another way"},
                        ],
                    },
                    {"id": "age", "kind": "number", "text": "Age?", "integer": True},
                    {
                        "id": "has-kids",
                        "kind": "single",
                        "text": "Children?",
                        "choices": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}],
                    },
                    kids,
                    {
                        "id": "needs",
                        "kind": "multiple",
                        "text": "Needs?",
                        "choices": [
                            {"id": "funding", "label": "Funding"},
                            {"id": "training", "label": "Training"},
                            {"id": "space", "label": "Space"},
                        ],
                    },
                ],
            },
            {"id": "opinion", "title": "Your opinion", "steps": opinion},
        ],
    }
    return parse_flow(raw)


SURVEY = survey()


def responses() -> list[Response]:
    def response(n: int, completed: bool = True, **answers: AnswerValue) -> Response:
        given = {k.replace("_", "-"): v for k, v in answers.items()}
        return Response(n, completed, given, flow_version=2)

    return [
        response(1, gender="woman", age=30, has_kids="yes", kids=2, needs=["funding", "training"],
                 satisfaction=4, fair="yes", since="2020-01-01", comment="More childcare"),
        response(2, gender="man", age=40, has_kids="no", needs=["training"], satisfaction=2,
                 fair="no", since="2021-06-01", comment=None),
        response(3, gender=None, age=50, has_kids="yes", kids=1, needs=["funding"],
                 satisfaction=5, fair="partly", since="2019-03-03", comment="flexible hours"),
        # Said yes, gave 3 children, went back and said no: the 3 is still stored.
        response(4, gender="woman", age=35, has_kids="no", kids=3, needs=["space"],
                 satisfaction=3, fair="dont_know", since="2022-01-01", comment="ok"),
        response(5, completed=False, gender="woman", age=28, has_kids="yes"),
    ]  # fmt: skip


def encoded(response: Response) -> EncodedResponse:
    """The response as the store hands it over: answers as JSON text, numbers as numbers."""
    values = [v if isinstance(v, int) else json.dumps(v) for v in response.answers.values()]
    return EncodedResponse(
        response.id, response.completed, list(response.answers), values, response.flow_version
    )


def totals_add_up(results: SurveyResults) -> None:
    for q in results.questions:
        assert q.answered + q.skipped + q.not_shown + q.unanswered == results.responses, q.id


def test_counts_and_shares_of_choice_questions() -> None:
    results = compute_results(SURVEY, responses())
    assert (results.responses, results.completed, results.in_progress) == (5, 4, 1)
    gender = results.question("gender")
    assert (gender.answered, gender.skipped, gender.not_shown, gender.unanswered) == (4, 1, 0, 0)
    assert [(c.id, c.label, c.count) for c in gender.choices] == [
        ("woman", "Woman", 3),
        ("man", "Man", 1),
        ("another", "Another way", 0),
    ]
    assert gender.choice("woman").percent == 75.0
    # Multiple choice: each choice's share of those who answered, so they add up past 100.
    needs = results.question("needs")
    assert (needs.answered, needs.unanswered) == (4, 1)
    assert [(c.id, c.count, c.percent) for c in needs.choices] == [
        ("funding", 2, 50.0),
        ("training", 2, 50.0),
        ("space", 1, 25.0),
    ]
    fair = results.question("fair")
    assert [(c.id, c.label, c.count) for c in fair.choices] == [
        ("yes", "Yes", 1),
        ("partly", "Partly", 1),
        ("no", "No", 1),
        ("dont_know", "Don't know", 1),
    ]
    totals_add_up(results)


def test_numbers_scales_dates_and_texts() -> None:
    results = compute_results(SURVEY, responses())
    age = results.question("age").numbers
    assert age is not None
    assert (age.count, age.mean, age.median, age.minimum, age.maximum) == (5, 36.6, 35, 28, 50)
    satisfaction = results.question("satisfaction")
    assert satisfaction.numbers is not None
    assert (satisfaction.numbers.mean, satisfaction.numbers.median) == (3.5, 3.5)
    assert [(c.id, c.count) for c in satisfaction.choices] == [
        ("1", 0),
        ("2", 1),
        ("3", 1),
        ("4", 1),
        ("5", 1),
    ]
    since = results.question("since").dates
    assert since is not None and (since.earliest, since.latest) == ("2019-03-03", "2022-01-01")
    comment = results.question("comment")
    # Sorted, so that no text can be matched with its response by position.
    assert comment.texts == ("flexible hours", "More childcare", "ok")
    assert (comment.answered, comment.skipped, comment.unanswered) == (3, 1, 1)


def test_a_condition_not_met_is_not_shown_and_an_old_answer_behind_it_is_left_out() -> None:
    kids = compute_results(SURVEY, responses()).question("kids")
    # 1 and 3 answered; 2 and 4 said no (4's old answer does not count); 5 stopped before it.
    assert (kids.answered, kids.skipped, kids.not_shown, kids.unanswered) == (2, 0, 2, 1)
    assert kids.numbers is not None and kids.numbers.mean == 1.5
    assert kids.numbers.maximum == 2


def test_questions_after_where_an_unfinished_response_stopped_are_not_reached() -> None:
    results = compute_results(SURVEY, responses()[4:])
    reached = {q.id: (q.answered, q.not_shown, q.unanswered) for q in results.questions}
    assert reached["has-kids"] == (1, 0, 0)
    assert reached["kids"] == (0, 0, 1)  # its condition holds, but they never got there
    assert reached["comment"] == (0, 0, 1)


@pytest.mark.parametrize(
    ("values", "median"),
    [([7], 7), ([1, 9], 5), ([3, 1, 2], 2), ([1, 1, 1, 10], 1), ([1, 2, 3, 4, 100, 100], 3.5)],
)
def test_medians(values: list[int], median: float) -> None:
    given = [Response(n, True, {"age": v}) for n, v in enumerate(values)]
    numbers = compute_results(SURVEY, given).question("age").numbers
    assert numbers is not None and numbers.median == median
    assert numbers.mean == pytest.approx(sum(values) / len(values))


def test_filter_by_one_answer() -> None:
    women = compute_results(SURVEY, responses(), answer_filter=AnswerFilter("gender", "woman"))
    assert (women.responses, women.completed) == (3, 2)
    assert women.question("gender").choice("woman").count == 3
    assert [c.count for c in women.question("needs").choices] == [1, 1, 1]
    totals_add_up(women)

    training = compute_results(
        SURVEY, responses(), answer_filter=AnswerFilter.parse("needs=training")
    )
    assert training.responses == 2
    forty = compute_results(SURVEY, responses(), answer_filter=AnswerFilter.parse("age = 40.0"))
    assert forty.responses == 1 and forty.question("gender").choice("man").count == 1
    # The old answer behind a condition that no longer holds matches nothing.
    three = compute_results(SURVEY, responses(), answer_filter=AnswerFilter("kids", "3"))
    assert three.responses == 0


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("colour=red", "'colour' is not a question of sample"),
        ("gender=other", "'other' is not an answer to 'gender' (one of: woman, man, another)"),
        ("fair=maybe", "one of: yes, partly, no, dont_know"),
        ("age=old", "'age' takes a number"),
    ],
)
def test_a_filter_that_does_not_fit_says_why(text: str, complaint: str) -> None:
    with pytest.raises(FilterError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        ResultsAggregator(SURVEY, answer_filter=AnswerFilter.parse(text))


@pytest.mark.parametrize("text", ["gender", "=woman", "gender=", ""])
def test_a_filter_is_step_equals_value(text: str) -> None:
    with pytest.raises(FilterError, match="STEP=VALUE"):
        AnswerFilter.parse(text)


def test_response_rate() -> None:
    assert compute_results(SURVEY, responses(), invited=16).response_rate == 25.0
    assert compute_results(SURVEY, responses()).response_rate is None
    data = compute_results(SURVEY, responses(), invited=16).to_json()
    assert data["response_rate"] == 25.0 and data["invited"] == 16
    assert json.loads(json.dumps(data)) == data


def test_answers_as_the_store_keeps_them_give_the_same_results() -> None:
    plain = compute_results(SURVEY, responses())
    stored = compute_results(SURVEY, (encoded(r) for r in responses()))
    assert stored == plain
    woman = AnswerFilter("gender", "woman")
    assert compute_results(SURVEY, map(encoded, responses()), answer_filter=woman) == (
        compute_results(SURVEY, responses(), answer_filter=woman)
    )


def test_one_response_at_a_time() -> None:
    aggregator = ResultsAggregator(SURVEY)
    seen = []
    for response in responses():
        aggregator.add(response)
        seen.append(aggregator.result().responses)
    assert seen == [1, 2, 3, 4, 5]
    assert aggregator.result() == compute_results(SURVEY, iter(responses()))


def test_each_response_is_judged_by_its_own_flow_version() -> None:
    # Version 1 had no comment question and asked everyone how many children they have.
    old = survey(version=1, conditions=False, comment=False)
    given = [
        Response(1, True, {"has-kids": "no", "kids": 0, "needs": ["funding", "legal"]}, 1),
        Response(2, True, {"has-kids": "no", "comment": "fine"}, 2),
    ]
    results = compute_results(SURVEY, given, versions={1: old, 2: SURVEY})
    assert results.versions == (1, 2)
    kids = results.question("kids")
    assert (kids.answered, kids.not_shown) == (1, 1)
    comment = results.question("comment")
    assert (comment.answered, comment.not_shown, comment.texts) == (1, 1, ("fine",))
    # A choice the survey no longer offers is still counted, under its id.
    assert [(c.id, c.label, c.count) for c in results.question("needs").choices][-1] == (
        "legal",
        "legal",
        1,
    )


def _store_counts(flow: Flow, given: list[Response]) -> tuple[Counter[Any], list[Any]]:
    """What the store's two GROUP BY queries would give for these responses."""
    by_status: Counter[Any] = Counter((r.flow_version, r.completed) for r in given)
    by_value: Counter[Any] = Counter()
    for response in given:
        for step_id, value in response.answers.items():
            by_value[step_id, json.dumps(value)] += 1
    answers = [(step, json.loads(value), count) for (step, value), count in by_value.items()]
    return by_status, answers


def test_counts_alone_give_the_same_results_where_no_condition_applies() -> None:
    flow = survey(conditions=False)
    given = [r for r in responses() if r.id != 4]
    aggregator = ResultsAggregator(flow, {2: flow})
    by_status, answers = _store_counts(flow, given)
    assert aggregator.counts_suffice(v for v, _ in by_status)
    aggregator.add_counts(by_status, answers)
    assert aggregator.result() == compute_results(flow, given, versions={2: flow})


def test_counts_alone_do_not_do_with_a_condition_or_a_filter() -> None:
    assert not ResultsAggregator(SURVEY).counts_suffice([2])
    plain = survey(conditions=False)
    assert ResultsAggregator(plain).counts_suffice([2])
    filtered = ResultsAggregator(plain, answer_filter=AnswerFilter("gender", "man"))
    assert not filtered.counts_suffice([2])
    with pytest.raises(ValueError, match="need each response"):
        filtered.add_counts({(2, True): 1}, [])


def test_no_responses() -> None:
    results = compute_results(SURVEY, [])
    assert results.responses == 0 and results.response_rate is None
    gender = results.question("gender")
    assert gender.answered == 0 and all(c.percent == 0 for c in gender.choices)
    assert results.question("age").numbers is None


# --- export rows -----------------------------------------------------------------------------


def test_export_columns_follow_the_flow() -> None:
    layout = ExportLayout(SURVEY)
    assert layout.columns == (
        *EXPORT_COLUMNS,
        "gender",
        "age",
        "has-kids",
        "kids",
        "needs",
        "satisfaction",
        "fair",
        "since",
        "comment",
    )


def test_export_rows() -> None:
    layout = ExportLayout(SURVEY, {2: SURVEY})
    rows = {r.id: dict(zip(layout.columns, layout.row(r), strict=True)) for r in responses()}
    first = rows[1]
    assert first["_id"] == 1 and first["_status"] == "completed" and first["_version"] == 2
    assert first["needs"] == "funding training"
    assert first["kids"] == 2 and first["age"] == 30
    assert first["since"] == date(2020, 1, 1)
    assert rows[2]["comment"] is None  # skipped
    assert rows[4]["kids"] is None  # not shown: the old answer is not exported
    assert rows[5]["_status"] == "open" and rows[5]["needs"] is None
    assert [layout.row(encoded(r)) for r in responses()] == [layout.row(r) for r in responses()]


def test_a_scale_point_given_as_a_decimal_counts_as_that_point() -> None:
    given = [Response(1, True, {"satisfaction": 3.0}), Response(2, True, {"satisfaction": 3})]
    satisfaction = compute_results(SURVEY, given).question("satisfaction")
    assert satisfaction.choice("3").count == 2 and satisfaction.choice("3").percent == 100.0


def test_a_condition_holding_a_list_still_counts() -> None:
    raw: dict[str, Any] = {
        "id": "odd",
        "version": 1,
        "kind": "survey",
        "title": "Odd",
        "languages": ["en"],
        "phases": [
            {
                "id": "p",
                "title": "P",
                "steps": [
                    {"id": "name", "kind": "text", "text": "Name?"},
                    {
                        "id": "why",
                        "kind": "text",
                        "text": "Why?",
                        "when": {"step": "name", "equals": ["x"]},
                    },
                ],
            }
        ],
    }
    flow = parse_flow(raw)
    results = compute_results(flow, map(encoded, [Response(1, True, {"name": "Ann"})]))
    assert results.question("why").not_shown == 1
