"""How campaigns take part in conversations: the hook that refuses answers to a closed
campaign and settles a completed response, and the link from a response to its invitation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol

from flows.clock import Clock
from flows.conversation import BeginLink, Flow, Outbound, Outcome, Sender, StoredConversation
from flows.people import PersonRef
from flows.surveys.model import (
    Campaign,
    CampaignError,
    closed_message,
    invitee_prefix,
    refusal,
    thanks_message,
)
from flows.surveys.ports import CampaignWork


def day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


class CampaignResponses:
    """The `ConversationHook` of campaigns: refuses answers once a campaign has closed, and
    settles a response when it completes (marked answered, its reminders cancelled, made
    anonymous where promised)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def admit(self, uow: CampaignWork, conversation: StoredConversation) -> list[Outbound]:
        campaign = await uow.campaigns.of_conversation(conversation.id)
        if campaign is None or campaign.status(self._clock.now()) != "closed":
            return []
        return [closed_message(campaign)]

    async def completed(
        self, uow: CampaignWork, conversation: StoredConversation, flow: Flow
    ) -> list[Outbound]:
        invitation = await uow.campaigns.invitation_of_conversation(conversation.id)
        if invitation is None:
            return []
        campaign = await uow.campaigns.get(invitation.campaign_id)
        if campaign is None:
            return []
        await uow.campaigns.complete(invitation.id, keep_link=not campaign.anonymous)
        await uow.outbox.cancel_keys(invitee_prefix(campaign.id, invitation.id))
        if campaign.anonymous:
            await uow.campaigns.anonymise(conversation.id, campaign.id, day_of(self._clock.now()))
        return [thanks_message(campaign)]


class InvitationLink:
    """Ties the conversation `begin` starts or picks up to one invitation."""

    def __init__(self, campaign: Campaign, invitation_id: str, now: datetime) -> None:
        self._campaign = campaign
        self._invitation_id = invitation_id
        self._now = now
        self.found: int | None = None

    async def find(self, uow: CampaignWork, person: PersonRef) -> int | None:
        # Under a row lock: two starts of the same invitee make one conversation, not two.
        invitation = await uow.campaigns.invitation(self._campaign.id, person.id, lock=True)
        if invitation is None or invitation.id != self._invitation_id:
            raise CampaignError("That invitation has changed; send the command again.")
        if invitation.completed:
            answered = refusal(self._campaign, self._now, answered=True)
            raise CampaignError(answered.text if answered else "You have already answered.")
        self.found = invitation.conversation_id
        return self.found

    async def attach(self, uow: CampaignWork, person: PersonRef, conversation_id: int) -> None:
        await uow.campaigns.attach(self._invitation_id, self._campaign.id, conversation_id)


class Responses(Protocol):
    """The part of the `ConversationService` a campaign starts its responses through."""

    async def begin(
        self,
        who: Sender,
        flow_id: str,
        *,
        new: bool = False,
        event_id: str | None = None,
        link: BeginLink[CampaignWork] | None = None,
    ) -> Outcome: ...
