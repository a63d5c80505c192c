"""The terminal rendering of outbound messages."""

from __future__ import annotations

from bot.console import render
from flows.conversation.messages import Option, Outbound


def test_choices_are_numbered_with_progress_and_hint() -> None:
    message = Outbound(
        "Is there *one* place to ask?",
        kind="question",
        options=(Option("yes", "Yes"), Option("no", "No")),
        input_hint="rating",
        hint="Yes or no.",
        progress="Phase 1 of 2 · question 1 of 3",
    )
    assert render(message) == (
        "[Phase 1 of 2 · question 1 of 3]\nIs there one place to ask?\n"
        "  1. Yes\n  2. No\nYes or no."
    )


def test_multiple_choice_shows_what_is_ticked() -> None:
    message = Outbound(
        "Needs?",
        kind="question",
        options=(Option("a", "Finance"), Option("b", "Training")),
        multiple=True,
        selected=("b",),
    )
    assert "1. [ ] Finance" in render(message) and "2. [x] Training" in render(message)


def test_errors_stand_out_and_color_is_optional() -> None:
    assert render(Outbound("Nope", kind="error")) == "! Nope"
    assert "\033[1m" in render(Outbound("*bold*"), color=True)
