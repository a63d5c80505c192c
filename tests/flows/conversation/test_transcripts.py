"""Whole conversations with the engine, read as chats: the bundled flows and a synthetic one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from flows.conversation.definitions import Flow
from flows.conversation.engine import start, step
from flows.conversation.expression_functions import AnswerValue
from flows.conversation.loading import load_flow_file, parse_flow
from flows.conversation.messages import Command, Done, Pick, Reply, Toggle
from flows.conversation.report import build_report
from flows.conversation.state import Answer, State
from tests.flows.sample import every_kind
from tests.flows.transcript import Chat, Given, verify_dialog

CONTENT = Path(__file__).resolve().parents[3] / "flows" / "content"
CITESS = load_flow_file(CONTENT / "citess.yaml")
DESEO = load_flow_file(CONTENT / "deseo.yaml")
SAMPLE = every_kind()
RATINGS = ("yes", "partly", "no", "don't know")


def at(flow: Flow, step_id: str, **answers: AnswerValue) -> Chat:
    """A chat picked up at one question, with earlier answers given by step id (_ for -)."""
    given = {k.replace("_", "-"): Answer(value=v) for k, v in answers.items()}
    state = State(
        flow_id=flow.id,
        flow_version=flow.version,
        language="en",
        step_id=step_id,
        answers=given,
        history=tuple(given),
    )
    return Chat.resume(flow, state)


def answer_all(chat: Chat, answer: Callable[[str], Given], *, until: str | None = None) -> None:
    """Answer every question with `answer(step_id)`, skip notes and continue at phase breaks,
    until the flow ends or the question `until` is asked."""
    for _ in range(1000):
        state = chat.state
        if state.status == "completed" or (state.step_id == until and state.awaiting == "answer"):
            return
        if state.awaiting == "note":
            chat.send("skip")
        elif state.awaiting == "continue":
            chat.send("continue")
        else:
            assert state.awaiting == "answer", chat.transcript()
            chat.send(answer(str(state.step_id)))
    raise AssertionError("the flow never ended\n" + chat.transcript())


# --- CitESS -----------------------------------------------------------------------------------


def test_citess_first_phase_as_a_chat() -> None:
    chat = verify_dialog(
        CITESS,
        [
            ("yes", "Phase 1 of 5 · question 2 of 6"),
            # A note after a colon is taken with the answer, so no note is asked for.
            ("partly: only in the city", "Phase 1 of 5 · question 3 of 6"),
            ("no", "Would you like to add a note to that?"),
            ("Nobody talks to anybody", "question 4 of 6"),
            ("don't know", "add a note"),
            ("skip", "question 5 of 6"),
            # Three answers it cannot read: each is refused with the reason, the third with help.
            ("maybe", ["! Please answer yes, partly, no or don't know.", "question 5 of 6"]),
            ("perhaps", "! Please answer yes, partly, no or don't know."),
            ("dunno", ["Let me help.", "You may add a note after a colon", "question 5 of 6"]),
            ("back", ["question 4 of 6", "Your earlier answer: Don't know"]),
            ("help", ["Say back for the previous question", "cancel", "question 4 of 6"]),
            ("4", "add a note"),
            (Pick(("skip",)), "question 5 of 6"),
            (Pick(("partly",)), "add a note"),
            ("1", "question 6 of 6"),  # the number of the one option offered: skip
            ("restart", ["Start CitESS self-assessment again", "1. Yes, start again"]),
            ("no", "question 6 of 6"),
            ("cancel", "Your answers are kept"),
            ("resume", ["Welcome back to CitESS self-assessment", "question 6 of 6"]),
            (
                "1",
                [
                    "That is the end of Phase 0: your starting point.",
                    "2 yes, 2 partly, 1 no, 1 don't know (readiness 50%)",
                    "Gaps to work on:",
                    "• Are SSE actors and the organisations that support them well connected",
                    "Next: Phase 1: consultation. Continue now, or stop here",
                    "1. Continue",
                    "2. Stop for now",
                ],
            ),
        ],
        opening=[
            "*CitESS self-assessment*",
            "*Phase 0: your starting point*",
            '"partly: only in the city"',
            "[Phase 1 of 5 · question 1 of 6]",
            "Are there social and solidarity economy organisations",
            "1. Yes\n  2. Partly\n  3. No\n  4. Don't know",
        ],
    )
    answers = chat.state.answers
    assert answers["p0-support-services"] == Answer(value="partly", note="only in the city")
    assert answers["p0-interconnected"] == Answer(value="no", note="Nobody talks to anybody")
    assert answers["p0-actors-know-support"] == Answer(value="dont_know")
    assert answers["p0-actors-know-where"] == Answer(value="partly")
    assert (chat.state.awaiting, chat.state.step_id) == ("continue", "p1a-key-actors")


def test_citess_cancel_keeps_the_answers_and_resume_asks_the_same_question() -> None:
    chat = Chat.start(CITESS)
    chat.send("yes", "question 2 of 6")
    chat.send("cancel", "Stopped. Your answers are kept: say resume to go on")
    assert chat.state.status == "paused"
    assert chat.state.answers == {"p0-sse-initiatives": Answer(value="yes")}
    chat.send("resume", ["Welcome back to CitESS self-assessment", "question 2 of 6"])
    chat.expect("Can SSE initiatives in your territory find public or private support")
    assert (chat.state.status, chat.state.step_id) == ("open", "p0-support-services")


def test_citess_stop_at_a_phase_break_and_go_on_later() -> None:
    chat = Chat.start(CITESS)
    answer_all(chat, lambda _: "yes", until="p0-funders-know-whom")
    chat.run(
        [
            ("yes", ["readiness 100%", "No gaps in this phase.", "Next: Phase 1: consultation"]),
            ("stop", "Your answers are kept"),
        ]
    )
    assert chat.state.status == "paused"
    chat.run(
        [
            # Coming back after stopping at a break goes straight on to the next phase.
            ("resume", ["*Phase 1: consultation*", "[Phase 2 of 5 · question 1 of 32]"]),
            # Back from the first question of a phase goes to the last one of the phase before.
            ("back", ["[Phase 1 of 5 · question 6 of 6]", "Your earlier answer: Yes"]),
            ("no: nobody would", "Next: Phase 1: consultation"),
            ("help", ["cancel to stop", "Next: Phase 1: consultation"]),
            ("back", "If a funder or institution wanted to back SSE projects"),
            ("yes", "Next: Phase 1: consultation"),
            (Pick(("continue",)), "Phase 2 of 5 · question 1 of 32"),
        ]
    )
    assert chat.state.answers["p0-funders-know-whom"] == Answer(value="yes")


def test_citess_restart_confirmed_clears_the_answers() -> None:
    chat = Chat.start(CITESS)
    chat.run(
        [
            ("yes", "question 2 of 6"),
            ("restart", "Your answers so far will be cleared."),
            ("yes", ["Starting again.", "*CitESS self-assessment*", "question 1 of 6"]),
        ]
    )
    assert chat.state.answers == {}
    assert chat.state.history == ()
    chat.run([("restart", "Start CitESS"), (Pick(("restart-no",)), "question 1 of 6")])


def test_citess_answered_to_the_end_gives_the_report() -> None:
    chat = Chat.start(CITESS)
    turn = iter(range(10_000))
    answer_all(chat, lambda _: RATINGS[next(turn) % 4])
    assert chat.state.status == "completed"
    assert chat.state.step_id is None
    chat.expect(
        [
            "That is the end of Your territory's context.",
            "Thank you, that was the last question of CitESS self-assessment.",
            "Phase 0: your starting point: ",
            "Phase 3: making it last: ",
            "Your territory's context: ",
        ]
    )
    report = build_report(CITESS, chat.state.answers, "en", complete=True)
    for phase in report.phases:
        counts = phase.counts
        assert counts.rated == len(CITESS.phases[report.phases.index(phase)].questions)
        assert f"{phase.title}: {counts.yes} yes, {counts.partly} partly" in chat.reply
        assert f"(readiness {phase.readiness}%)" in chat.reply
    assert len(chat.state.answers) == 91
    chat.run(
        [
            ("yes", "You have finished CitESS self-assessment. Say restart"),
            ("back", "[Phase 5 of 5 · question 26 of 26]"),
        ]
    )
    assert chat.state.status == "open"


# --- DESEO ------------------------------------------------------------------------------------


def test_deseo_opening_and_a_condition_on_the_facilitator() -> None:
    chat = verify_dialog(
        DESEO,
        [("1", "question 2 of 7"), ("partly: only two partners so far", "question 3 of 7")],
        opening=[
            "*DESEO cluster check*",
            "*Objectives of the cluster*",
            "cancel to stop",
            "[Phase 1 of 6 · question 1 of 7]",
        ],
    )
    answer_all(chat, lambda _: "yes", until="std-l-facilitator")
    chat.send("no", "add a note")
    chat.send("skip", "Do you have a clear, agreed plan for how partners communicate")
    assert "std-l-facilitator-accepted" not in chat.state.answers
    chat.send("back", "Do you have a facilitator")
    chat.send("yes", "Do all partners accept the facilitator's role")


def test_deseo_answered_to_the_end() -> None:
    chat = Chat.start(DESEO)
    answer_all(chat, lambda step_id: "no" if step_id.startswith("tool-") else "yes")
    chat.expect(
        [
            "Gaps to work on:",
            "…and",
            "Thank you, that was the last question of DESEO cluster check.",
            "Objectives of the cluster: 7 yes, 0 partly, 0 no, 0 don't know (readiness 100%)",
            "Planning and evaluation tools: 0 yes, 0 partly, 27 no, 0 don't know (readiness 0%)",
        ]
    )
    report = build_report(DESEO, chat.state.answers, "en", complete=True)
    assert len(report.phases[-1].gaps) == 27


# --- the synthetic flow: every kind of question ------------------------------------------------


def test_single_choice_by_number_label_beginning_and_id() -> None:
    for given, value in [
        ("2", "org"),
        ("An organisation", "org"),
        ("an org", "org"),
        ("Una città", "city"),
        (Pick(("person",)), "person"),
    ]:
        chat = at(SAMPLE, "role")
        chat.send(given, "What do you need?")
        assert chat.state.answers["role"].value == value
    chat = at(SAMPLE, "role")
    chat.run(
        [
            ("4", ["! I did not find '4' among the choices.", "Who are you?"]),
            (Pick(("nope",)), "! I did not find 'nope' among the choices."),
            ("1, 2", "! I did not find '1, 2' among the choices."),
            (Pick(("city", "org")), "! Pick one: send its number or its name."),
            (Toggle("city"), "Who are you?"),
            (Done(), "Who are you?"),
        ]
    )
    assert chat.state.answers == {}


@pytest.mark.parametrize(
    ("given", "value"),
    [
        ("1, 3", ["funding", "space"]),
        ("3,1", ["funding", "space"]),
        ("2 and 4", ["training", "legal"]),
        ("Legal advice, funding", ["funding", "legal"]),
        ("office", ["space"]),
        (Pick(("legal", "training")), ["training", "legal"]),
    ],
)
def test_multiple_choice_by_numbers_labels_and_ids(given: Given, value: list[str]) -> None:
    chat = at(SAMPLE, "needs")
    chat.send(given, "Are you ready to start?")
    assert chat.state.answers["needs"].value == value


def test_multiple_choice_by_toggles_and_done() -> None:
    chat = at(SAMPLE, "needs")
    chat.expect(["[Phase 1 of 3 · question 2 of 4]", "Pick 1 to 3", "1. [ ] Funding"])
    chat.run(
        [
            (Toggle("funding"), "1. [x] Funding"),
            (Toggle("space"), ["1. [x] Funding", "3. [x] Office space"]),
            (Toggle("funding"), ["1. [ ] Funding", "3. [x] Office space"]),
            (Toggle("nope"), "3. [x] Office space"),
            (Toggle("training"), "2. [x] Training"),
            (Done(), "Are you ready to start?"),
        ]
    )
    assert chat.state.answers["needs"].value == ["training", "space"]
    assert chat.state.selection == ()


def test_multiple_choice_refuses_too_many_none_and_unknown() -> None:
    chat = at(SAMPLE, "needs")
    chat.run(
        [
            ("1, 2, 3, 4", "! Please pick between 1 and 3."),
            (Done(), "! Please pick between 1 and 3."),
            ("1, 9", "! I did not find '9' among the choices."),
            ("funding, cake", "! I did not find 'cake' among the choices."),
            (Pick(("funding", "cake")), "! I did not find 'cake' among the choices."),
        ]
    )
    assert "needs" not in chat.state.answers


@pytest.mark.parametrize(
    ("given", "value", "note"),
    [
        ("yes", "yes", None),
        ("Yes.", "yes", None),
        ("P", "partly", None),
        ("4", "dont_know", None),
        ("not sure", "dont_know", None),
        ("no - not yet", "no", "not yet"),
        ("partly: only in the city", "partly", "only in the city"),
        ("yes, and it works", "yes", "and it works"),
        (Pick(("no",)), "no", None),
    ],
)
def test_rating_by_word_number_id_and_inline_note(
    given: Given, value: str, note: str | None
) -> None:
    chat = at(SAMPLE, "ready")
    chat.send(given)
    assert chat.state.answers["ready"] == Answer(value=value, note=note)
    asks_note = note is None and value != "yes"
    assert chat.state.awaiting == ("note" if asks_note else "answer")


def test_rating_note_follow_up() -> None:
    chat = at(SAMPLE, "ready")
    chat.run(
        [
            ("no", ["Would you like to add a note to that?", "1. Skip"]),
            ("back", "Are you ready to start?"),
            ("don't know", "add a note"),
            ("help", ["Type your answer.", "say skip"]),
            ("   ", "add a note"),
            (Pick(("partly",)), "add a note"),
            ("We still need a treasurer.", "How confident are you?"),
        ]
    )
    assert chat.state.answers["ready"] == Answer(
        value="dont_know", note="We still need a treasurer."
    )
    for skipping in ("skip", "1", "no", Pick(("skip",)), Command("skip")):
        chat = at(SAMPLE, "ready")
        chat.send("partly", "add a note")
        chat.send(skipping, "How confident are you?")
        assert chat.state.answers["ready"] == Answer(value="partly")


def test_odd_rating_answers_are_refused_not_fatal() -> None:
    chat = at(SAMPLE, "ready")
    for odd in ("²", "0", "5", "1" * 5000, "", Pick(()), Pick(("yes", "no")), Pick(("city",))):
        chat.send(odd, "! Please answer yes, partly, no or don't know.")
    chat.expect("Let me help.")
    assert chat.state.invalid == 8


def test_scale() -> None:
    chat = at(SAMPLE, "confidence")
    chat.expect(["A whole number from 1 to 5.", "1. 1", "5. 5"])
    chat.run(
        [
            ("0", "! That is below 1."),
            ("6", "! That is above 5."),
            ("3.5", "! Please send a whole number."),
            ("very", "! Please send a whole number."),
            (Pick(("4",)), "That is the end of About you."),
        ]
    )
    assert chat.state.answers["confidence"].value == 4


@pytest.mark.parametrize(("given", "value"), [("3,5", 3.5), ("12", 12.0), ("0", 0.0)])
def test_number_with_a_decimal_comma(given: str, value: float) -> None:
    chat = at(SAMPLE, "staff")
    chat.expect(["[Phase 2 of 3 · question 1 of 2]", "A number from 0 to 500."])
    chat.send(given, "[Phase 2 of 3 · question 2 of 2]")
    assert chat.state.answers["staff"].value == value


def test_number_bounds_and_nonsense() -> None:
    chat = at(SAMPLE, "staff")
    chat.run(
        [
            ("-1", "! That is below 0."),
            ("500,5", "! That is above 500."),
            ("lots", "! Please send a number, such as 12 or 3.5."),
            ("1,000.5", "! Please send a number"),
        ]
    )
    # With no upper bound, hundreds of digits are still not a number that can be kept.
    chat = at(SAMPLE, "space-size", needs=["space"])
    chat.send("1" + "0" * 400, "! Please send a number")
    chat.send("1 000", "")
    assert chat.state.answers["space-size"].value == 1000.0


@pytest.mark.parametrize("given", ["2026-03-31", "31/03/2026", "31.03.2026"])
def test_date_in_either_form(given: str) -> None:
    chat = at(SAMPLE, "start-date")
    chat.expect("A date, such as 2026-03-31 or 31/03/2026.")
    chat.send(given, "That is the end of Numbers and dates.")
    assert chat.state.answers["start-date"].value == "2026-03-31"


def test_date_bounds_and_nonsense() -> None:
    chat = at(SAMPLE, "start-date")
    chat.run(
        [
            ("2019-12-31", "! That is before 2020-01-01."),
            ("01/01/2031", "! That is after 2030-12-31."),
            ("31/02/2026", "! Please send a date, such as 2026-03-31."),
            ("tomorrow", "! Please send a date"),
        ]
    )
    chat.send("2020-01-01", "Next: A few more things.")


def test_text_pattern_length_and_optional_skip() -> None:
    chat = at(SAMPLE, "postcode")
    chat.run(
        [
            ("ABC", "! A postcode has five digits."),
            ("skip", ["! This question needs an answer, so it cannot be skipped.", "postcode"]),
            ("  12345  ", ["Anything to add", "(optional: say skip to leave it out)"]),
            ("This is far too long for twenty", "! That is too long: at most 20 characters"),
            ("skip", "Thank you, that was the last question of Every kind."),
        ]
    )
    assert chat.state.answers["postcode"].value == "12345"
    assert chat.state.answers["comment"] == Answer(value=None)


def test_three_invalid_answers_offer_help_and_skip_when_optional() -> None:
    chat = at(SAMPLE, "comment")
    for _ in range(2):
        chat.send("x" * 21, "too long")
        assert "Let me help." not in chat.reply
    chat.send("x" * 21, ["Let me help. Type your answer.", "You can also say skip"])
    chat = at(SAMPLE, "role")
    for given in ("7", "8", "9"):
        chat.send(given)
    chat.expect("Let me help. Pick the one that fits best.")
    assert "You can also say skip" not in chat.reply
    chat.send("1", "What do you need?")
    assert chat.state.invalid == 0


def play(answers: Mapping[str, Given]) -> list[str]:
    """Go through the synthetic flow with these answers; the questions asked, in order."""
    chat = Chat.start(SAMPLE)

    def answer(step_id: str) -> Given:
        assert step_id in answers, f"{step_id} was asked\n" + chat.transcript()
        return answers[step_id]

    answer_all(chat, answer)
    return list(chat.state.history)


BASE: dict[str, Given] = {
    "role": "city",
    "needs": "1, 3",
    "ready": "yes",
    "confidence": "5",
    "staff": "12",
    "start-date": "2026-03-31",
    "postcode": "12345",
    "comment": "hello",
}
FIRST = ["role", "needs", "ready", "confidence", "staff", "start-date", "postcode", "comment"]
FOLLOW_UPS = {
    "space-size": "20",
    "city-name": "Cork",
    "org-kind": "1",
    "big-team": "yes",
    "why-comment": "skip",
    "eager": "7",
}


@pytest.mark.parametrize(
    ("changes", "then"),
    [
        ({}, ["space-size", "city-name", "big-team", "why-comment", "eager"]),
        # includes, equals and gt fail; skipped means not answered; all/any/not fail
        (
            {"role": "org", "needs": "1", "ready": "no", "staff": "10", "comment": "skip"},
            ["org-kind"],
        ),
        # any(ge 4, not city) fails for a city with confidence 3
        ({"confidence": "3", "needs": "2"}, ["city-name", "big-team", "why-comment"]),
        # ...and holds through `not` for anyone else
        (
            {"role": "person", "confidence": "1", "staff": "10,5"},
            ["space-size", "org-kind", "big-team", "why-comment", "eager"],
        ),
    ],
)
def test_conditions_pass_over_steps(changes: dict[str, Given], then: list[str]) -> None:
    answers = {**BASE, **changes, **FOLLOW_UPS}
    assert play(answers) == FIRST + then


def test_going_back_and_changing_an_answer_changes_what_follows() -> None:
    chat = Chat.start(SAMPLE)
    answer_all(chat, lambda s: {**BASE, **FOLLOW_UPS}[s], until="big-team")
    chat.run(
        [
            ("back", ["Which city?", "Your earlier answer: Cork"]),
            ("back", "How many square metres"),
            ("back", "Anything to add"),
            ("back", "What is your postcode?"),
            # Back passes over the phase break.
            ("back", "When do you plan to start?"),
            ("back", "How many people work with you"),
            ("back", "How confident are you?"),
            ("back", "Are you ready to start?"),
            ("back", "What do you need?"),
            ("back", ["Who are you?", "Your earlier answer: A city"]),
            ("back", ["! This is the first question.", "Who are you?"]),
            ("2", ["What do you need?", "Your earlier answer: Funding, Office space"]),
        ]
    )
    answer_all(chat, lambda s: {**BASE, **FOLLOW_UPS}[s])
    assert "city-name" not in chat.state.history
    assert chat.state.history[-4:] == ("org-kind", "big-team", "why-comment", "eager")
    # The answer given before is kept, but the report leaves out a step passed over.
    assert "city-name" in chat.state.answers
    lines = build_report(SAMPLE, chat.state.answers, "en", complete=True).phases[2].lines
    assert "city-name" not in {line.step_id for line in lines}


def test_progress_strings() -> None:
    chat = Chat.start(SAMPLE)
    chat.expect("[Phase 1 of 3 · question 1 of 4]")
    answer_all(chat, lambda s: BASE[s], until="staff")
    chat.expect(["*Numbers and dates*", "[Phase 2 of 3 · question 1 of 2]"])
    answer_all(chat, lambda s: BASE[s], until="comment")
    chat.expect("[Phase 3 of 3 · question 2 of 7]")


def test_a_small_assessment_to_the_end_with_its_report() -> None:
    tiny = parse_flow(
        {
            "id": "tiny",
            "version": 1,
            "kind": "assessment",
            "title": "Tiny check",
            "languages": ["en"],
            "phases": [
                {
                    "id": "only",
                    "title": "The only phase",
                    "steps": [
                        {
                            "id": f"q{n}",
                            "kind": "rating",
                            "source": f"citess:phase0:{n}",
                            "text": f"Question {n}?",
                            "note": True,
                            "advice": f"Advice {n}.",
                        }
                        for n in (1, 2, 3)
                    ],
                }
            ],
        }
    )
    chat = verify_dialog(
        tiny,
        [
            ("yes", "[Question 2 of 3]"),
            ("partly: halfway", "[Question 3 of 3]"),
            ("no", "add a note"),
            (
                "Nothing yet",
                [
                    "Thank you, that was the last question of Tiny check.",
                    "The only phase: 1 yes, 1 partly, 1 no, 0 don't know (readiness 50%).",
                ],
            ),
        ],
        opening=["*Tiny check*", "*The only phase*", "[Question 1 of 3]"],
    )
    # One phase: no phase summary before the end.
    assert "That is the end of" not in chat.reply
    assert [m.kind for m in chat.last] == ["info", "report"]
    report = build_report(tiny, chat.state.answers, "en", complete=True)
    (gap,) = report.phases[0].gaps
    assert (gap.step_id, gap.advice, gap.note) == ("q3", "Advice 3.", "Nothing yet")


def test_a_survey_ends_without_a_readiness_report() -> None:
    chat = Chat.start(SAMPLE)
    answer_all(chat, lambda s: {**BASE, **FOLLOW_UPS}[s])
    chat.expect(["That is the end of A few more things.", "last question of Every kind"])
    assert all(m.kind != "report" for m in chat.last)


def test_cancel_and_resume_at_each_kind_of_wait() -> None:
    chat = at(SAMPLE, "ready")
    chat.run(
        [
            ("partly", "add a note"),
            ("cancel", "Stopped. Your answers are kept"),
            ("cancel", "Saved."),
            ("anything", ["Welcome back to Every kind.", "add a note"]),
            ("restart", "Start Every kind again"),
            ("2", "add a note"),
        ]
    )
    assert chat.state.status == "open"
    chat = at(SAMPLE, "confidence", role="city", ready="yes")
    chat.run([("3", "Next: Numbers and dates."), ("stop", "Your answers are kept")])
    # Resuming after a stop at a phase break goes straight on to the next phase.
    chat.run([(Command("resume"), ["Numbers and dates", "question 1 of 2"])])


def test_finished_conversations_stay_finished_until_restarted() -> None:
    chat = Chat.start(SAMPLE)
    answer_all(chat, lambda s: {**BASE, **FOLLOW_UPS}[s])
    chat.run(
        [
            ("hello", "You have finished Every kind."),
            (Pick(("yes",)), "You have finished"),
            ("cancel", "You have finished"),
            ("restart", "Start Every kind again"),
            ("no", "You have finished"),
        ]
    )
    assert chat.state.status == "completed"
    chat.run([("restart", "Start Every kind again"), ("yes", "Who are you?")])
    assert chat.state.answers == {}


def test_the_persons_language_with_english_as_fallback() -> None:
    chat = verify_dialog(
        SAMPLE,
        [
            ("indietro", "This is the first question."),
            ("Una città", "[Fase 1 di 3 · domanda 2 di 4]"),
            ("1", "Are you ready to start?"),
            ("in parte", "Vuoi aggiungere una nota?"),
            ("salta", "How confident are you?"),
        ],
        opening=["*Chi sei*", "Chi sei?", "1. Una città", "[Fase 1 di 3 · domanda 1 di 4]"],
        language="it",
    )
    assert chat.state.language == "it"
    assert start(SAMPLE, "de")[0].language == "en"


def test_a_state_of_another_flow_is_refused() -> None:
    state, _ = start(SAMPLE)
    with pytest.raises(ValueError, match="every-kind"):
        step(CITESS, state, Reply("yes"))


def test_buttons_answer_the_prompt_they_belong_to() -> None:
    chat = at(SAMPLE, "needs")
    old = chat.press("0")
    # Each press is made from the prompt just shown, so the turns are sent one by one.
    chat.send(chat.press("t0"), "1. [x] Funding")
    chat.send(chat.press("t2"), "3. [x] Office space")
    chat.send(chat.press("done"), "Are you ready to start?")
    chat.send(old, "That button belongs to an earlier question")
    chat.send(chat.press("2"), "add a note")
    chat.send(chat.press("0"), "How confident are you?")
    chat.send(chat.press("back"), "Are you ready to start?")
    assert chat.state.answers["needs"].value == ["funding", "space"]
    assert chat.state.answers["ready"] == Answer(value="no")
