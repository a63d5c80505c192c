"""Control characters typed in a chat are not stored, and none reaches a terminal raw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import TELEGRAM
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.loading import parse_flow
from flows.conversation.messages import Reply
from flows.conversation.service import ConversationService, Sender
from storage import unit_of_work_factory

HOSTILE = "ok\x00\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\u202c\x85done"


def test_clean_answer_drops_controls_and_direction_overrides() -> None:
    from flows.conversation.text import clean_answer

    assert clean_answer(HOSTILE) == "ok[2J]0;owned31mevil\ndone"
    kept = "Siobhán\tsays: مرحبا 👋\nline two"
    assert clean_answer(kept) == kept
    assert clean_answer("a\r\nb\rc") == "a\nb\nc"


def test_the_forum_and_the_chats_clean_text_with_one_function() -> None:
    import forum.markdown
    from flows.conversation import text

    assert forum.markdown.clean_text is text.clean_text
    assert forum.markdown.clean_title is text.clean_title


def _flow() -> Any:
    return parse_flow(
        {
            "id": "say",
            "version": 1,
            "kind": "survey",
            "title": "Say",
            "languages": ["en"],
            "phases": [
                {
                    "id": "p",
                    "title": "P",
                    "steps": [
                        {"id": "words", "kind": "text", "text": "Say something"},
                        {"id": "end", "kind": "text", "text": "And?"},
                    ],
                }
            ],
        }
    )


async def test_the_conversation_service_stores_answers_cleaned(database: Any) -> None:
    clock = FixedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    chat = ConversationService(unit_of_work_factory(database), FlowCatalog([_flow()]), clock)
    who = Sender(TELEGRAM, "9", "Eve\u202e\x1b[31m", "en")
    await chat.begin(who, "say")
    await chat.handle(who, Reply(HOSTILE))
    stored = await chat.current(who)
    assert stored is not None
    assert stored.state.answers["words"].value == "ok[2J]0;owned31mevil\ndone"


def test_results_printed_in_a_terminal_escape_control_characters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from deseo.cli import results

    monkeypatch.setattr(results, "render_text", lambda found: f"q1\n  - {HOSTILE}\n")
    results.print_results(lambda: object(), results.ResultsFormat.text)  # type: ignore[arg-type,return-value]
    shown = capsys.readouterr().out
    assert not any(c in shown for c in "\x00\x1b\x07\x9b\u202e\u202c\x85")
    assert "q1\n  - ok\\x00\\x1b[2J" in shown
    assert "\\u202e" in shown
