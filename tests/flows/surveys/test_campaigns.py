"""Campaign rules: the reminder schedule, when a campaign is open, who still gets a reminder,
who sees results, link tokens and the texts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import DISCORD, TELEGRAM
from bot.discord_platform import DISCORD_CHAT
from bot.telegram_platform import telegram_chat
from flows.conversation.messages import MENU_TAG
from flows.people.chats import ChatRef
from flows.people.model import PersonRef, Platform, Role
from flows.surveys.model import (
    Campaign,
    CampaignCounts,
    CampaignError,
    Invitation,
    Reminders,
    answer_privately,
    chat_message,
    invitation_message,
    invite_key,
    invitee_prefix,
    may_see_results,
    needs_reminder,
    refusal,
    reminder_key,
    token_of,
)
from tests.bot.platforms import registered

OPENS = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
CHAT = ChatRef(TELEGRAM, "1001")

PLATFORMS = registered()


def campaign(**changes: object) -> Campaign:
    base = Campaign(
        id=3,
        slug="messina-2026",
        flow_id="messina",
        title="Work-life balance in Messina",
        opens_at=OPENS,
        closes_at=CLOSES,
        timezone="Europe/Rome",
        reminders=Reminders.parse("3d,1d-before-close"),
        token="0123456789abcdef",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def invitation(**changes: object) -> Invitation:
    base = Invitation("a1b2", 3, 7, "person", CHAT, date(2026, 11, 30))
    return replace(base, **changes)  # type: ignore[arg-type]


def person(*roles: Role, id: int = 9) -> PersonRef:
    return PersonRef(id, "Rosa", "en", "Europe/Rome", frozenset({Role.MEMBER, *roles}))


def test_a_schedule_reads_and_writes_its_own_syntax() -> None:
    schedule = Reminders.parse(" 1d-before-close, 3d ,every-7d,3d")
    assert schedule.after_open == (timedelta(days=3),)
    assert schedule.before_close == (timedelta(days=1),)
    assert schedule.every == timedelta(days=7)
    assert schedule.items() == ["3d", "1d-before-close", "every-1w"]
    assert Reminders.from_items(schedule.items()) == schedule
    assert not Reminders.parse("") and Reminders.parse("").text() == "none"
    for wrong in ("soon", "3x", "every-2d,every-3d", "0d"):
        with pytest.raises(CampaignError):
            Reminders.parse(wrong)


def test_reminders_fall_between_opening_and_closing() -> None:
    times = Reminders.parse("3d,1d-before-close,every-5d,30d").times(OPENS, CLOSES)
    assert times == [
        OPENS + timedelta(days=3),
        OPENS + timedelta(days=5),
        OPENS + timedelta(days=10),
        CLOSES - timedelta(days=1),
    ]
    # With no closing time only the offsets after opening can be placed.
    assert Reminders.parse("3d").times(OPENS, None) == [OPENS + timedelta(days=3)]


def test_due_reminders_are_numbered_in_the_whole_schedule() -> None:
    c = campaign()
    second = CLOSES - timedelta(days=1)
    assert c.due_reminders(second - timedelta(hours=1), second) == [(2, second)]
    # Closed by hand: what falls after closing is not due.
    closed = replace(c, closed_at=OPENS + timedelta(days=2))
    assert closed.due_reminders(OPENS, CLOSES) == []


def test_status_follows_the_clock_and_closing_by_hand() -> None:
    c = campaign()
    assert c.status(OPENS - timedelta(seconds=1)) == "scheduled"
    assert c.status(OPENS) == "open"
    assert c.status(CLOSES) == "closed"
    by_hand = replace(c, closed_at=OPENS + timedelta(days=1))
    assert by_hand.status(OPENS + timedelta(days=2)) == "closed"
    assert by_hand.ends_at == OPENS + timedelta(days=1)
    assert replace(c, closes_at=None).status(CLOSES + timedelta(days=300)) == "open"


def test_a_campaign_that_cannot_run_is_refused() -> None:
    with pytest.raises(CampaignError, match="close after"):
        campaign(closes_at=OPENS).check()
    with pytest.raises(CampaignError, match="closing time"):
        campaign(closes_at=None).check()
    with pytest.raises(CampaignError, match="time zone"):
        campaign(timezone="Mars/Olympus").check()
    with pytest.raises(CampaignError, match="title"):
        campaign(title=" ").check()


def test_only_those_who_have_not_completed_and_can_be_reached_get_reminders() -> None:
    due = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert needs_reminder(invitation(), due)
    assert needs_reminder(invitation(conversation_id=12), due)  # started, not finished
    assert not needs_reminder(invitation(completed=True), due)
    assert not needs_reminder(invitation(chat=None), due)
    # Invited that very day: not reminded yet.
    assert not needs_reminder(invitation(invited_on=due.date()), due)


def test_only_coordinators_see_results() -> None:
    c = campaign(created_by=1)
    assert may_see_results(person(id=1), c, [])
    assert may_see_results(person(id=2), c, [2])
    assert not may_see_results(person(Role.COORDINATOR, id=3), c, [2])
    assert may_see_results(person(Role.ADMIN, id=4), c, [2])
    # A campaign naming nobody is the network coordinators'.
    nobody = campaign()
    assert may_see_results(person(Role.COORDINATOR), nobody, [])
    assert not may_see_results(person(), nobody, [])


def test_reach_prefers_telegram_then_discord() -> None:
    both = [(DISCORD, "55"), (TELEGRAM, "77")]
    assert PLATFORMS.private_chat(both) == ChatRef(TELEGRAM, "77")
    assert PLATFORMS.private_chat([(DISCORD, "55")]) == ChatRef(DISCORD, "user:55")
    assert PLATFORMS.private_chat([(Platform.WEB, "rosa")]) is None


def test_keys_let_one_prefix_cancel_an_invitees_rows() -> None:
    assert invite_key(3, "a1b2").startswith(invitee_prefix(3, "a1b2"))
    assert reminder_key(3, "a1b2", 2) == "campaign/3/person/a1b2/reminder/2"


def test_link_tokens() -> None:
    assert token_of("c_0123456789ABCDEF") == "0123456789abcdef"
    assert token_of("messina") is None
    assert token_of("c_../etc") is None


def test_texts() -> None:
    c = campaign(anonymous=True)
    invite = invitation_message(c)
    assert invite.tag == MENU_TAG and invite.options[0].id == "campaign:3"
    assert "anonymous" in invite.text and "15 December 2026, 18:00 CET" in invite.text
    posted = chat_message(c, telegram_chat("deseo_bot"), c.token)
    assert "https://t.me/deseo_bot?start=c_0123456789abcdef" in posted.text
    assert not posted.options  # nobody answers in the group itself
    assert "/survey c_" in answer_privately(DISCORD_CHAT, c.token)
    assert "/start c_" in answer_privately(telegram_chat(), c.token)
    closed = refusal(c, CLOSES)
    assert closed is not None and "closed" in closed.text
    assert refusal(c, OPENS, answered=True) is not None
    assert refusal(c, OPENS) is None


def test_counts() -> None:
    counts = CampaignCounts(invited=8, in_progress=1, completed=3)
    assert counts.started == 4 and counts.response_rate == 37.5
    assert CampaignCounts().response_rate is None
