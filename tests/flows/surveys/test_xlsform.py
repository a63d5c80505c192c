"""XLSForms read as survey flows: every supported type, languages, groups, relevance and
constraints acting in the engine, and whole forms refused with each unsupported row named.

The workbooks are made here with openpyxl, as a coordinator's spreadsheet would be."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from flows.conversation.definitions import (
    DateStep,
    Flow,
    MessageStep,
    MultipleStep,
    NumberStep,
    SingleStep,
    TextStep,
)
from flows.conversation.expressions import parse_expression
from flows.conversation.loading import FlowFileError, load_flow_file
from flows.surveys.xlsform import flow_yaml, read_xlsform
from flows.surveys.xlsform_rules import (
    RowProblem,
    XLSFormError,
    language_code,
    slug,
    version_number,
)
from tests.flows.transcript import Chat

Row = Sequence[Any]

SURVEY_HEADER = [
    "type",
    "name",
    "label::English (en)",
    "label::Italiano (it)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::Italiano (it)",
]
SURVEY = [
    ["start", "start"],
    ["today", "today"],
    ["text", "Name", "Your name?", "Come si chiama?", "First name is enough", "yes"],
    [
        "integer",
        "age",
        "How old are you?",
        "Quanti anni ha?",
        None,
        "yes",
        None,
        ". >= 0 and . < 130",
        "Between 0 and 129, please.",
        "Tra 0 e 129.",
    ],
    ["decimal", "income", "Monthly income?", "Reddito mensile?", None, "no", "${age} >= 18"],
    ["date", "born", "Date of birth?", "Data di nascita?", None, None, None, ". > '1900-01-01'"],
    ["note", "hello", "Now about your family.", "Ora la famiglia."],
    ["begin group", "family", "Family", "Famiglia", "A few questions on who lives with you"],
    ["select_one yn", "has_kids", "Do you have children?", "Ha figli?", None, "yes"],
    [
        "integer",
        "kids",
        "How many?",
        "Quanti?",
        None,
        "yes",
        "selected(${has_kids}, 'yes')",
        ". > 0 and . <= 20",
        "From 1 to 20.",
    ],
    ["begin group", "care", "Care", "Cura", None, None, "${kids} > 0"],
    [
        "select_multiple needs",
        "needs",
        "What would help?",
        "Cosa aiuterebbe?",
        None,
        "yes",
        None,
        "count-selected(.) <= 2",
        "Two at most.",
    ],
    ["end group"],
    ["end group"],
    ["text", "comment", "Anything else?", "Altro?", None, "no", "string-length(${Name}) > 0"],
    ["end", "end"],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Italiano (it)"],
    ["yn", "yes", "Yes", "Sì"],
    ["yn", "no", "No", "No"],
    ["needs", "childcare", "Childcare", "Asilo"],
    ["needs", "flexible-hours", "Flexible hours", "Orario flessibile"],
    ["needs", "leave", "Parental leave", "Congedo parentale"],
]
SETTINGS = [["form_id", "form_title", "version", "default_language"]]


def workbook(
    path: Path,
    survey: Sequence[Row],
    choices: Sequence[Row] = CHOICES,
    settings: Sequence[Row] | None = None,
    header: Row = SURVEY_HEADER,
) -> Path:
    """Write an XLSForm: a survey sheet under `header`, and choices and settings sheets."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(list(header))
    for row in survey:
        sheet.append(list(row))
    if choices:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(list(row))
    if settings is not None:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def family(tmp_path: Path) -> Flow:
    settings = [
        *SETTINGS,
        ["Family Survey 2026", "Families and work", "2026112201", "English (en)"],
    ]
    return read_xlsform(workbook(tmp_path / "family.xlsx", SURVEY, settings=settings))


def steps(flow: Flow) -> dict[str, Any]:
    return {step.id: step for _, step in flow.steps()}


# --- what a form becomes -----------------------------------------------------------------------


def test_settings_give_id_version_title_kind_and_languages(family: Flow) -> None:
    assert family.id == "family-survey-2026"
    assert family.version == 2026112201
    assert family.kind == "survey"
    assert family.title == {"en": "Families and work"}
    assert family.languages == ("en", "it")


def test_every_supported_type_becomes_its_step(family: Flow) -> None:
    found = steps(family)
    assert set(found) == {
        "name",
        "age",
        "income",
        "born",
        "hello",
        "has_kids",
        "kids",
        "needs",
        "comment",
    }  # the start, today and end metadata are left out
    assert isinstance(found["name"], TextStep)
    assert isinstance(found["age"], NumberStep) and found["age"].integer
    assert isinstance(found["income"], NumberStep) and not found["income"].integer
    assert isinstance(found["born"], DateStep)
    assert isinstance(found["hello"], MessageStep)
    assert isinstance(found["has_kids"], SingleStep)
    assert [(c.id, c.label) for c in found["has_kids"].choices] == [
        ("yes", {"en": "Yes", "it": "Sì"}),
        ("no", {"en": "No", "it": "No"}),
    ]
    assert isinstance(found["needs"], MultipleStep)
    assert [c.id for c in found["needs"].choices] == ["childcare", "flexible-hours", "leave"]


def test_labels_hints_and_messages_keep_their_languages(family: Flow) -> None:
    found = steps(family)
    assert found["name"].text == {"en": "Your name?", "it": "Come si chiama?"}
    assert found["name"].help == {"en": "First name is enough"}
    assert found["age"].constraint == ". >= 0 and . < 130"
    assert found["age"].constraint_message == {
        "en": "Between 0 and 129, please.",
        "it": "Tra 0 e 129.",
    }


def test_required_follows_the_form_whose_default_is_optional(family: Flow) -> None:
    found = steps(family)
    assert found["name"].required and found["age"].required
    assert not found["income"].required  # "no"
    assert not found["born"].required  # left empty


def test_groups_are_phases_and_their_relevance_reaches_every_step(family: Flow) -> None:
    assert [(p.id, p.title["en"]) for p in family.phases] == [
        ("main", "Families and work"),
        ("family", "Family"),
        ("main-2", "Families and work"),
    ]
    assert family.phases[1].intro == {"en": "A few questions on who lives with you"}
    assert [s.id for s in family.phases[1].steps] == ["has_kids", "kids", "needs"]
    needs = steps(family)["needs"]
    assert needs.when is not None
    assert needs.when.steps() == {"kids"}
    # The inner group's relevance and the row's (none here) both hold for the step.
    assert needs.when.holds({"kids": 2}) and not needs.when.holds({"kids": 0})


def test_names_become_lower_case_ids_and_references_follow(family: Flow) -> None:
    comment = steps(family)["comment"]
    assert comment.when is not None
    assert comment.when.steps() == {"name"}
    assert comment.when.holds({"name": "Ada"}) and not comment.when.holds({})


def test_the_yaml_of_an_imported_flow_reads_back_the_same(family: Flow, tmp_path: Path) -> None:
    text = flow_yaml(family, source="family.xlsx")
    assert text.startswith("# Imported from the XLSForm family.xlsx")
    assert "  - id: has_kids\n    kind: single\n" in text
    (tmp_path / "out.yaml").write_text(text, encoding="utf-8")
    again = load_flow_file(tmp_path / "out.yaml")
    assert again == family and again.checksum() == family.checksum()


# --- the flow at work, through the engine ------------------------------------------------------


def test_a_chat_shows_relevant_questions_and_refuses_what_constraints_refuse(
    family: Flow,
) -> None:
    chat = Chat.start(family)
    chat.expect("Your name?")
    chat.send("Ada", "How old are you?")
    chat.send("200", "! Between 0 and 129, please.")
    chat.send("16", "Date of birth?")  # under 18: the income is passed over
    chat.send("01/01/1850", "! That does not have the expected form.")
    chat.send("2010-03-04", ["Now about your family.", "Next: Family."])
    chat.send("continue", ["A few questions on who lives with you", "Do you have children?"])
    chat.send("yes", "How many?")
    chat.send("0", "! From 1 to 20.")
    chat.send("2", "What would help?")
    chat.send("1, 2, 3", "! Two at most.")
    chat.send("1, 3")
    chat.send("continue")
    chat.expect("Anything else?")  # shown: the name was given
    chat.send("no more")
    assert chat.state.status == "completed", chat.transcript()
    values = chat.state.answer_values()
    assert values["needs"] == ["childcare", "leave"]
    assert "income" not in values


def test_a_chat_passes_over_what_is_not_relevant(family: Flow) -> None:
    chat = Chat.start(family)
    chat.send("Ada")
    chat.send("40", "Monthly income?")  # an adult: the income is asked
    chat.send("2500.5", "Date of birth?")
    chat.send("skip", "Next: Family.")
    chat.send("continue", "Do you have children?")
    # No children: how many, and the whole care group inside, are passed over.
    chat.send("no", "Next: Families and work.")
    chat.send("continue", "Anything else?")
    values = chat.state.answer_values()
    assert values["income"] == 2500.5 and values["born"] is None
    assert "kids" not in values and "needs" not in values


def test_italian_speakers_get_the_italian_labels_and_messages(family: Flow) -> None:
    chat = Chat.start(family, "it")
    chat.expect("Come si chiama?")
    chat.send("Ada", "Quanti anni ha?")
    chat.send("500", "! Tra 0 e 129.")


# --- forms of other shapes ---------------------------------------------------------------------


def test_a_form_without_languages_groups_or_settings(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "Quick Poll.xlsx",
        [["select_one yn", "ok", "All right?", "yes"], ["note", "bye", "Thanks!"]],
        choices=[["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
        header=["type", "name", "label", "required"],
    )
    flow = read_xlsform(path)
    assert (flow.id, flow.version, flow.languages) == ("quick-poll", 1, ("en",))
    assert [p.id for p in flow.phases] == ["main"]
    assert steps(flow)["ok"].text == {"en": "All right?"}


@pytest.mark.parametrize(
    ("header", "default", "expected"),
    [
        (["label::Français (fr)", "label::English (en)"], None, ("fr", "en")),
        (["label::Français (fr)", "label::English (en)"], "English (en)", ("en", "fr")),
        (["label::French", "label::Italian"], None, ("fr", "it")),
        (["label::es", "label::it"], None, ("es", "it")),
        (["label", "label::Italiano (it)"], None, ("en", "it")),
    ],
)
def test_languages_become_codes(
    tmp_path: Path, header: list[str], default: str | None, expected: tuple[str, ...]
) -> None:
    settings = [["form_id", "default_language"], ["langs", default]] if default else None
    path = workbook(
        tmp_path / "langs.xlsx",
        [["text", "q", "One", "Two"]],
        choices=[],
        settings=settings,
        header=["type", "name", *header],
    )
    assert read_xlsform(path).languages == expected


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("English (en)", "en"),
        ("Português (pt-BR)", "pt"),
        ("it", "it"),
        ("Español", "es"),
        ("Klingon", None),
    ],
)
def test_language_code(name: str, code: str | None) -> None:
    assert language_code(name) == code


@pytest.mark.parametrize(
    ("given", "number"),
    [
        ("2026112201", 2026112201),
        (7, 7),
        (3.0, 3),
        ("2026.11.22.01", 2026112201),
        ("v3", 3),
        ("2026-11-22", 20261122),
        ("beta", None),
        ("1.2b", None),
        ("9" * 5000, 2_147_483_648),
    ],
)
def test_version_number(given: Any, number: int | None) -> None:
    assert version_number(given) == number


def test_slug() -> None:
    assert slug("Work-Life Balance (Messina) 2026") == "work-life-balance-messina-2026"
    assert slug("???") == ""


def test_a_relevant_on_a_later_question_is_a_flow_file_fault(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "order.xlsx",
        [["text", "a", "A", None, None, None, "${b} = 'x'"], ["text", "b", "B"]],
        choices=[],
    )
    with pytest.raises(FlowFileError) as caught:
        read_xlsform(path)
    assert f"{path}: step 'a' (phase 'main'): when: 'b' is not an earlier step" in str(caught.value)


# --- refusals ------------------------------------------------------------------------------------

REFUSED_HEADER = ["type", "name", "label", "calculation", "relevant", "constraint", "required"]


def refusal(tmp_path: Path, survey: Sequence[Row], choices: Sequence[Row] = ()) -> XLSFormError:
    path = workbook(
        tmp_path / "broken.xlsx",
        survey,
        choices=choices or [["list_name", "name", "label"], ["yn", "yes", "Y"], ["yn", "no", "N"]],
        header=REFUSED_HEADER,
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    assert all(line.startswith(f"{path}: ") for line in str(caught.value).splitlines())
    return caught.value


def test_every_unsupported_row_is_named_with_its_row_and_reason(tmp_path: Path) -> None:
    survey = [
        ["text", "ok", "Fine"],  # row 2
        ["calculate", "total", None, "1 + 1"],  # 3
        ["geopoint", "where", "Where?"],  # 4
        ["geotrace", "path", "Path?"],  # 5
        ["geoshape", "area", "Area?"],  # 6
        ["image", "photo", "Photo?"],  # 7
        ["audio", "voice", "Voice?"],  # 8
        ["video", "clip", "Clip?"],  # 9
        ["file", "doc", "Document?"],  # 10
        ["barcode", "code", "Code?"],  # 11
        ["range", "level", "Level?"],  # 12
        ["rank yn", "order", "Order?"],  # 13
        ["select_one_from_file towns.csv", "town", "Town?"],  # 14
        ["trigger", "go", "Go?"],  # 15
        ["acknowledge", "ack", "Agree?"],  # 16
        ["time", "when", "When?"],  # 17
        ["begin repeat", "child", "Each child"],  # 18
        ["text", "child_name", "Name?"],  # 19
        ["end repeat"],  # 20
        ["deviceid", "device"],  # 21: metadata, skipped without a word
        ["text", "last", "Last"],  # 22
    ]
    error = refusal(tmp_path, survey)
    assert [(p.row, p.name) for p in error.problems] == [
        (3, "total"),
        (4, "where"),
        (5, "path"),
        (6, "area"),
        (7, "photo"),
        (8, "voice"),
        (9, "clip"),
        (10, "doc"),
        (11, "code"),
        (12, "level"),
        (13, "order"),
        (14, "town"),
        (15, "go"),
        (16, "ack"),
        (17, "when"),
        (18, "child"),
    ]
    text = str(error)
    assert "survey row 3 ('total'): calculations are not supported" in text
    assert "survey row 4 ('where'): locations are not supported" in text
    assert "survey row 14 ('town'): choices from a file" in text
    assert "survey row 18 ('child'): repeats are not supported" in text


def test_refused_columns_and_values(tmp_path: Path) -> None:
    survey = [
        ["text", "ok", "Fine?"],  # 2
        ["select_one yn or_other", "other", "Other?"],  # 3
        ["text", "odd", "Odd?", None, "${ok} = yes"],  # 4
        ["text", "later", "Later?", None, None, None, "${ok} = 'x'"],  # 5
        ["text", "greet", "Hello ${ok}"],  # 6
        ["text", "meta_ref", "Since?", None, "${start} != ''"],  # 7
        ["start", "start"],  # 8
    ]
    error = refusal(tmp_path, survey)
    reasons = {p.row: p.reason for p in error.problems}
    assert reasons[3].startswith("or_other is not supported")
    assert reasons[4].startswith("relevant: 'yes' is neither a function call nor a reference")
    assert "at column 9 of" in reasons[4]
    assert reasons[5].startswith("required must be yes or no")
    assert reasons[6] == "texts that show answers (${...}) are not supported"
    assert reasons[7] == "relevant: ${start} is not a question deseo asks"
    assert sorted(reasons) == [3, 4, 5, 6, 7]


def test_references_to_refused_rows_add_no_noise(tmp_path: Path) -> None:
    survey = [
        ["calculate", "total", None, "1 + 1"],
        ["text", "why", "Why?", None, "${total} > 1"],
    ]
    error = refusal(tmp_path, survey)
    assert [(p.row, p.name) for p in error.problems] == [(2, "total")]


def test_read_only_choice_filter_and_calculations_on_questions(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "binds.xlsx",
        [
            ["text", "a", "A", "yes"],
            ["select_one yn", "b", "B", None, "name != ''"],
            ["integer", "c", "C", None, None, "1 + 1"],
        ],
        choices=[["list_name", "name", "label"], ["yn", "yes", "Y"], ["yn", "no", "N"]],
        header=["type", "name", "label", "read_only", "choice_filter", "calculation"],
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    assert [str(p) for p in caught.value.problems] == [
        "survey row 2 ('a'): read-only questions are not supported",
        "survey row 3 ('b'): choice_filter (choices that depend on answers) is not supported",
        "survey row 4 ('c'): a calculation on a question is not supported",
    ]


def test_choice_names_must_be_ids_and_are_named_on_their_sheet(tmp_path: Path) -> None:
    choices = [
        ["list_name", "name", "label"],
        ["yn", "Yes", "Y"],  # row 2
        ["yn", "no", "N"],
        ["yn", "Not.Sure", "?"],  # row 4
    ]
    survey = [["select_one yn", "q", "Q"], ["select_multiple yn", "r", "R"]]
    error = refusal(tmp_path, survey, choices)
    # Each choice once, though two questions use the list.
    assert [(p.sheet, p.row, p.name) for p in error.problems] == [
        ("choices", 2, "Yes"),
        ("choices", 4, "Not.Sure"),
    ]


def test_names_that_clash_once_lower_cased_are_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, [["text", "Age", "A"], ["text", "age", "B"]])
    assert [(p.row, p.name) for p in error.problems] == [(2, "Age"), (3, "age")]
    assert "the names 'Age', 'age' all give the step id 'age'" in error.problems[0].reason


def test_languages_without_a_code_and_bad_versions_are_refused(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "lang.xlsx",
        [["text", "q", "Q", "Q"]],
        choices=[],
        settings=[["form_id", "version"], ["lang", "beta"]],
        header=["type", "name", "label::English (en)", "label::Klingon"],
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    assert [str(p) for p in caught.value.problems] == [
        "settings: version 'beta' holds no number",
        "survey: the language 'Klingon' has no two-letter code: write it as Klingon (xx), "
        "as in label::Klingon (xx)",
    ]


def test_what_pyxform_refuses_and_what_is_no_form(tmp_path: Path) -> None:
    missing = refusal(tmp_path, [["calculate", "total", None]])  # a calculate needs its formula
    assert "[row : 2]" in str(missing) and "calculation" in str(missing).lower()
    with pytest.raises(XLSFormError, match="there is no such file"):
        read_xlsform(tmp_path / "absent.xlsx")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(XLSFormError, match="not a spreadsheet deseo can read"):
        read_xlsform(junk)


def test_a_row_problem_reads_well() -> None:
    assert str(RowProblem("why", 3, "q")) == "survey row 3 ('q'): why"
    assert str(RowProblem("why", None, None, "settings")) == "settings: why"
    assert str(RowProblem("why", sheet=None)) == "why"


def test_imported_expressions_parse(family: Flow) -> None:
    for _, step in family.steps():
        if step.constraint:
            parse_expression(step.constraint)


def test_a_constraint_on_an_earlier_answer_acts_in_a_chat(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "household.xlsx",
        [
            ["integer", "adults", "How many adults?", None, None, "yes"],
            [
                "integer",
                "workers",
                "How many of them work?",
                None,
                None,
                "yes",
                None,
                ". <= ${adults}",
                "No more than the adults.",
            ],
        ],
        choices=[],
    )
    chat = Chat.start(read_xlsform(path))
    chat.send("3", "How many of them work?")
    chat.send("4", "! No more than the adults.")
    chat.send("2")
    assert chat.state.status == "completed", chat.transcript()
