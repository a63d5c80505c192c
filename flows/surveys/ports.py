"""What survey campaigns need from the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

from flows.conversation import ConversationWork
from flows.outbox import OutboxWork
from flows.surveys.model import Campaign, CampaignCounts, ChatInvitation, Invitation


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


class CampaignWork(ConversationWork, OutboxWork, Protocol):
    """What campaigns need: campaigns, the conversations answering them, the outbox."""

    @property
    def campaigns(self) -> CampaignRepository: ...


CampaignUnits = Callable[[], CampaignWork]
