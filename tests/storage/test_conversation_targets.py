"""Events sent to one conversation by its id, and only while it waits for the prompt a form
showed: how the web chat drives the conversation service."""

from __future__ import annotations

from typing import Any

from flows.conversation import engine
from flows.conversation.definitions import Flow
from flows.conversation.loading import parse_flow
from flows.conversation.messages import Reply
from flows.conversation.service import NOT_YOURS, Sender
from flows.people.model import Platform
from storage import Database
from tests.storage.test_conversations import counting_flow, service

ANNA = Sender(Platform.WEB, "anna", "Anna")
BRUNO = Sender(Platform.WEB, "bruno", "Bruno")


def words_flow() -> Flow:
    raw: dict[str, Any] = {
        "id": "words",
        "version": 1,
        "kind": "survey",
        "title": "Words",
        "languages": ["en"],
        "phases": [
            {
                "id": "only",
                "title": "Words",
                "steps": [
                    {"id": f"w{n}", "kind": "text", "text": f"Word {n}?"} for n in range(1, 4)
                ],
            }
        ],
    }
    return parse_flow(raw)


async def test_an_event_goes_to_the_conversation_named(database: Database) -> None:
    chat = service(database, counting_flow(), words_flow())
    counting = await chat.begin(ANNA, "count")
    words = await chat.begin(ANNA, "words")
    assert counting.conversation_id is not None and words.conversation_id is not None
    # The words conversation is current; the counting one is named, and answered.
    done = await chat.handle(ANNA, Reply("7"), conversation_id=counting.conversation_id)
    assert done.conversation_id == counting.conversation_id
    assert "Number 2?" in done.messages[-1].text
    # It is the current one now: an event without an id goes to it too.
    assert "Number 3?" in (await chat.handle(ANNA, Reply("8"))).messages[-1].text
    back = await chat.handle(ANNA, Reply("hello"), conversation_id=words.conversation_id)
    assert "Word 2?" in back.messages[-1].text

    found = await chat.conversation(ANNA, counting.conversation_id)
    assert found is not None and found[1].state.answer_values() == {"q1": 7, "q2": 8}


async def test_another_persons_conversation_is_out_of_reach(database: Database) -> None:
    chat = service(database, counting_flow())
    mine = await chat.begin(ANNA, "count")
    assert mine.conversation_id is not None
    await chat.begin(BRUNO, "count")
    refused = await chat.handle(BRUNO, Reply("5"), conversation_id=mine.conversation_id)
    assert refused.conversation_id is None
    assert refused.messages[0].text == NOT_YOURS
    assert await chat.conversation(BRUNO, mine.conversation_id) is None
    found = await chat.conversation(ANNA, mine.conversation_id)
    assert found is not None and found[1].state.answers == {}


async def test_an_event_for_an_earlier_prompt_is_not_applied(database: Database) -> None:
    chat = service(database, counting_flow())
    started = await chat.begin(ANNA, "count")
    number = started.conversation_id
    assert number is not None
    found = await chat.conversation(ANNA, number)
    assert found is not None
    first_tag = engine.prompt_tag(found[1].state)
    applied = await chat.handle(ANNA, Reply("1"), conversation_id=number, expect_tag=first_tag)
    assert not applied.stale and "Number 2?" in applied.messages[-1].text
    stale = await chat.handle(ANNA, Reply("2"), conversation_id=number, expect_tag=first_tag)
    assert stale.stale and stale.messages[0].kind == "notice"
    found = await chat.conversation(ANNA, number)
    assert found is not None and found[1].state.answer_values() == {"q1": 1}
    # A paused conversation waits for no answer, whatever the tag.
    await chat.handle(ANNA, Reply("cancel"), conversation_id=number)
    found = await chat.conversation(ANNA, number)
    assert found is not None and found[1].state.status == "paused"
    tag = engine.prompt_tag(found[1].state)
    paused = await chat.handle(ANNA, Reply("3"), conversation_id=number, expect_tag=tag)
    assert paused.stale
