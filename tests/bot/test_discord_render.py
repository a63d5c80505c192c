"""Outbound messages drawn for Discord: content within its limits, components it accepts."""

from __future__ import annotations

from typing import Any

import discord

from bot.commands import menu
from bot.discord_items import DYNAMIC_ITEMS
from bot.discord_render import (
    MAX_CONTENT,
    AnswerBox,
    answered,
    build_view,
    content_of,
    render,
    render_all,
    split_text,
)
from flows.conversation.messages import Option, Outbound


def question(**fields: Any) -> Outbound:
    defaults: dict[str, Any] = {
        "text": "Is there *one* place to ask?",
        "kind": "question",
        "options": (Option("yes", "Yes"), Option("no", "No")),
        "input_hint": "choice",
        "tag": "ab12cd34",
    }
    return Outbound(**(defaults | fields))


def components(view: discord.ui.View | None) -> list[dict[str, Any]]:
    assert view is not None
    return [c for row in view.to_components() for c in row["components"]]


def test_content_uses_discord_markdown_with_small_print() -> None:
    message = question(progress="Question 1 of 3", hint="Yes or no.")
    assert (
        content_of(message) == "-# Question 1 of 3\nIs there **one** place to ask?\n-# Yes or no."
    )
    assert content_of(Outbound("Nope", kind="error")) == "⚠️ Nope"
    assert content_of(Outbound("2 * 3 * 4 and *a* b")) == "2 * 3 * 4 and **a** b"


def test_long_text_is_split_with_the_buttons_on_the_last_part() -> None:
    paragraphs = "\n\n".join(f"Paragraph {n}. " + "word " * 90 for n in range(12))
    pieces = render(question(text=paragraphs))
    assert len(pieces) > 1
    assert all(len(p.content) <= MAX_CONTENT for p in pieces)
    assert all(p.view is None for p in pieces[:-1]) and pieces[-1].view is not None
    assert all(p.content.startswith("Paragraph") for p in pieces[:-1])
    assert split_text("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]


def test_one_button_per_option_with_parseable_ids() -> None:
    long = "A very long label " * 10
    drawn = components(build_view(question(options=(Option("a", long), Option("b", "B")))))
    assert [c["custom_id"] for c in drawn] == ["deseo:f:ab12cd34:0", "deseo:f:ab12cd34:1"]
    assert len(drawn[0]["label"]) <= 80 and drawn[0]["label"].endswith("very…")


def test_a_multiple_choice_shows_ticks_and_done() -> None:
    message = question(
        options=(Option("a", "Finance"), Option("b", "Training")),
        multiple=True,
        input_hint="choices",
        selected=("b",),
    )
    drawn = components(build_view(message))
    assert [(c["label"], c["style"], c["custom_id"]) for c in drawn] == [
        ("Finance", discord.ButtonStyle.secondary.value, "deseo:f:ab12cd34:t0"),
        ("✓ Training", discord.ButtonStyle.success.value, "deseo:f:ab12cd34:t1"),
        ("Done", discord.ButtonStyle.primary.value, "deseo:f:ab12cd34:done"),
    ]


def test_many_options_become_select_menus() -> None:
    options = tuple(Option(f"o{n}", f"Option {n}") for n in range(60))
    view = build_view(question(options=options, input_hint="text"))
    assert view is not None
    rows = view.to_components()
    selects = [c for row in rows for c in row["components"] if c["type"] == 3]
    assert [s["custom_id"] for s in selects] == [f"deseo:fs:ab12cd34:{n}" for n in range(3)]
    assert [len(s["options"]) for s in selects] == [25, 25, 10]
    assert selects[2]["options"][-1]["value"] == "59"
    assert rows[-1]["components"][0]["custom_id"] == "deseo:type:ab12cd34"
    assert len(rows) <= 5


def test_too_many_options_for_selects_keep_the_first_ones() -> None:
    options = tuple(Option(f"o{n}", f"Option {n}") for n in range(200))
    view = build_view(question(options=options, multiple=True, input_hint="choices"))
    rows = components(view)
    assert len([c for c in rows if c["type"] == 3]) == 4 and rows[-1]["label"] == "Done"
    assert rows[0]["min_values"] == 0 and rows[0]["max_values"] == 25


def test_a_typed_answer_question_gets_a_box_opener() -> None:
    message = Outbound("Which city?", kind="question", input_hint="text", step_id="city")
    assert [c["custom_id"] for c in components(build_view(message))] == ["deseo:type:s.city"]
    nameless = Outbound("Which city?", kind="question", input_hint="date")
    assert [c["custom_id"] for c in components(build_view(nameless))] == ["deseo:type:-"]
    assert build_view(Outbound("Just saying.")) is None


def test_menus_carry_their_option_ids() -> None:
    drawn = components(build_view(menu("Which one?", [Option("start:citess", "CitESS")])))
    assert [c["custom_id"] for c in drawn] == ["deseo:m:start:citess"]
    many = [Option(f"start:f{n}", f"Flow {n}") for n in range(30)]
    selects = components(build_view(menu("Which one?", many)))
    assert [s["custom_id"] for s in selects] == ["deseo:ms:0", "deseo:ms:1"]
    assert selects[0]["options"][0]["value"] == "start:f0"


def test_every_id_drawn_is_routed_by_a_registered_item() -> None:
    messages = [
        question(),
        question(options=tuple(Option(str(n), str(n)) for n in range(30)), input_hint="number"),
        question(multiple=True, input_hint="choices"),
        menu("Pick", [Option("lang:fr", "Français")]),
        menu("Pick", [Option(f"lang:{n}", str(n)) for n in range(30)]),
        Outbound("Which city?", kind="question", input_hint="text", step_id="city"),
    ]
    for message in messages:
        for component in components(build_view(message)):
            custom_id = component["custom_id"]
            assert len(custom_id) <= 100
            routes = [
                i for i in DYNAMIC_ITEMS if i.__discord_ui_compiled_template__.fullmatch(custom_id)
            ]
            assert len(routes) == 1, custom_id


def test_drawn_views_and_boxes_are_not_kept_by_discord_py() -> None:
    assert build_view(question()).is_finished()  # type: ignore[union-attr]
    box = AnswerBox("ab12cd34", "Which city are you in?")
    assert box.is_finished() and box.to_dict()["custom_id"] == "deseo:answer:ab12cd34"


def test_text_without_buttons_is_joined_into_few_messages() -> None:
    pieces = render_all([Outbound("Welcome"), Outbound("Part one"), question()])
    assert len(pieces) == 1
    assert pieces[0].content.startswith("Welcome\n\nPart one\n\nIs there")
    notice = render_all([Outbound("Old button", kind="notice"), Outbound("Hello")])
    assert [p.notice for p in notice] == [True, False]


def test_an_answer_is_quoted_under_its_prompt_within_the_limit() -> None:
    assert answered("Question?", "Yes") == "Question?\n>>> Yes"
    long = answered("Q" * 1990, "A" * 3000)
    assert len(long) <= MAX_CONTENT and long.startswith("Q") and "Q…\n>>> A" in long
