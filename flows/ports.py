"""What the core needs from the outside world, as protocols that `storage/` and tests implement.

The core never opens a database or reads the system clock itself: it is handed a `Clock` and a
`UnitOfWork` factory, so the same code runs against SQLite, PostgreSQL or an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from flows.campaigns import Campaign, CampaignCounts, ChatInvitation, Invitation
from flows.definitions import Flow
from flows.directory import Directory
from flows.meetings import Group, Meeting
from flows.outbox import ChatRef, OutboxRepository
from flows.people import PersonRef, Platform, Role
from flows.referrals import Referral, ReferralEvent
from flows.state import Answer, State
from flows.thread_watch import WatchedThread


class Clock(Protocol):
    """Tells the current time, timezone-aware in UTC."""

    def now(self) -> datetime: ...


class PeopleRepository(Protocol):
    """People and their identities on each platform."""

    async def identify(
        self,
        platform: Platform,
        external_id: str,
        *,
        display_name: str,
        language: str | None = None,
        timezone: str | None = None,
    ) -> PersonRef:
        """Return the person behind a platform identity, creating them on first contact."""
        ...

    async def get(self, person_id: int) -> PersonRef | None:
        """Return a person by id, or None."""
        ...

    async def grant(self, person_id: int, role: Role) -> None:
        """Give a person a role; granting one they hold already changes nothing."""
        ...

    async def identities(self, person_id: int) -> list[tuple[Platform, str]]:
        """Every platform account of the person, to reach them in a private chat."""
        ...

    async def set_language(self, person_id: int, language: str) -> None:
        """Remember the language the person wants to be spoken to in."""
        ...

    async def revoke(self, person_id: int, role: Role) -> None:
        """Take a role away; the member role cannot be taken away."""
        ...


@dataclass(frozen=True)
class StoredConversation:
    """A conversation as the store keeps it: whose it is, which flow version, where it stands."""

    id: int
    person_id: int
    state: State
    started_at: datetime
    updated_at: datetime
    # Raised by every save; a save that expects an older revision is refused, so two processes
    # can never both apply an event to the same conversation state.
    revision: int = 0


class ConversationRepository(Protocol):
    """Conversations, their answers, and the inbound events already applied."""

    async def claim_event(self, platform: Platform, event_id: str, at: datetime) -> bool:
        """Record an inbound event; False when it was recorded before (a duplicate delivery)."""
        ...

    async def latest_open(
        self, person_id: int, flow_id: str | None = None, *, lock: bool = False
    ) -> StoredConversation | None:
        """The person's most recently active unfinished conversation (of one flow, if given).

        With `lock`, the row stays locked until the transaction ends, so that events of one
        conversation are applied one after the other even across processes.
        """
        ...

    async def latest_open_for(
        self, platform: Platform, external_id: str, *, lock: bool = False
    ) -> StoredConversation | None:
        """Like `latest_open`, found by the person's platform identity in one look-up."""
        ...

    async def get(
        self, conversation_id: int, *, lock: bool = False
    ) -> StoredConversation | None: ...

    async def of_identity(self, platform: Platform, external_id: str) -> list[StoredConversation]:
        """Every conversation of the person behind a platform identity, newest first."""
        ...

    async def delete(self, conversation_id: int) -> None:
        """Remove a conversation and its answers for good."""
        ...

    async def create(self, person_id: int, state: State, at: datetime) -> int:
        """Store a new conversation; returns its id."""
        ...

    async def save(
        self,
        conversation_id: int,
        state: State,
        changed: Mapping[str, Answer | None],
        at: datetime,
        *,
        expected_revision: int,
        report: dict[str, Any] | None = None,
    ) -> bool:
        """Store the new state and the answers that changed (None: the answer was removed).

        Returns False, writing nothing, when the conversation is no longer at
        `expected_revision` (someone else saved it first).
        """
        ...

    async def unfocus_others(self, person_id: int, keep: int) -> None:
        """Raise the revision of the person's other unfinished conversations, so that a process
        holding one of them in memory notices that the person moved on."""
        ...


class FlowRepository(Protocol):
    """The definitions of every flow version a conversation was ever held under."""

    async def remember(self, flow: Flow, at: datetime) -> bool:
        """Keep this version's definition; False when it is known already (same content)."""
        ...

    async def definition(self, flow_id: str, version: int) -> Flow | None: ...


class GroupRepository(Protocol):
    """Groups, their members, and the chats that follow them."""

    async def create(self, slug: str, name: str, timezone: str) -> Group: ...

    async def find(self, slug_or_id: str) -> Group | None: ...

    async def all(self) -> list[Group]: ...

    async def follow(self, group_id: int, chat: ChatRef, title: str | None = None) -> bool:
        """Make a chat follow a group; False if it already did."""
        ...

    async def unfollow(self, group_id: int, chat: ChatRef) -> bool: ...

    async def chats(self, group_id: int) -> list[ChatRef]: ...

    async def followed_by(self, chat: ChatRef) -> list[Group]: ...

    async def add_member(self, group_id: int, person_id: int) -> None: ...

    async def of_person(self, person_id: int) -> list[Group]: ...


class MeetingRepository(Protocol):
    """Meetings and the answers to their invitations."""

    async def add(self, meeting: Meeting, at: datetime) -> int:
        """Store a new meeting (its `id` is ignored); returns the new id."""
        ...

    async def get(self, meeting_id: int) -> Meeting | None: ...

    async def save(self, meeting: Meeting, at: datetime) -> None: ...

    async def of_group(
        self, group_id: int, *, include_cancelled: bool = False
    ) -> list[Meeting]: ...

    async def scheduled(self) -> list[Meeting]: ...

    async def rsvp(
        self, meeting_id: int, occurrence: str, person_id: int, answer: str, at: datetime
    ) -> None: ...

    async def rsvp_counts(self, meeting_id: int, occurrence: str) -> dict[str, int]: ...


class NeedsRepository(Protocol):
    """Needs that no service met, by place: what a territory is missing."""

    async def record(
        self,
        person_id: int | None,
        place: str | None,
        place_text: str | None,
        needs: Sequence[str],
        stage: str | None,
        at: datetime,
    ) -> None: ...

    async def summary(self) -> list[tuple[str | None, str, int]]:
        """(place, need, how many times), most asked first."""
        ...


class ReferralRepository(Protocol):
    """Referrals, their history, and who acts for which provider organisation."""

    async def create(
        self, person_id: int, service: str, organisation: str, note: str | None, at: datetime
    ) -> Referral: ...

    async def get(self, referral_id: int) -> Referral | None: ...

    async def move(
        self,
        referral_id: int,
        status: str,
        outcome: str | None,
        note: str | None,
        by_person_id: int | None,
        at: datetime,
    ) -> Referral: ...

    async def history(self, referral_id: int) -> list[ReferralEvent]: ...

    async def of_organisations(self, organisations: list[str]) -> list[Referral]: ...

    async def of_person(self, person_id: int) -> list[Referral]: ...

    async def idle_since(self, before: datetime) -> list[Referral]: ...

    async def add_member(self, organisation: str, person_id: int, at: datetime) -> bool: ...

    async def organisations_of(self, person_id: int) -> list[str]: ...

    async def members_of(self, organisation: str) -> list[int]: ...


class DirectoryRepository(Protocol):
    """The support-service directory as the store keeps it."""

    async def replace(self, directory: Directory) -> None:
        """Put this directory in place of the stored one, all of it within the unit of work's
        transaction; raises `DirectoryError` naming what the store cannot hold."""
        ...

    async def load(self) -> Directory | None:
        """The stored directory, or None when the store has none."""
        ...

    async def is_empty(self) -> bool:
        """Whether the store holds no directory yet."""
        ...


class CodeRepository(Protocol):
    """One-time codes (link codes, reset links), stored only as digests."""

    async def issue_code(
        self, purpose: str, person_id: int, digest: str, *, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new code's digest; the person's earlier unused codes of this purpose die."""
        ...


class CampaignRepository(Protocol):
    """Survey campaigns, their invitations (of people and of chats), the conversations that
    answer them, and their coordinators."""

    async def add(self, campaign: Campaign, at: datetime) -> Campaign:
        """Store a new campaign (its `id` is ignored); an anonymous one gets its stand-in
        respondent, a person with no identity. Returns it as stored."""
        ...

    async def get(self, campaign_id: int) -> Campaign | None: ...

    async def find(self, slug_or_id: str) -> Campaign | None: ...

    async def by_token(self, token: str) -> tuple[Campaign, ChatInvitation | None] | None:
        """The campaign whose link (or one of whose chat invitations' link) has this token."""
        ...

    async def all(self) -> list[Campaign]: ...

    async def unfinished(self) -> list[Campaign]:
        """Campaigns not yet closed for good (`closed_at` unset), for the planning job."""
        ...

    async def set_open_link(self, campaign_id: int, on: bool) -> None: ...

    async def close(self, campaign_id: int, at: datetime) -> None: ...

    async def invite(self, invitation: Invitation) -> tuple[Invitation, bool]:
        """Add an invitation; a person invited before keeps theirs (returned, with False)."""
        ...

    async def invitation(
        self, campaign_id: int, person_id: int, *, lock: bool = False
    ) -> Invitation | None: ...

    async def invitation_of_conversation(self, conversation_id: int) -> Invitation | None:
        """The invitation a conversation answers, while the invitation still names it."""
        ...

    async def invitations(self, campaign_id: int) -> list[Invitation]: ...

    async def attach(self, invitation_id: str, campaign_id: int, conversation_id: int) -> None:
        """Name the conversation as the invitation's response and the campaign's."""
        ...

    async def complete(self, invitation_id: str, *, keep_link: bool) -> None:
        """Mark the invitation answered; without `keep_link` it forgets its conversation."""
        ...

    async def detach(self, invitation_id: str) -> None:
        """Make the invitation forget its conversation (an anonymous response at closing)."""
        ...

    async def of_conversation(self, conversation_id: int) -> Campaign | None:
        """The campaign a conversation answers, if any."""
        ...

    async def anonymise(self, conversation_id: int, campaign_id: int, day: date) -> None:
        """Give the conversation to the campaign's stand-in respondent (made if it is missing),
        keep its times and its answers' times only as `day`, and raise its revision."""
        ...

    async def unfocus(self, conversation_ids: Sequence[int]) -> None:
        """Raise the conversations' revisions, so that a process holding one in memory reads
        it again (and asks whether it may go on)."""
        ...

    async def add_chat(self, chat: ChatInvitation, at: datetime) -> tuple[ChatInvitation, bool]:
        """Invite a chat (`id` ignored); a chat invited before keeps its invitation."""
        ...

    async def chats(self, campaign_id: int) -> list[ChatInvitation]: ...

    async def counts(self, campaign_id: int) -> CampaignCounts: ...

    async def add_coordinator(self, campaign_id: int, person_id: int) -> bool: ...

    async def coordinators(self, campaign_id: int) -> list[int]: ...

    async def open_for(self, person_id: int) -> list[Campaign]:
        """Campaigns the person is invited to and has not completed, newest first."""
        ...


class ThreadFollowerRepository(Protocol):
    """The chats that follow a forum thread, to be told of its new posts."""

    async def thread(self, thread_id: int) -> WatchedThread | None:
        """The thread's title and whether everyone may see it, or None if there is none."""
        ...

    async def follow(self, thread_id: int, chat: ChatRef, at: datetime) -> bool:
        """Make a chat follow a thread; False if it already did."""
        ...

    async def unfollow(self, thread_id: int, chat: ChatRef) -> bool:
        """Stop a chat following a thread; False if it did not."""
        ...

    async def chats(self, thread_id: int) -> list[ChatRef]:
        """The chats following the thread, the earliest first."""
        ...

    async def count(self, thread_id: int) -> int: ...

    async def followed_by(self, chat: ChatRef) -> list[WatchedThread]:
        """The threads a chat follows, by id."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the repositories: all of it is saved by `commit`, or none of it.

    Leaving the `async with` block without committing rolls back.
    """

    # Read-only members, so that an implementation may hold its own repository classes.
    @property
    def people(self) -> PeopleRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def flows(self) -> FlowRepository: ...
    @property
    def groups(self) -> GroupRepository: ...
    @property
    def meetings(self) -> MeetingRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def needs(self) -> NeedsRepository: ...
    @property
    def directory(self) -> DirectoryRepository: ...
    @property
    def referrals(self) -> ReferralRepository: ...
    @property
    def campaigns(self) -> CampaignRepository: ...
    @property
    def accounts(self) -> CodeRepository: ...
    @property
    def thread_followers(self) -> ThreadFollowerRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Makes a fresh unit of work; the service layer opens one per inbound event."""
