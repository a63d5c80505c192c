"""Survey campaigns through the unit of work, one transaction each: what coordinators do
(create, invite, open a link, close, see results), how a person starts or resumes their one
response, the hook that settles a response when it completes, and the periodic planning of
reminders.

Anonymity: a response is kept with its person while it is in progress, so that they can stop
and go on (and see or delete it with /myanswers). When it completes, in the same transaction,
the conversation is given to the campaign's stand-in respondent (a person with no identity),
its times and its answers' times are cut to the day, and the invitation forgets it, keeping
only that it was answered. Closing the campaign does the same to responses still in progress.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flows.clock import Clock
from flows.conversation import Flow, Outbound, Outcome, Sender, UnknownFlow
from flows.outbox import OutboxItem
from flows.people import ChatPlatforms, ChatRef, Role
from flows.slugs import slugify
from flows.surveys.hooks import InvitationLink, Responses, day_of
from flows.surveys.model import (
    Campaign,
    CampaignCounts,
    CampaignError,
    ChatInvitation,
    Invitation,
    Reminders,
    campaign_prefix,
    chat_key,
    chat_message,
    hidden_campaigns,
    intro_message,
    invitation_message,
    invite_key,
    may_see_results,
    needs_reminder,
    not_invited_message,
    refusal,
    reminder_key,
    reminder_message,
    token_of,
)
from flows.surveys.ports import CampaignUnits, CampaignWork

# A reminder owed while no worker ran still goes if it fell due this recently; older ones are
# dropped rather than sent in a heap. Reminders are planned this far ahead.
PLAN_GRACE = timedelta(hours=6)
PLAN_AHEAD = timedelta(hours=1)
NO_REMINDERS = Reminders()


class NotFound(CampaignError):
    """No such campaign, person or link."""


class NotAllowed(CampaignError):
    """The person may not do that with this campaign."""


def new_token() -> str:
    """A campaign's or a chat invitation's link secret: 64 random bits in hex, which fits
    the start links of chat platforms and never meets our Markdown."""
    return secrets.token_hex(8)


class CampaignService:
    """Campaigns for coordinators and respondents. Starting a response needs the
    `ConversationService` it runs in; the rest works without one (the CLI, the worker)."""

    def __init__(
        self,
        units: CampaignUnits,
        clock: Clock,
        conversations: Responses | None = None,
        *,
        platforms: ChatPlatforms,
    ) -> None:
        self._units = units
        self._clock = clock
        self._conversations = conversations
        # How invitees are written to privately, and the start links posted in shared chats.
        self.platforms = platforms

    # --- coordinators -----------------------------------------------------------------------

    async def create(
        self,
        flow: Flow,
        title: str,
        opens_at: datetime,
        closes_at: datetime | None = None,
        *,
        timezone: str,
        anonymous: bool = False,
        reminders: Reminders = NO_REMINDERS,
        slug: str | None = None,
        created_by: int | None = None,
        coordinators: Sequence[int] = (),
    ) -> Campaign:
        """Make a campaign of a survey flow; nobody is invited yet."""
        if flow.kind != "survey":
            raise CampaignError(f"{flow.id} is a flow of kind {flow.kind}, not a survey")
        campaign = Campaign(
            id=0,
            slug=slugify(slug or title),
            flow_id=flow.id,
            title=title.strip()[:300],
            opens_at=opens_at.astimezone(UTC),
            closes_at=None if closes_at is None else closes_at.astimezone(UTC),
            timezone=timezone,
            anonymous=anonymous,
            reminders=reminders,
            token=new_token(),
            created_by=created_by,
        )
        campaign.check()
        now = self._clock.now()
        async with self._units() as uow:
            if await uow.campaigns.find(campaign.slug) is not None:
                raise CampaignError(f"there is already a campaign {campaign.slug!r}")
            for person_id in {*coordinators, *([created_by] if created_by else [])}:
                if await uow.people.get(person_id) is None:
                    raise NotFound(f"there is no person {person_id}")
            # Results of a campaign nobody answered yet still know the survey's questions.
            await uow.flows.remember(flow, now)
            stored = await uow.campaigns.add(campaign, now)
            for person_id in {*coordinators, *([created_by] if created_by else [])}:
                await uow.campaigns.add_coordinator(stored.id, person_id)
            await uow.commit()
        return stored

    async def invite_people(
        self, ref: str, person_ids: Sequence[int]
    ) -> list[tuple[int, Invitation, bool]]:
        """Invite people by their number; each new invitee is sent the invitation privately
        (at opening, if the campaign is not open yet). Returns (person, invitation, new)."""
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            now = self._refuse_closed(campaign)
            found = []
            items = []
            for person_id in dict.fromkeys(person_ids):
                if await uow.people.get(person_id) is None:
                    raise NotFound(f"there is no person {person_id}")
                chat = self.platforms.private_chat(await uow.people.identities(person_id))
                invitation, new = await uow.campaigns.invite(
                    Invitation(
                        id=new_token(),
                        campaign_id=campaign.id,
                        person_id=person_id,
                        source="person",
                        chat=chat,
                        invited_on=day_of(now),
                    )
                )
                if new and chat is not None:
                    items.append(
                        self._item(
                            invite_key(campaign.id, invitation.id),
                            "campaign-invite",
                            chat,
                            invitation_message(campaign),
                            campaign,
                            now,
                        )
                    )
                found.append((person_id, invitation, new))
            await uow.outbox.enqueue(items)
            await uow.commit()
            return found

    async def invite_chats(
        self, ref: str, chats: Sequence[tuple[ChatRef, str | None]]
    ) -> list[tuple[ChatInvitation, bool]]:
        """Invite chats (with their titles, if known): one message goes to each, with a link
        that lets whoever uses it answer privately, once. Returns (invitation, new)."""
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            now = self._refuse_closed(campaign)
            found = []
            items = []
            for chat, title in chats:
                platform = self.platforms.get(chat.platform)
                if platform is None or platform.private_prefix is None:
                    where = " and ".join(
                        p.label for p in self.platforms.platforms if p.private_prefix is not None
                    )
                    raise CampaignError(f"{chat.key}: only {where or 'bot'} chats can be invited")
                invited, new = await uow.campaigns.add_chat(
                    ChatInvitation(0, campaign.id, chat, new_token(), title), now
                )
                if new:
                    message = chat_message(campaign, platform, invited.token)
                    items.append(
                        self._item(
                            chat_key(campaign.id, invited.id),
                            "campaign-chat",
                            chat,
                            message,
                            campaign,
                            now,
                        )
                    )
                found.append((invited, new))
            await uow.outbox.enqueue(items)
            await uow.commit()
            return found

    async def open_link(self, ref: str) -> Campaign:
        """Let anyone with the campaign's own link answer (once each)."""
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            self._refuse_closed(campaign)
            await uow.campaigns.set_open_link(campaign.id, True)
            await uow.commit()
            return replace(campaign, open_link=True)

    async def add_coordinator(self, ref: str, person_id: int) -> bool:
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            if await uow.people.get(person_id) is None:
                raise NotFound(f"there is no person {person_id}")
            new = await uow.campaigns.add_coordinator(campaign.id, person_id)
            await uow.commit()
            return new

    async def campaigns(self) -> list[tuple[Campaign, CampaignCounts]]:
        async with self._units() as uow:
            return [(c, await uow.campaigns.counts(c.id)) for c in await uow.campaigns.all()]

    async def campaign(
        self, ref: str
    ) -> tuple[Campaign, CampaignCounts, list[ChatInvitation], list[int]]:
        """A campaign with its counts, its invited chats and its coordinators."""
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            return (
                campaign,
                await uow.campaigns.counts(campaign.id),
                await uow.campaigns.chats(campaign.id),
                await uow.campaigns.coordinators(campaign.id),
            )

    async def close(self, ref: str) -> Campaign:
        """Stop taking answers now: pending invitations and reminders are cancelled, and later
        answers are refused."""
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            if campaign.closed_at is not None:
                raise CampaignError(f"{campaign.slug} was closed already")
            closed = await self._close(uow, campaign, self._clock.now())
            await uow.commit()
            return closed

    async def results_for(self, ref: str, person_id: int) -> Campaign:
        """The campaign, if the person may see its results; raises `NotAllowed` otherwise."""
        async with self._units() as uow:
            campaign = await self._campaign(uow, ref)
            person = await uow.people.get(person_id)
            coordinators = await uow.campaigns.coordinators(campaign.id)
            if person is None or not may_see_results(person, campaign, coordinators):
                raise NotAllowed(f"only the coordinators of {campaign.slug} see its results")
            return campaign

    async def hidden_from(self, flow_id: str, person_id: int) -> frozenset[int]:
        """The flow's campaigns whose responses the person may not read, to leave out of the
        flow's results and exports (see `hidden_campaigns`); raises `NotAllowed` for someone
        who may not read a survey's results at all."""
        async with self._units() as uow:
            person = await uow.people.get(person_id)
            if person is None or not person.has_role(Role.COORDINATOR):
                raise NotAllowed("only coordinators read a survey's results")
            campaigns = [c for c in await uow.campaigns.all() if c.flow_id == flow_id]
            named = [(c, await uow.campaigns.coordinators(c.id)) for c in campaigns]
            return hidden_campaigns(person.id, person.roles, named)

    async def plan(self) -> int:
        """Close the campaigns whose time is up, and make sure the outbox holds every reminder
        falling soon for those who have not completed. Safe to run as often as wanted, from any
        number of workers; returns how many reminders were new."""
        now = self._clock.now()
        new = 0
        async with self._units() as uow:
            for campaign in await uow.campaigns.unfinished():
                status = campaign.status(now)
                if status == "closed":
                    await self._close(uow, campaign, campaign.ends_at or now)
                    continue
                if status != "open":
                    continue
                due = campaign.due_reminders(now - PLAN_GRACE, now + PLAN_AHEAD)
                # Of those owed while no worker ran, only the last goes.
                late = [d for d in due if d[1] <= now]
                due = [*late[-1:], *(d for d in due if d[1] > now)]
                if not due:
                    continue
                invitations = await uow.campaigns.invitations(campaign.id)
                items = [
                    OutboxItem(
                        reminder_key(campaign.id, invitation.id, number),
                        "campaign-reminder",
                        invitation.chat,
                        reminder_message(campaign, started=invitation.conversation_id is not None),
                        at,
                        not_after=campaign.ends_at,
                    )
                    for number, at in due
                    for invitation in invitations
                    if needs_reminder(invitation, at) and invitation.chat is not None
                ]
                new += await uow.outbox.enqueue(items)
            await uow.commit()
        return new

    # --- respondents ------------------------------------------------------------------------

    async def start(self, who: Sender, ref: str, *, event_id: str | None = None) -> Outcome:
        """Start the person's response to a campaign, or pick it up where it stopped. `ref` is
        the campaign's slug or number (for invitees, or anyone when its link is open) or a link
        token `c_<token>` (the campaign's open link, or a chat invitation's)."""
        if self._conversations is None:
            raise RuntimeError("starting a response needs the conversation service")
        now = self._clock.now()
        async with self._units() as uow:
            token = token_of(ref)
            chat_invitation: ChatInvitation | None = None
            if token is not None:
                found = await uow.campaigns.by_token(token)
                if found is None:
                    return _say("That survey link is not one I know; ask for a new one.")
                campaign, chat_invitation = found
            else:
                named = await uow.campaigns.find(ref)
                if named is None:
                    return _say(f"I have no survey called {ref[:64]!r}.")
                campaign = named
            refused = refusal(campaign, now)
            if refused is not None:
                return Outcome((refused,))
            person = await uow.people.identify(
                who.platform, who.user_id, display_name=who.display_name, language=who.language
            )
            invitation = await uow.campaigns.invitation(campaign.id, person.id)
            if invitation is None:
                if chat_invitation is None and not campaign.open_link:
                    await uow.commit()
                    return Outcome((not_invited_message(campaign),))
                invitation, _ = await uow.campaigns.invite(
                    Invitation(
                        id=new_token(),
                        campaign_id=campaign.id,
                        person_id=person.id,
                        source="chat" if chat_invitation is not None else "link",
                        chat=self.platforms.private_chat([(who.platform, who.user_id)]),
                        invited_on=day_of(now),
                        chat_invitation_id=chat_invitation.id if chat_invitation else None,
                    )
                )
            elif invitation.completed:
                answered = refusal(campaign, now, answered=True)
                return Outcome((answered,) if answered else ())
            await uow.commit()
        link = InvitationLink(campaign, invitation.id, now)
        try:
            outcome = await self._conversations.begin(
                who, campaign.flow_id, event_id=event_id, link=link
            )
        except UnknownFlow:
            return _say(f"The survey of *{campaign.title}* is not available here.", "error")
        except CampaignError as exc:
            return _say(str(exc))
        if outcome.duplicate or outcome.conversation_id == link.found:
            return outcome
        return replace(outcome, messages=(intro_message(campaign), *outcome.messages))

    async def known(self, ref: str) -> bool:
        """Whether a campaign has this slug or number."""
        async with self._units() as uow:
            return await uow.campaigns.find(ref) is not None

    async def invited(self, who: Sender) -> list[Campaign]:
        """The open campaigns the person is invited to and has not answered."""
        now = self._clock.now()
        async with self._units() as uow:
            person = await uow.people.identify(
                who.platform, who.user_id, display_name=who.display_name, language=who.language
            )
            found = await uow.campaigns.open_for(person.id)
            await uow.commit()
        return [c for c in found if c.status(now) == "open"]

    # --- helpers ----------------------------------------------------------------------------

    async def _campaign(self, uow: CampaignWork, ref: str) -> Campaign:
        campaign = await uow.campaigns.find(ref)
        if campaign is None:
            raise NotFound(f"there is no campaign {ref!r}")
        return campaign

    def _refuse_closed(self, campaign: Campaign) -> datetime:
        now = self._clock.now()
        if campaign.status(now) == "closed":
            raise CampaignError(f"{campaign.slug} is closed")
        return now

    @staticmethod
    def _item(
        key: str,
        kind: str,
        chat: ChatRef,
        message: Outbound,
        campaign: Campaign,
        now: datetime,
    ) -> OutboxItem:
        # Sent at opening at the earliest, and never once the campaign has closed.
        due = max(now, campaign.opens_at)
        return OutboxItem(key, kind, chat, message, due, not_after=campaign.ends_at)

    async def _close(self, uow: CampaignWork, campaign: Campaign, at: datetime) -> Campaign:
        await uow.campaigns.close(campaign.id, at)
        await uow.outbox.cancel_keys(campaign_prefix(campaign.id))
        started = [i for i in await uow.campaigns.invitations(campaign.id) if i.status == "started"]
        if campaign.anonymous:
            # A response still in progress stays in the results, incomplete, and nobody's.
            for invitation in started:
                assert invitation.conversation_id is not None
                await uow.campaigns.anonymise(invitation.conversation_id, campaign.id, day_of(at))
                await uow.campaigns.detach(invitation.id)
        else:
            # A process holding one of them in memory reads it again and is refused.
            await uow.campaigns.unfocus([i.conversation_id for i in started if i.conversation_id])
        return replace(campaign, closed_at=at)


def _say(text: str, kind: str = "notice") -> Outcome:
    return Outcome((Outbound(text, kind="error" if kind == "error" else "notice"),))
