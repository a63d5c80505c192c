"""The XLSForm expression language: what it reads, what it gives, what it refuses and where,
and its use in flow files as `when: {expr: ...}` and as a question's `constraint`."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.conversation.answers import Accepted, Rejected, interpret
from flows.conversation.conditions import (
    ConditionError,
    Expr,
    Not,
    condition_to_raw,
    parse_condition,
)
from flows.conversation.definitions import NumberStep, TextStep
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.expression_parser import ExpressionError, tokenize
from flows.conversation.expressions import parse_expression, rename_references
from flows.conversation.loading import FlowFileError, parse_flow
from flows.conversation.messages import Pick, Reply

ANSWERS: dict[str, AnswerValue] = {
    "age": 20,
    "child_age": 4,
    "income": 1250.5,
    "name": "Ada",
    "empty": "",
    "skipped": None,
    "has_kids": "yes",
    "needs": ["care", "housing"],
    "born": "1990-05-17",
}


def value(source: str, current: AnswerValue = None) -> Any:
    return parse_expression(source).evaluate(ANSWERS, current)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # literals and references
        ("12", 12.0),
        ("3.5", 3.5),
        (".5", 0.5),
        ("'text'", "text"),
        ('"double"', "double"),
        ("${name}", "Ada"),
        ("${age}", "20"),
        ("${income}", "1250.5"),
        ("${needs}", "care housing"),
        # comparisons
        ("${age} >= 18", True),
        ("${age} > 20", False),
        ("${age} < 21", True),
        ("${age} <= 19", False),
        ("${age} = 20", True),
        ("${age} != 20", False),
        ("${age} = '20'", True),
        ("${name} = 'Ada'", True),
        ("${name} != 'Bob'", True),
        ("${has_kids} = 'yes'", True),
        ("${born} > '1990-01-01'", True),
        ("${born} < '1990-05-17'", False),
        # logic
        ("${age} > 18 and ${child_age} < 5", True),
        ("${age} < 18 or ${name} = 'Ada'", True),
        ("not(${age} > 18)", False),
        ("not(${age} > 18) or (${age} > 19 and ${age} < 21)", True),
        ("true() and not(false())", True),
        # arithmetic, with XPath's precedence
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("7 div 2", 3.5),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),
        ("-${age} + 1", -19.0),
        ("- - 2", 2.0),
        ("${age} - 18 > 1", True),
        ("${income} * 12 > 15000", True),
        ("1 div 0", math.inf),
        ("-1 div 0", -math.inf),
        # functions
        ("selected(${needs}, 'care')", True),
        ("selected(${needs}, 'cash')", False),
        ("selected(${has_kids}, 'yes')", True),
        ("count-selected(${needs})", 2.0),
        ("count-selected(${needs}) >= 2", True),
        ("string-length(${name})", 3.0),
        ("string-length(${name}) > 2", True),
        ("regex(${name}, '^[A-Z][a-z]+$')", True),
        ("number('12.5') + 1", 13.5),
        ("string(${age})", "20"),
        ("int(7.9)", 7.0),
        ("int(-7.9)", -7.0),
        ("date('2026-02-01')", "2026-02-01"),
        ("date(0)", "1970-01-01"),
        ("${born} = date('1990-05-17')", True),
    ],
)
def test_evaluates_as_xforms_does(source: str, expected: Any) -> None:
    assert value(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${skipped}", ""),
        ("${never_asked}", ""),
        ("${skipped} = ''", True),
        ("${skipped} != ''", False),
        ("${skipped} >= 18", False),  # "" is no number: NaN, and every comparison with it fails
        ("${skipped} < 18", False),
        ("${skipped} = 0", False),
        ("${skipped} != 0", True),
        ("string-length(${skipped})", 0.0),
        ("count-selected(${skipped})", 0.0),
        ("selected(${skipped}, 'care')", False),
        ("not(${skipped})", True),
        ("${empty} = ${skipped}", True),
    ],
)
def test_an_unanswered_question_is_the_empty_string(source: str, expected: Any) -> None:
    assert value(source) == expected


def test_nan_stays_nan() -> None:
    assert math.isnan(value("${name} + 1"))
    assert math.isnan(value("0 div 0"))
    assert math.isnan(value("5 mod 0"))


@pytest.mark.parametrize(
    ("source", "current", "expected"),
    [
        (". >= 0 and . < 130", 42, True),
        (". >= 0 and . < 130", 200, False),
        (". > ${age}", 21, True),
        (". > ${age}", 20, False),
        ("string-length(.) <= 5", "hello", True),
        ("string-length() <= 5", "hello!", False),
        ("count-selected(.) <= 1", ["a", "b"], False),
        ("selected(., 'b')", ["a", "b"], True),
        (". = 'yes'", "yes", True),
        (". <= '2026-01-01'", "2025-12-31", True),
        (". > 2.5", 2.75, True),
        (". = ''", None, True),
    ],
)
def test_the_dot_is_the_answer_being_checked(
    source: str, current: AnswerValue, expected: bool
) -> None:
    assert parse_expression(source).holds(ANSWERS, current) is expected


def test_a_parsed_expression_knows_what_it_reads() -> None:
    parsed = parse_expression("${a} > 1 and selected(${b}, 'x') or . = ${a}")
    assert parsed.references == {"a", "b"}
    assert parsed.uses_current
    assert not parse_expression("${a} = 1").uses_current
    assert parse_expression("string-length() < 3").uses_current


def test_words_are_operators_only_after_a_value() -> None:
    assert [t.text for t in tokenize("${a} and ${b} or 3 div 2 mod 1")] == [
        "a",
        "and",
        "b",
        "or",
        "3",
        "div",
        "2",
        "mod",
        "1",
        "",
    ]
    with pytest.raises(ExpressionError, match="'and' is neither a function call"):
        parse_expression("and")


@pytest.mark.parametrize(
    ("source", "fragment", "column"),
    [
        ("${age} >=", "the expression ends where a value was expected", None),
        ("${age >= 18", "`${` must be followed by a question name and `}`", 1),
        ("${} = 1", "`${` must be followed by a question name", 1),
        ("${age} = 'yes", "this text has no closing quote", 10),
        ("${age} = yes", "'yes' is neither a function call nor a reference", 10),
        ("(1 + 2", "expected ')', found the end", None),
        ("1 + 2)", "unexpected ')'", 6),
        ("1 +* 2", "'*' cannot start a value", 4),
        ("today() > .", "unknown function today()", 1),
        ("selected(${a})", "selected() takes 2 argument(s), not 1", 1),
        ("not()", "not() takes 1 argument(s), not 0", 1),
        ("string-length(1, 2)", "string-length() takes 0 to 1 argument(s)", 1),
        ("regex(., '[')", "regex(): not a valid regular expression", 1),
        ("../a = 1", "`..` (the parent) is not supported", 1),
        ("${a} # 1", "unexpected character '#'", 6),
        ("1 2", "unexpected '2'", 3),
        ("", "the expression is empty", None),
        ("   ", "the expression is empty", None),
        ("(" * 70 + "1" + ")" * 70, "nested more than 64 deep", 65),
    ],
)
def test_a_parse_error_says_what_and_where(source: str, fragment: str, column: int | None) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(source)
    message = str(caught.value)
    assert fragment in message
    assert repr(source) in message
    assert ("at the end" in message) if column is None else (f"at column {column} " in message)


def test_long_chains_and_many_signs_do_not_exhaust_the_stack() -> None:
    assert value(" + ".join(["1"] * 2000)) == 2000.0
    assert value("-" * 5001 + "1") == -1.0
    assert value(" and ".join(["true()"] * 900)) is True
    with pytest.raises(ExpressionError, match="longer than 10000 characters"):
        parse_expression("1" + " + 1" * 3000)


def test_references_are_renamed_and_nothing_else_is() -> None:
    source = "${Age} >= 18 and '${Age}' != ${Other} and selected(${Age}, 'Age')"
    renamed = rename_references(source, {"Age": "age"})
    assert renamed == "${age} >= 18 and '${Age}' != ${Other} and selected(${age}, 'Age')"


# --- anything at all: only ExpressionError, and a parse that succeeds evaluates ---------------

EXPRESSION_BITS = st.sampled_from(
    [
        "${a}",
        "${b}",
        ".",
        "..",
        "1",
        "2.5",
        ".5",
        "'x'",
        '"y',
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "div",
        "mod",
        "and",
        "or",
        "not(",
        "selected(",
        "count-selected(",
        "string-length(",
        "regex(",
        "date(",
        "int(",
        "today(",
        "(",
        ")",
        ",",
        " ",
        "${",
        "}",
        "$",
        "yes",
    ]
)
ANSWER_VALUES: st.SearchStrategy[AnswerValue] = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.sampled_from(["x", "y", "z"]), max_size=3),
)


def _parse_or_refuse(source: str) -> None:
    try:
        parsed = parse_expression(source)
    except ExpressionError:
        return
    answers = {"a": 3, "b": ["x", "y"]}
    result = parsed.evaluate(answers, "2026-01-01")
    assert isinstance(result, str | float | bool)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_raises_an_expression_error(source: str) -> None:
    _parse_or_refuse(source)


@settings(max_examples=600, deadline=None)
@given(st.lists(EXPRESSION_BITS, max_size=30).map("".join))
def test_any_string_of_expression_pieces_parses_or_raises_an_expression_error(
    source: str,
) -> None:
    _parse_or_refuse(source)


@settings(max_examples=300, deadline=None)
@given(a=ANSWER_VALUES, b=ANSWER_VALUES, current=ANSWER_VALUES)
def test_evaluation_of_any_answers_never_raises(
    a: AnswerValue, b: AnswerValue, current: AnswerValue
) -> None:
    for source in (
        "${a} >= ${b} or . = ${a}",
        "${a} + ${b} * . div ${a} mod ${b}",
        "selected(${a}, ${b}) and count-selected(.) < string-length(${b})",
        "int(${a}) = number(.) and date(${a}) != date(.) and regex(., ${b})",
        "-${a} != -.",
    ):
        result = parse_expression(source).evaluate({"a": a, "b": b}, current)
        assert isinstance(result, str | float | bool)


# --- in flow files ---------------------------------------------------------------------------


def test_expr_is_a_condition_that_reads_answers() -> None:
    condition = parse_condition({"expr": "${age} >= 18 and selected(${needs}, 'care')"})
    assert isinstance(condition, Expr)
    assert condition.holds(ANSWERS)
    assert not condition.holds({"age": 17, "needs": ["care"]})
    assert condition.steps() == {"age", "needs"}
    assert condition_to_raw(condition) == {"expr": "${age} >= 18 and selected(${needs}, 'care')"}
    negated = parse_condition({"not": {"expr": "${age} >= 18"}})
    assert isinstance(negated, Not) and not negated.holds(ANSWERS)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"expr": "${age} >="}, "expr: the expression ends where a value was expected"),
        ({"expr": 18}, "`expr` takes one expression as text"),
        ({"expr": "${a} = 1", "step": "a"}, "`expr` takes one expression as text"),
    ],
)
def test_a_malformed_expr_is_refused(raw: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConditionError, match="expr"):
        parse_condition(raw)
    with pytest.raises(ConditionError) as caught:
        parse_condition(raw)
    assert fragment in str(caught.value)


def flow(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "ages",
        "version": 1,
        "kind": "survey",
        "title": "Ages",
        "languages": ["en", "it"],
        "phases": [{"id": "one", "title": "One", "steps": steps}],
    }


AGE = {
    "id": "age",
    "kind": "number",
    "integer": True,
    "text": "How old are you?",
    "constraint": ". >= 0 and . < 130",
    "constraint_message": {"en": "Between 0 and 129, please.", "it": "Tra 0 e 129."},
}


def test_a_flow_file_takes_expr_conditions_and_constraints() -> None:
    loaded = parse_flow(
        flow(
            [
                AGE,
                {
                    "id": "children",
                    "kind": "number",
                    "text": "How many children?",
                    "when": {"expr": "${age} >= 18"},
                    "constraint": ". <= ${age} div 10",
                },
            ]
        )
    )
    children = loaded.phases[0].steps[1]
    assert isinstance(children.when, Expr) and children.constraint == ". <= ${age} div 10"
    again = parse_flow(loaded.model_dump(mode="json"))
    assert again.checksum() == loaded.checksum()


@pytest.mark.parametrize(
    ("step", "fault"),
    [
        (
            {**AGE, "constraint": ". >= "},
            "step 'age' (phase 'one'): constraint: the expression ends where a value was "
            "expected at the end of '. >= '",
        ),
        (
            {**AGE, "constraint": ". < ${later}"},
            "step 'age' (phase 'one'): constraint: 'later' is not an earlier question",
        ),
        (
            {**AGE, "when": {"expr": "${age} > 1"}},
            "step 'age' (phase 'one'): when: a step cannot depend on itself",
        ),
        (
            {**AGE, "when": {"expr": "${nobody} > 1"}},
            "when: 'nobody' is not an earlier step of this flow",
        ),
        (
            {**AGE, "when": {"expr": "${nobody} >"}},
            "when: expr: the expression ends where a value was expected",
        ),
        (
            {"id": "hello", "kind": "message", "text": "Hi", "constraint": ". = 1"},
            "step 'hello' (phase 'one'): constraint: a message has no answer to check",
        ),
        (
            {**AGE, "constraint_message": {"it": "Tra 0 e 129."}},
            "constraint_message has no 'en' text",
        ),
    ],
)
def test_a_flow_file_with_a_bad_expression_names_the_step(step: dict[str, Any], fault: str) -> None:
    with pytest.raises(FlowFileError) as caught:
        parse_flow(flow([step]), "ages.yaml")
    assert fault in str(caught.value)


def test_a_constraint_refuses_an_answer_with_its_message() -> None:
    loaded = parse_flow(flow([AGE]))
    age = loaded.phases[0].steps[0]
    assert isinstance(age, NumberStep)
    assert interpret(age, Reply("42"), "en", "en") == Accepted(42)
    assert interpret(age, Reply("200"), "en", "en") == Rejected("Between 0 and 129, please.")
    assert interpret(age, Reply("200"), "it", "en") == Rejected("Tra 0 e 129.")
    # A malformed answer is refused for its form before the constraint is asked.
    refused = interpret(age, Reply("old"), "en", "en")
    assert isinstance(refused, Rejected) and "whole number" in refused.reason


def test_a_constraint_reads_earlier_answers_and_its_own_id() -> None:
    loaded = parse_flow(
        flow(
            [
                {"id": "adults", "kind": "number", "integer": True, "text": "Adults?"},
                {
                    "id": "workers",
                    "kind": "number",
                    "integer": True,
                    "text": "How many of them work?",
                    "constraint": "${workers} <= ${adults}",
                },
                {
                    "id": "code",
                    "kind": "text",
                    "text": "Your code?",
                    "constraint": "regex(., '^[A-Z]{2}[0-9]{3}$')",
                },
            ]
        )
    )
    workers, code = loaded.phases[0].steps[1], loaded.phases[0].steps[2]
    assert isinstance(workers, NumberStep) and isinstance(code, TextStep)
    assert interpret(workers, Reply("2"), "en", "en", {"adults": 3}) == Accepted(2)
    refused = interpret(workers, Reply("4"), "en", "en", {"adults": 3})
    assert refused == Rejected("That does not have the expected form.")
    assert interpret(code, Reply("AB123"), "en", "en") == Accepted("AB123")
    assert isinstance(interpret(code, Pick(("ab123",)), "en", "en"), Rejected)
