"""The rules of following a forum thread from a chat, without a store: how a thread is named,
who may make a chat follow one, and the notices a new post makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import DISCORD, TELEGRAM
from flows.people.chats import ChatRef
from flows.people.model import PersonRef, Role
from flows.threads.model import (
    NOTICE_KIND,
    NOTICE_LIFETIME,
    WatchedThread,
    may_watch,
    new_post_message,
    notice_key,
    notices,
    snippet,
    thread_id_of,
)
from tests.bot.platforms import registered

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
THREAD = WatchedThread(12, "Agenda for Messina", public=True)
PRIVATE = ChatRef(TELEGRAM, "4242")
GROUP = ChatRef(TELEGRAM, "-100777")
CHANNEL = ChatRef(DISCORD, "55501")


def person(*roles: Role) -> PersonRef:
    return PersonRef(1, "Aoife", "en", "UTC", frozenset({Role.MEMBER, *roles}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" #12 ", 12),
        ("https://forum.example/threads/12", 12),
        ("https://forum.example/threads/12?page=3#post-40", 12),
        ("http://127.0.0.1:8000/threads/7/", 7),
        ("/threads/9", 9),
        ("", None),
        ("twelve", None),
        ("https://forum.example/posts/12", None),
        ("https://forum.example/threads/12abc", None),
        ("-3", None),
        ("1" * 13, None),
    ],
)
def test_a_thread_is_named_by_its_number_or_its_address(text: str, expected: int | None) -> None:
    assert thread_id_of(text) == expected


def test_anyone_watches_from_a_private_chat_but_a_shared_chat_needs_a_coordinator() -> None:
    assert may_watch(person(), private=True)
    assert not may_watch(person(), private=False)
    assert not may_watch(person(Role.ENTREPRENEUR, Role.PARTNER), private=False)
    assert may_watch(person(Role.COORDINATOR), private=False)
    assert may_watch(person(Role.MODERATOR), private=False)
    assert may_watch(person(Role.ADMIN), private=False)


def test_a_snippet_is_cut_at_a_word_with_an_ellipsis() -> None:
    assert snippet("  short   and\nsweet ") == "short and sweet"
    long = "word " * 100
    cut = snippet(long)
    assert cut.endswith("…") and len(cut) <= 201
    assert set(cut.removesuffix("…").split()) == {"word"}
    assert snippet("x" * 300) == "x" * 200 + "…"


def test_the_notice_names_the_thread_the_author_and_links_the_post() -> None:
    message = new_post_message("Agenda", "Bríd", "See you **there**", "https://f.example/posts/3")
    assert (
        message.text == "New post in “Agenda” by Bríd: See you **there**\nhttps://f.example/posts/3"
    )
    assert "a former member" in new_post_message("Agenda", None, "x", "u").text


def test_one_notice_per_following_chat_but_none_to_the_authors_own() -> None:
    items = notices(
        THREAD,
        40,
        "Bríd",
        "Here is the agenda. " * 30,
        [PRIVATE, GROUP, CHANNEL],
        public_url="https://forum.example/",
        now=NOW,
        skip=registered().recognised([(TELEGRAM, "4242")]),
    )
    assert [i.chat for i in items] == [GROUP, CHANNEL]
    first = items[0]
    assert first.key == "thread/12/post/40/telegram:-100777"
    assert first.key == notice_key(12, 40, GROUP)
    assert first.kind == NOTICE_KIND and len(first.kind) <= 32
    assert first.due == NOW and first.not_after == NOW + NOTICE_LIFETIME
    assert first.meeting_id is None
    assert first.message.text.startswith("New post in “Agenda for Messina” by Bríd: Here is")
    assert first.message.text.endswith("…\nhttps://forum.example/posts/40")


def test_a_thread_not_everyone_sees_makes_no_notice() -> None:
    hidden = WatchedThread(12, "Held back", public=False)
    assert notices(hidden, 40, "Bríd", "x", [GROUP], public_url="", now=NOW) == []


def test_a_discord_person_is_known_by_their_direct_messages_too() -> None:
    assert registered().recognised([(DISCORD, "88")]) == {
        ChatRef(DISCORD, "88"),
        ChatRef(DISCORD, "user:88"),
    }
