"""Survey campaigns as pure rules: when a campaign is open, when its reminders fall, who still
needs one, who may see its results, the keys of its outbox rows and the texts it sends.
Nothing here reads a clock or a database.

A campaign runs one survey flow for an audience: people invited one by one, chats where one
message invites everyone present, or an open link. Each invitee answers at most once.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from flows.conversation import MENU_TAG, Option, Outbound
from flows.people import ChatPlatform, ChatPlatforms, ChatRef, PersonRef, Role
from flows.times import TimeInputError, format_offset, parse_offset, zone

CampaignStatus = Literal["scheduled", "open", "closed"]
Source = Literal["person", "chat", "link"]

TOKEN_PREFIX = "c_"
"""Starts a link token where a command argument could also be a slug: `/start c_<token>`."""
TOKEN = re.compile(r"^[0-9a-f]{8,32}$")
BEFORE_CLOSE = "-before-close"
EVERY = "every-"
# A schedule "every 1h" over a month would flood people; no reminder series runs longer.
MAX_REMINDERS = 30


class CampaignError(ValueError):
    """A campaign that cannot be made or used as asked; the message says why, in words fit to
    show the person who asked."""


@dataclass(frozen=True)
class Reminders:
    """When reminders go out: offsets after opening (`3d`), offsets before closing
    (`1d-before-close`), and optionally a series (`every-2d`, from opening until close)."""

    after_open: tuple[timedelta, ...] = ()
    before_close: tuple[timedelta, ...] = ()
    every: timedelta | None = None

    @classmethod
    def parse(cls, text: str | None) -> Reminders:
        """`3d,1d-before-close,every-2d` (any of them, in any order; units s m h d w); empty
        text means no reminders. Raises `CampaignError` naming the item it cannot read."""
        after: list[timedelta] = []
        before: list[timedelta] = []
        every: timedelta | None = None
        for item in (text or "").replace(" ", "").lower().split(","):
            if not item:
                continue
            try:
                if item.endswith(BEFORE_CLOSE):
                    before.append(parse_offset(item.removesuffix(BEFORE_CLOSE)))
                elif item.startswith(EVERY):
                    if every is not None:
                        raise CampaignError("give at most one every-N series")
                    every = parse_offset(item.removeprefix(EVERY))
                else:
                    after.append(parse_offset(item))
            except TimeInputError:
                raise CampaignError(
                    f"{item!r} is not a reminder: say 3d (after opening), 1d-before-close "
                    "or every-2d"
                ) from None
        if any(o <= timedelta(0) for o in [*after, *before]) or (
            every is not None and every <= timedelta(0)
        ):
            raise CampaignError("reminder offsets must be longer than nothing")
        return cls(tuple(sorted(set(after))), tuple(sorted(set(before))), every)

    @classmethod
    def from_items(cls, items: Collection[str]) -> Reminders:
        return cls.parse(",".join(items))

    def items(self) -> list[str]:
        """The schedule as the items `parse` reads, e.g. ["3d", "1d-before-close"]."""
        found = [format_offset(o) for o in self.after_open]
        found += [format_offset(o) + BEFORE_CLOSE for o in self.before_close]
        if self.every is not None:
            found.append(EVERY + format_offset(self.every))
        return found

    def text(self) -> str:
        return ", ".join(self.items()) or "none"

    def __bool__(self) -> bool:
        return bool(self.after_open or self.before_close or self.every)

    def times(self, opens_at: datetime, closes_at: datetime | None) -> list[datetime]:
        """Every reminder instant, in order, strictly between opening and closing."""
        found = {opens_at + o for o in self.after_open}
        if closes_at is not None:
            found |= {closes_at - o for o in self.before_close}
            if self.every is not None:
                at = opens_at + self.every
                while at < closes_at and len(found) < MAX_REMINDERS * 2:
                    found.add(at)
                    at += self.every
        inside = sorted(t for t in found if opens_at < t and (closes_at is None or t < closes_at))
        return inside[:MAX_REMINDERS]


@dataclass(frozen=True)
class Campaign:
    """A survey flow run for an audience between two moments."""

    id: int
    slug: str
    flow_id: str
    title: str
    opens_at: datetime
    closes_at: datetime | None
    timezone: str
    anonymous: bool = False
    reminders: Reminders = Reminders()
    # The secret of the open link; it admits anyone only while `open_link` is on.
    token: str = ""
    open_link: bool = False
    # Set when the campaign was closed, by hand or by the worker once `closes_at` passed.
    closed_at: datetime | None = None
    # The stand-in person that anonymous responses belong to once completed.
    respondent_id: int | None = None
    created_by: int | None = None

    def check(self) -> None:
        """Raise `CampaignError` when the campaign cannot run as given."""
        if not self.title.strip():
            raise CampaignError("a campaign needs a title")
        try:
            zone(self.timezone)
        except TimeInputError as exc:
            raise CampaignError(str(exc)) from None
        if self.closes_at is not None and self.closes_at <= self.opens_at:
            raise CampaignError("a campaign must close after it opens")
        if self.closes_at is None and (self.reminders.before_close or self.reminders.every):
            raise CampaignError("reminders before closing or every-N need a closing time")

    def status(self, now: datetime) -> CampaignStatus:
        ends = self.ends_at
        if ends is not None and now >= ends:
            return "closed"
        return "scheduled" if now < self.opens_at else "open"

    @property
    def ends_at(self) -> datetime | None:
        """When it stops taking answers: closed by hand, or its closing time, whichever first."""
        ends = [t for t in (self.closed_at, self.closes_at) if t is not None]
        return min(ends) if ends else None

    def reminder_times(self) -> list[datetime]:
        return self.reminders.times(self.opens_at, self.closes_at)

    def due_reminders(self, after: datetime, until: datetime) -> list[tuple[int, datetime]]:
        """The reminders falling in (after, until], numbered from 1 in the whole schedule."""
        return [
            (number, at)
            for number, at in enumerate(self.reminder_times(), start=1)
            if after < at <= until and (self.ends_at is None or at < self.ends_at)
        ]


@dataclass(frozen=True)
class Invitation:
    """One person's place in a campaign. `conversation_id` is their response while it is in
    progress (and after, unless the campaign is anonymous); `completed` says they answered."""

    id: str
    campaign_id: int
    person_id: int
    source: Source
    # Where the bot reaches them privately; None when no platform of theirs can be written to.
    chat: ChatRef | None
    invited_on: date
    conversation_id: int | None = None
    completed: bool = False
    chat_invitation_id: int | None = None

    @property
    def status(self) -> Literal["invited", "started", "completed"]:
        if self.completed:
            return "completed"
        return "started" if self.conversation_id is not None else "invited"


@dataclass(frozen=True)
class ChatInvitation:
    """A chat invited as a whole: one message there, with a link that admits whoever uses it."""

    id: int
    campaign_id: int
    chat: ChatRef
    token: str
    title: str | None = None


@dataclass(frozen=True)
class CampaignCounts:
    """How far a campaign has come."""

    invited: int = 0
    in_progress: int = 0
    completed: int = 0
    chats: int = 0
    unreachable: int = 0

    @property
    def started(self) -> int:
        return self.in_progress + self.completed

    @property
    def response_rate(self) -> float | None:
        """Completed responses per invitee, in percent; None before anyone is invited."""
        return 100 * self.completed / self.invited if self.invited else None


def needs_reminder(invitation: Invitation, due: datetime) -> bool:
    """A reminder falling at `due` goes to an invitee who has not completed, whom the bot can
    reach, and who was invited before that day (not to someone invited that very day)."""
    return (
        not invitation.completed
        and invitation.chat is not None
        and invitation.invited_on < due.date()
    )


def may_see_results(person: PersonRef, campaign: Campaign, coordinators: Collection[int]) -> bool:
    """Whether `person` may read the campaign's results (see `results_readable`)."""
    return results_readable(person.id, person.roles, campaign.created_by, coordinators)


def results_readable(
    person_id: int,
    roles: Collection[Role],
    created_by: int | None,
    coordinators: Collection[int],
) -> bool:
    """The rule for a campaign's results, in the chats and on the web: admins see every
    campaign's; otherwise only the campaign's coordinators (its creator among them), or, for a
    campaign that names none, anyone holding the coordinator role."""
    if Role.ADMIN in roles:
        return True
    if person_id in coordinators or person_id == created_by:
        return True
    named = bool(coordinators) or created_by is not None
    return not named and Role.COORDINATOR in roles


def hidden_campaigns(
    person_id: int,
    roles: Collection[Role],
    campaigns: Iterable[tuple[Campaign, Collection[int]]],
) -> frozenset[int]:
    """The campaigns (each with its coordinators) whose responses a flow's results, exports
    and counts leave out for this person: those whose own results `results_readable` keeps
    from them. Otherwise the flow-wide pages would show what the campaign's page refuses."""
    return frozenset(
        campaign.id
        for campaign, coordinators in campaigns
        if not results_readable(person_id, roles, campaign.created_by, coordinators)
    )


# --- outbox keys: campaign/<id>/... so that closing cancels everything by one prefix, and one
# invitee's rows by theirs.


def campaign_prefix(campaign_id: int) -> str:
    return f"campaign/{campaign_id}/"


def invitee_prefix(campaign_id: int, invitation_id: str) -> str:
    return f"campaign/{campaign_id}/person/{invitation_id}/"


def invite_key(campaign_id: int, invitation_id: str) -> str:
    return invitee_prefix(campaign_id, invitation_id) + "invite"


def reminder_key(campaign_id: int, invitation_id: str, number: int) -> str:
    return invitee_prefix(campaign_id, invitation_id) + f"reminder/{number}"


def chat_key(campaign_id: int, chat_invitation_id: int) -> str:
    return f"campaign/{campaign_id}/chat/{chat_invitation_id}/invite"


def token_of(text: str) -> str | None:
    """The link token in `c_<token>`, or None when the text is not one."""
    if not text.startswith(TOKEN_PREFIX):
        return None
    token = text.removeprefix(TOKEN_PREFIX).lower()
    return token if TOKEN.match(token) else None


# --- texts ------------------------------------------------------------------------------------

ANONYMOUS_NOTE = (
    "Your answers are anonymous: once you finish, deseo keeps nothing that links them to you. "
    "Until then they are kept with you, so that you can stop and go on later."
)
NAMED_NOTE = "Your answers are kept with your name; /myanswers shows them and lets you delete them."


def when(at: datetime, timezone: str) -> str:
    """An instant as people read it in the campaign's zone: `7 December 2026, 17:00 CET`."""
    local = at.astimezone(zone(timezone))
    return local.strftime("%-d %B %Y, %H:%M ") + (local.tzname() or timezone)


def _closing(campaign: Campaign) -> list[str]:
    if campaign.closes_at is None:
        return []
    return [f"It is open until {when(campaign.closes_at, campaign.timezone)}."]


def _start_button(campaign: Campaign, label: str) -> tuple[Option, ...]:
    return (Option(f"campaign:{campaign.id}", label),)


def invitation_message(campaign: Campaign) -> Outbound:
    """The private invitation, with a button that starts the survey."""
    lines = [f"You are invited to answer *{campaign.title}*."]
    lines.append(ANONYMOUS_NOTE if campaign.anonymous else NAMED_NOTE)
    lines += _closing(campaign)
    lines.append(f"Press Start, or send /survey {campaign.slug}.")
    return Outbound(
        "\n".join(lines),
        kind="question",
        options=_start_button(campaign, "Start"),
        input_hint="choice",
        tag=MENU_TAG,
    )


def answer_privately(platform: ChatPlatform | None, token: str) -> str:
    """How someone in a shared chat starts their own response, in a private chat."""
    payload = TOKEN_PREFIX + token
    if platform is not None and platform.start_link is not None:
        return f"To answer, open {platform.how_to_start(payload)}"
    command = platform.start_command if platform else "/survey {payload}"
    return f"To answer, send me {command.format(payload=payload)} in a private message."


def chat_message(campaign: Campaign, platform: ChatPlatform | None, token: str) -> Outbound:
    """The one message posted in an invited chat: everyone there may answer, each privately."""
    lines = [
        f"*{campaign.title}*: a survey for everyone here. Each of you answers once, privately."
    ]
    if campaign.anonymous:
        lines.append("The answers are anonymous.")
    lines += _closing(campaign)
    lines.append(answer_privately(platform, token))
    return Outbound("\n".join(lines))


def reminder_message(campaign: Campaign, *, started: bool) -> Outbound:
    """A reminder to someone who has not completed; absolute times only, as it may be late."""
    if started:
        lines = [
            f"Reminder: you began *{campaign.title}*. Your answers so far are kept; "
            "press Go on to finish it."
        ]
    else:
        lines = [f"Reminder: *{campaign.title}* is waiting for your answers."]
    lines += _closing(campaign)
    return Outbound(
        "\n".join(lines),
        kind="question",
        options=_start_button(campaign, "Go on" if started else "Start"),
        input_hint="choice",
        tag=MENU_TAG,
    )


def intro_message(campaign: Campaign) -> Outbound:
    """Said once, before the first question of a new response."""
    lines = [f"*{campaign.title}*", ANONYMOUS_NOTE if campaign.anonymous else NAMED_NOTE]
    lines += _closing(campaign)
    return Outbound("\n".join(lines))


def thanks_message(campaign: Campaign) -> Outbound:
    text = f"Thank you: your answers to *{campaign.title}* are in."
    if campaign.anonymous:
        text += " They are anonymous now: nothing in deseo links them to you any more."
    return Outbound(text)


def refusal(campaign: Campaign, now: datetime, *, answered: bool = False) -> Outbound | None:
    """Why the campaign takes no answer now (not yet open, closed, already answered), or None."""
    status = campaign.status(now)
    if status == "scheduled":
        opens = when(campaign.opens_at, campaign.timezone)
        return Outbound(f"*{campaign.title}* opens on {opens}. Come back then.", kind="notice")
    if status == "closed":
        return Outbound(f"*{campaign.title}* is closed: it takes no more answers.", kind="notice")
    if answered:
        return Outbound(f"You have already answered *{campaign.title}*. Thank you!", kind="notice")
    return None


def closed_message(campaign: Campaign) -> Outbound:
    """Said to someone whose response was in progress when the campaign closed."""
    return Outbound(
        f"*{campaign.title}* is closed: it takes no more answers. Your answers so far are kept; "
        "/myanswers shows them.",
        kind="notice",
    )


def not_invited_message(campaign: Campaign) -> Outbound:
    return Outbound(
        f"*{campaign.title}* is by invitation, and I have none for you. Ask its coordinator.",
        kind="error",
    )


def link_lines(campaign: Campaign, platforms: ChatPlatforms) -> list[tuple[str, str]]:
    """Where anyone may start a response while the campaign's link is open, as (where, what to
    open or send) pairs: the coordinators' pages and the CLI show the same."""
    payload = TOKEN_PREFIX + campaign.token
    lines = [
        (p.label, p.how_to_start(payload))
        for p in platforms.platforms
        if p.private_prefix is not None
    ]
    return [*lines, ("terminal", f"deseo survey campaign answer {campaign.slug}")]
