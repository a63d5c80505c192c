"""The two DESEO surveys, Messina's work-life balance questionnaire and the West Cork social
enterprise survey, read as chats: one path where their conditions pass questions over and one
where they show them, plus checks on their sources and on the information-desk themes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from flows.conversation.definitions import Flow, MessageStep, MultipleStep
from flows.conversation.loading import load_flow_file
from tests.flows.transcript import Chat, Given, verify_dialog

CONTENT = Path(__file__).resolve().parents[3] / "flows" / "content"
MESSINA = load_flow_file(CONTENT / "messina.yaml")
CORK = load_flow_file(CONTENT / "cork.yaml")
DESK_THEMES = {
    "decentralised-contracting",
    "work-family",
    "parental-leave",
    "maternity",
    "telecommuting",
    "discrimination",
    "mobbing",
}


def question_ids(flow: Flow) -> list[str]:
    return [step.id for _, step in flow.steps() if not isinstance(step, MessageStep)]


def finish(chat: Chat, answers: Mapping[str, Given], default: Given = "1") -> list[str]:
    """Answer on to the end, each question with `answers[step id]` or `default`, continuing at
    every phase break; the ids of the questions asked on the way."""
    asked: list[str] = []
    for _ in range(200):
        state = chat.state
        if state.status == "completed":
            return asked
        if state.awaiting == "continue":
            chat.send("continue")
            continue
        assert state.awaiting == "answer" and state.step_id is not None, chat.transcript()
        asked.append(state.step_id)
        reply = chat.send(answers.get(state.step_id, default))
        assert not reply.startswith("! "), chat.transcript()
    raise AssertionError("the survey never ended\n" + chat.transcript())


# --- both surveys -----------------------------------------------------------------------------


@pytest.mark.parametrize("flow", [MESSINA, CORK], ids=lambda f: f.id)
def test_every_question_names_its_section_as_source(flow: Flow) -> None:
    for phase in flow.phases:
        numbers = []
        for question in phase.questions:
            assert question.source is not None, question.id
            name, section, number = question.source.split(":")
            assert (name, section) == (flow.id, phase.id), question.id
            numbers.append(int(number))
        assert numbers == list(range(1, len(numbers) + 1)), phase.id


@pytest.mark.parametrize("flow", [MESSINA, CORK], ids=lambda f: f.id)
def test_a_survey_of_the_asked_size_that_opens_by_saying_how_to_answer(flow: Flow) -> None:
    assert flow.kind == "survey" and flow.languages == ("en",) and flow.version == 1
    assert 25 <= len(question_ids(flow)) <= 35
    first = flow.phases[0].steps[0]
    assert isinstance(first, MessageStep)
    text = first.text["en"]
    for word in ("minutes", "skip", "back", "cancel", "resume"):
        assert word in text, word


def test_the_desk_themes_are_the_seven_of_the_messina_desk() -> None:
    (themes,) = [s for _, s in MESSINA.steps() if s.id == "desk-themes"]
    assert isinstance(themes, MultipleStep)
    assert {c.id for c in themes.choices} == DESK_THEMES
    assert len(themes.choices) == 7


def test_messina_says_answers_are_only_for_statistics() -> None:
    first = MESSINA.phases[0].steps[0]
    assert "only for overall statistics" in " ".join(first.text["en"].split())


# --- Messina ----------------------------------------------------------------------------------


def test_messina_without_children_or_care_passes_the_follow_ups_over() -> None:
    chat = verify_dialog(
        MESSINA,
        [
            ("skip", "How old are you?"),
            ("40 to 49", "family situation"),
            ("partner", "Do you have children?"),
            ("yes", ["How many children", "question 5 of 9"]),
            # Going back and changing the answer hides the questions about children again.
            ("back", ["Do you have children?", "Your earlier answer: Yes"]),
            ("no", ["Do you look after an older, ill or disabled relative?", "question 5 of 7"]),
            ("no", ["That is the end of Your family situation", "Next: Education and training"]),
            ("continue", ["highest level of education", "Phase 2 of 6 · question 1 of 4"]),
            ("degree", "training for your job"),
            ("no", ["What training would be most useful", "question 3 of 3"]),
            ("skip", "Next: Work and working conditions"),
            ("continue", "Where do you work?"),
            ("platform", "What kind of contract"),
            ("permanent", "full time or part time"),
            ("full time", ["hours a week", "question 4 of 7"]),
            ("38", "position"),
            ("specialist", "adjust your working hours"),
            ("partly", "How well do you manage"),
            ("3", ["That is the end of", "Next: Rights and equal opportunities"]),
            ("continue", "parental leave"),
            ("yes", "pregnancy"),
            ("don't know", "direct and indirect"),
            # Only city staff are asked about the city's committee.
            ("no", ["Have you ever used a measure", "question 4 of 6"]),
            ("no", ["Where do you usually look", "question 5 of 5"]),
            ("colleagues, internet", ["That is the end of", "Next: Your needs"]),
            ("continue", "Which of these would help you most?"),
            ("1, 4", "biggest difficulty"),
            ("skip", "treated unfairly"),
            ("skip", "Next: The information desk"),
            ("continue", ["Which of these themes", "Mobbing (bullying at work)"]),
            # No theme chosen, so no question on how to receive the information.
            ("skip", ["any other topic", "question 2 of 2"]),
            ("skip", "Thank you, that was the last question"),
        ],
        opening=[
            "Work-life balance questionnaire (Messina)",
            "only for overall statistics",
            "cancel to stop",
            "What is your gender?",
            "Phase 1 of 6 · question 1 of 9",
        ],
    )
    state = chat.state
    assert state.status == "completed"
    hidden = {
        "children-count",
        "children-ages",
        "care-hours",
        "care-share",
        "training-fit",
        "part-time-reason",
        "know-committee",
        "measures-used",
        "desk-channel",
    }
    assert hidden.isdisjoint(state.answers)
    assert state.answers["gender"].value is None
    assert state.answers["desk-themes"].value is None
    assert state.answers["working-time"].value == "full-time"


def test_messina_parent_carer_part_time_at_the_city_sees_every_question() -> None:
    chat = verify_dialog(
        MESSINA,
        [
            ("woman", "How old are you?"),
            ("30 to 39", "family situation"),
            ("separated", "Do you have children?"),
            ("yes", "How many children"),
            ("2", ["How old are your children?", "Under 3"]),
            ("1, 3", "Do you look after"),
            ("yes", ["how many hours a week", "question 8 of 9"]),
            ("12", ["who does most of the caring", "question 9 of 9"]),
            ("mostly me", "Next: Education and training"),
            ("continue", "highest level of education"),
            ("secondary", "training for your job"),
            ("yes", ["fit with your family commitments", "question 3 of 4"]),
            ("partly", "What training would be most useful"),
            ("rights at work", "Next: Work and working conditions"),
            ("continue", "Where do you work?"),
            ("city", "contract"),
            ("fixed-term", "full time or part time"),
            ("part time", ["main reason you work part time", "question 4 of 8"]),
            ("looking after children", "hours a week"),
        ],
    )
    asked = finish(
        chat,
        {
            "weekly-hours": "24",
            "balance": "2",
            "know-committee": "no",
            "used-measures": "yes",
            "measures-used": "1, 4",
            "biggest-difficulty": "School hours end before my shift does",
            "desk-themes": "parental, mobbing",
            "desk-channel": "in person, email",
            "desk-other": "Pensions after part time",
        },
    )
    assert "know-committee" in asked and "measures-used" in asked and "desk-channel" in asked
    state = chat.state
    assert state.status == "completed"
    assert set(state.answers) == set(question_ids(MESSINA))
    assert state.answers["children-ages"].value == ["under-3", "6-10"]
    assert state.answers["care-hours"].value == 12
    assert state.answers["part-time-reason"].value == "children"
    assert state.answers["desk-themes"].value == ["parental-leave", "mobbing"]
    assert state.answers["desk-channel"].value == ["in-person", "email"]


# --- Cork ---------------------------------------------------------------------------------------


def test_cork_volunteer_run_enterprise_passes_the_follow_ups_over() -> None:
    chat = verify_dialog(
        CORK,
        [
            ("housing", ["What is its legal form?", "question 2 of 5"]),
            ("co-operative", "In what year"),
            ("2031", "! That is above 2026."),
            ("1998", "Where in West Cork"),
            ("beara", "Which groups do you mainly serve?"),
            ("women, single parents", "Next: Your people"),
            ("continue", ["How many women are on your paid staff?", "Phase 2 of 5"]),
            ("0", "How many men"),
            ("0", "Who manages"),
            ("volunteers", "How many women sit on your board"),
            ("0", "How many men sit on your board"),
            # No board members, so no question on who chairs it.
            ("0", ["Do volunteers work with you?", "question 6 of 8"]),
            ("no", "Next: Equal opportunities"),
            ("continue", "written equal opportunities policy"),
            # No paid staff, so no questions on flexible working.
            ("no", ["help your staff or volunteers with childcare", "question 2 of 5"]),
            ("no", "same chances of training"),
            ("yes", "training or work experience"),
            ("yes", "one thing you do"),
            ("skip", ["That is the end of", "Next: Support you need"]),
            ("continue", "What support would help"),
            # Neither finance nor premises, so no question on either.
            ("networks, training", ["Who would you like that support", "question 2 of 3"]),
            ("2, 7", "one support agency"),
            ("4", "Next: Working together"),
            ("continue", "already work with other social enterprises"),
            ("no", ["How interested would you be", "question 2 of 6"]),
            ("2", ["What makes you hesitant", "question 3 of 5"]),
            ("We are too few and too busy", "improve equal opportunities"),
            ("3", "Any other ideas"),
            ("skip", "Thank you, that was the last question"),
        ],
        opening=[
            "West Cork social enterprise survey",
            "say resume to carry on later",
            "What is your main field of activity?",
            "Phase 1 of 5 · question 1 of 6",
        ],
    )
    state = chat.state
    assert state.status == "completed"
    hidden = {
        "sector-other",
        "board-chair",
        "volunteers-women",
        "volunteers-men",
        "flexible-working",
        "flexible-kinds",
        "finance-kind",
        "premises-kind",
        "cooperation-forms",
        "meeting-frequency",
    }
    assert hidden.isdisjoint(state.answers)
    assert state.answers["cluster-doubts"].value == "We are too few and too busy"
    assert state.answers["support-from"].value == ["county-council", "other-social-enterprises"]


def test_cork_staffed_enterprise_keen_to_cluster_sees_the_follow_ups() -> None:
    chat = verify_dialog(
        CORK,
        [
            ("something else", ["In a few words, what is your field?", "question 2 of 6"]),
            ("Community radio", "legal form"),
            ("company limited by guarantee", "In what year"),
            ("2004", "Where in West Cork"),
            ("skibbereen", "Which groups"),
            ("7", "Next: Your people"),
            ("continue", "How many women are on your paid staff?"),
            ("4", "How many men"),
            ("2", "Who manages"),
            ("a woman", "How many women sit on your board"),
            ("5", "How many men sit on your board"),
            ("4", ["Who chairs the board?", "question 6 of 9"]),
            ("a man", "Do volunteers work with you?"),
            ("yes", ["how many of your volunteers are women", "question 8 of 9"]),
            ("20", "volunteers are men"),
            ("12", "Next: Equal opportunities"),
            ("continue", "written equal opportunities policy"),
            ("yes", ["flexible ways of working", "question 2 of 7"]),
            ("partly", ["Which ones?", "Job sharing"]),
            ("1, 3", "childcare"),
        ],
    )
    asked = finish(
        chat,
        {
            "eo-example": "Evening shifts for parents",
            "support-needed": "finance, premises, publicity",
            "finance-kind": "loans",
            "premises-kind": "2, 3",
            "support-from": "1, 3, 4",
            "support-agency": "5",
            "works-with-others": "partly",
            "cooperation-forms": "4, 6",
            "cluster-interest": "4",
            "meeting-frequency": "every month",
            "equality-benefit": "4",
            "views": "A shared craft centre",
        },
        default="yes",
    )
    for shown in ("finance-kind", "premises-kind", "cooperation-forms", "meeting-frequency"):
        assert shown in asked, shown
    assert "cluster-doubts" not in asked
    state = chat.state
    assert state.status == "completed"
    assert set(state.answers) == set(question_ids(CORK)) - {"cluster-doubts"}
    assert state.answers["flexible-kinds"].value == ["flexible-hours", "job-sharing"]
    assert state.answers["premises-kind"].value == ["workshop", "meeting-space"]
    assert state.answers["support-from"].value == [
        "development-partnership",
        "social-lender",
        "credit-union",
    ]
