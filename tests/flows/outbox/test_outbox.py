"""Which claimed reminders are superseded by a later one due with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import DISCORD, TELEGRAM
from flows.conversation.messages import Outbound
from flows.outbox.dispatcher import superseded
from flows.outbox.model import Claimed
from flows.people.chats import ChatRef

START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
GROUP = ChatRef(TELEGRAM, "-100")
OTHER = ChatRef(DISCORD, "555")


def reminder(row: int, meeting: int, chat: ChatRef, before: timedelta, start=START) -> Claimed:
    return Claimed(
        id=row,
        key=f"reminder:{meeting}:{start.isoformat()}:{before}:{chat.key}",
        chat=chat,
        message=Outbound("soon"),
        due=start - before,
        not_after=start,
        attempts=0,
    )


def test_only_the_latest_reminder_of_an_occurrence_and_chat_goes() -> None:
    day, hour = timedelta(days=1), timedelta(hours=1)
    claimed = [
        reminder(1, 7, GROUP, day),
        reminder(2, 7, GROUP, hour),
        reminder(3, 7, OTHER, day),  # another chat: its own group
        reminder(4, 8, GROUP, day),  # another meeting
        reminder(5, 7, GROUP, day, start=START + timedelta(days=7)),  # another occurrence
    ]
    assert superseded(claimed) == {1}


def test_other_messages_are_never_superseded() -> None:
    agenda = Claimed(1, "agenda:7:x:telegram:-100", GROUP, Outbound("a"), START, START, 0)
    notice = Claimed(2, "thread/1/post/2/telegram:-100", GROUP, Outbound("b"), START, None, 0)
    assert superseded([agenda, notice, reminder(3, 7, GROUP, timedelta(hours=1))]) == set()
