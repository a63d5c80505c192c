"""Buttons: a press names its prompt, so an old button never answers a newer question."""

from __future__ import annotations

from flows.conversation import engine
from flows.conversation.catalog import FlowCatalog
from flows.conversation.messages import Press, Reply

DESEO = FlowCatalog.from_directory().get("deseo")


def test_every_prompt_with_options_carries_a_tag() -> None:
    _, out = engine.start(DESEO, "en")
    assert out[-1].options and out[-1].tag
    assert all(message.tag is None for message in out[:-1])


def test_a_press_picks_by_index_and_old_buttons_are_refused() -> None:
    state, out = engine.start(DESEO, "en")
    first_tag = out[-1].tag
    assert first_tag is not None
    state, out = engine.step(DESEO, state, Press(first_tag, "0"))  # Yes
    assert state.answers["std-a-shared-aims"].value == "yes"
    again, notice = engine.step(DESEO, state, Press(first_tag, "2"))
    assert again == state
    assert notice[0].kind == "notice"


def test_a_press_on_the_note_prompt_skips_and_commands_work() -> None:
    state, _ = engine.start(DESEO, "en")
    state, out = engine.step(DESEO, state, Reply("no"))
    assert state.awaiting == "note" and out[-1].tag
    state, out = engine.step(DESEO, state, Press(out[-1].tag or "", "0"))
    assert state.awaiting == "answer" and state.answers["std-a-shared-aims"].note is None
    state, out = engine.step(DESEO, state, Press(out[-1].tag or "", "back"))
    assert state.step_id == "std-a-shared-aims"


def test_a_press_on_a_paused_question_answers_it() -> None:
    state, out = engine.start(DESEO, "en")
    tag = out[-1].tag or ""
    state, _ = engine.step(DESEO, state, Reply("cancel"))
    assert state.status == "paused"
    state, _ = engine.step(DESEO, state, Press(tag, "0"))
    assert state.status == "open" and "std-a-shared-aims" in state.answers


def test_nonsense_actions_are_refused() -> None:
    state, out = engine.start(DESEO, "en")
    tag = out[-1].tag or ""
    for action in ("9", "t", "x1", "-1", "99999999"):
        same, notice = engine.step(DESEO, state, Press(tag, action))
        assert same == state and notice[0].kind == "notice"
