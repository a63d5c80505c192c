"""Survey campaigns in SQL, as `flows.surveys.ports.CampaignRepository` promises them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Table, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.people import ChatRef, Platform
from flows.surveys import Campaign, CampaignCounts, ChatInvitation, Invitation, Reminders, Source
from storage.base import insert_for
from storage.models import (
    AnswerRecord,
    CampaignChat,
    CampaignCoordinator,
    CampaignInvitation,
    CampaignRecord,
    CampaignResponse,
    Conversation,
    Person,
)

invitations: Table = CampaignInvitation.__table__  # type: ignore[assignment]
conversations: Table = Conversation.__table__  # type: ignore[assignment]
answers: Table = AnswerRecord.__table__  # type: ignore[assignment]
RESPONDENT_NAME = "anonymous respondent"


def _campaign(row: CampaignRecord) -> Campaign:
    return Campaign(
        id=row.id,
        slug=row.slug,
        flow_id=row.flow_id,
        title=row.title,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        timezone=row.timezone,
        anonymous=row.anonymous,
        reminders=Reminders.from_items(row.reminders or ()),
        token=row.token,
        open_link=row.open_link,
        closed_at=row.closed_at,
        respondent_id=row.respondent_id,
        created_by=row.created_by,
    )


def _chat(row: CampaignChat) -> ChatInvitation:
    return ChatInvitation(
        id=row.id,
        campaign_id=row.campaign_id,
        chat=ChatRef(Platform(row.platform), row.chat_id),
        token=row.token,
        title=row.title,
    )


def _invitation(row: Any) -> Invitation:
    chat = None
    if row.platform is not None and row.chat_id is not None:
        chat = ChatRef(Platform(row.platform), row.chat_id)
    source: Source = row.source
    return Invitation(
        id=row.id,
        campaign_id=row.campaign_id,
        person_id=row.person_id,
        source=source,
        chat=chat,
        invited_on=row.invited_on,
        conversation_id=row.conversation_id,
        completed=row.completed,
        chat_invitation_id=row.chat_invitation_id,
    )


class SqlCampaignRepository:
    """Campaigns, invitations, responses and coordinators through one session."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    # --- campaigns ----------------------------------------------------------------------------

    async def add(self, campaign: Campaign, at: datetime) -> Campaign:
        row = CampaignRecord(
            slug=campaign.slug,
            flow_id=campaign.flow_id,
            title=campaign.title,
            anonymous=campaign.anonymous,
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
            closed_at=campaign.closed_at,
            timezone=campaign.timezone,
            reminders=campaign.reminders.items(),
            token=campaign.token,
            open_link=campaign.open_link,
            created_by=campaign.created_by,
            created_at=at,
        )
        if campaign.anonymous:
            row.respondent_id = await self._new_respondent(at)
        self._session.add(row)
        await self._session.flush()
        return _campaign(row)

    async def _new_respondent(self, at: datetime) -> int:
        # Made with the campaign, not with a response, so its creation time tells nothing.
        person = Person(display_name=RESPONDENT_NAME, created_at=at)
        self._session.add(person)
        await self._session.flush()
        return person.id

    async def get(self, campaign_id: int) -> Campaign | None:
        row = await self._session.get(CampaignRecord, campaign_id)
        return None if row is None else _campaign(row)

    async def find(self, slug_or_id: str) -> Campaign | None:
        query = select(CampaignRecord).where(CampaignRecord.slug == slug_or_id)
        if slug_or_id.isdecimal() and len(slug_or_id) < 10:
            query = select(CampaignRecord).where(
                or_(CampaignRecord.slug == slug_or_id, CampaignRecord.id == int(slug_or_id))
            )
        # A slug made of digits wins over the campaign with that number.
        rows = (await self._session.scalars(query)).all()
        chosen = sorted(rows, key=lambda r: r.slug != slug_or_id)
        return _campaign(chosen[0]) if chosen else None

    async def by_token(self, token: str) -> tuple[Campaign, ChatInvitation | None] | None:
        row = await self._session.scalar(
            select(CampaignRecord).where(CampaignRecord.token == token)
        )
        if row is not None:
            return _campaign(row), None
        chat = await self._session.scalar(select(CampaignChat).where(CampaignChat.token == token))
        if chat is None:
            return None
        owner = await self._session.get(CampaignRecord, chat.campaign_id)
        return None if owner is None else (_campaign(owner), _chat(chat))

    async def all(self) -> list[Campaign]:
        rows = await self._session.scalars(
            select(CampaignRecord).order_by(CampaignRecord.opens_at.desc(), CampaignRecord.id)
        )
        return [_campaign(r) for r in rows]

    async def unfinished(self) -> list[Campaign]:
        rows = await self._session.scalars(
            select(CampaignRecord)
            .where(CampaignRecord.closed_at.is_(None))
            .order_by(CampaignRecord.id)
        )
        return [_campaign(r) for r in rows]

    async def set_open_link(self, campaign_id: int, on: bool) -> None:
        await self._session.execute(
            update(CampaignRecord).where(CampaignRecord.id == campaign_id).values(open_link=on)
        )

    async def close(self, campaign_id: int, at: datetime) -> None:
        await self._session.execute(
            update(CampaignRecord)
            .where(CampaignRecord.id == campaign_id, CampaignRecord.closed_at.is_(None))
            .values(closed_at=at)
        )

    # --- invitations --------------------------------------------------------------------------

    async def invite(self, invitation: Invitation) -> tuple[Invitation, bool]:
        statement = (
            insert_for(self._dialect, invitations)
            .values(
                id=invitation.id,
                campaign_id=invitation.campaign_id,
                person_id=invitation.person_id,
                source=invitation.source,
                chat_invitation_id=invitation.chat_invitation_id,
                platform=invitation.chat.platform.value if invitation.chat else None,
                chat_id=invitation.chat.chat_id if invitation.chat else None,
                conversation_id=invitation.conversation_id,
                completed=invitation.completed,
                invited_on=invitation.invited_on,
            )
            .on_conflict_do_nothing()
            .returning(invitations.c.id)
        )
        new = (await self._session.execute(statement)).first() is not None
        stored = await self.invitation(invitation.campaign_id, invitation.person_id)
        assert stored is not None
        return stored, new

    async def invitation(
        self, campaign_id: int, person_id: int, *, lock: bool = False
    ) -> Invitation | None:
        statement = select(invitations).where(
            invitations.c.campaign_id == campaign_id, invitations.c.person_id == person_id
        )
        if lock and self._dialect == "postgresql":
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return None if row is None else _invitation(row)

    async def invitation_of_conversation(self, conversation_id: int) -> Invitation | None:
        row = (
            await self._session.execute(
                select(invitations).where(invitations.c.conversation_id == conversation_id)
            )
        ).first()
        return None if row is None else _invitation(row)

    async def invitations(self, campaign_id: int) -> list[Invitation]:
        rows = await self._session.execute(
            select(invitations)
            .where(invitations.c.campaign_id == campaign_id)
            .order_by(invitations.c.id)
        )
        return [_invitation(r) for r in rows]

    async def attach(self, invitation_id: str, campaign_id: int, conversation_id: int) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id)
            .values(conversation_id=conversation_id)
        )
        await self._session.execute(
            insert_for(self._dialect, CampaignResponse)
            .values(conversation_id=conversation_id, campaign_id=campaign_id)
            .on_conflict_do_nothing()
        )

    async def complete(self, invitation_id: str, *, keep_link: bool) -> None:
        values: dict[str, Any] = {"completed": True}
        if not keep_link:
            values["conversation_id"] = None
        await self._session.execute(
            update(invitations).where(invitations.c.id == invitation_id).values(**values)
        )

    async def detach(self, invitation_id: str) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id)
            .values(conversation_id=None)
        )

    # --- responses ----------------------------------------------------------------------------

    async def of_conversation(self, conversation_id: int) -> Campaign | None:
        row = await self._session.scalar(
            select(CampaignRecord)
            .join(CampaignResponse, CampaignResponse.campaign_id == CampaignRecord.id)
            .where(CampaignResponse.conversation_id == conversation_id)
        )
        return None if row is None else _campaign(row)

    async def anonymise(self, conversation_id: int, campaign_id: int, day: date) -> None:
        campaign = await self._session.get(CampaignRecord, campaign_id)
        if campaign is None:
            raise LookupError(f"no campaign {campaign_id}")
        if campaign.respondent_id is None:
            campaign.respondent_id = await self._new_respondent(campaign.created_at)
            await self._session.flush()
        midnight = datetime.combine(day, time(), UTC)
        await self._session.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(
                person_id=campaign.respondent_id,
                started_at=midnight,
                updated_at=midnight,
                # Only a completed conversation has a completion time to blur.
                completed_at=case((conversations.c.status == "completed", midnight), else_=None),
                revision=conversations.c.revision + 1,
            )
        )
        await self._session.execute(
            update(answers)
            .where(answers.c.conversation_id == conversation_id)
            .values(answered_at=midnight)
        )

    async def unfocus(self, conversation_ids: Sequence[int]) -> None:
        if not conversation_ids:
            return
        await self._session.execute(
            update(conversations)
            .where(conversations.c.id.in_(list(conversation_ids)))
            .values(revision=conversations.c.revision + 1)
        )

    # --- chats --------------------------------------------------------------------------------

    async def add_chat(self, chat: ChatInvitation, at: datetime) -> tuple[ChatInvitation, bool]:
        statement = (
            insert_for(self._dialect, CampaignChat)
            .values(
                campaign_id=chat.campaign_id,
                platform=chat.chat.platform.value,
                chat_id=chat.chat.chat_id,
                title=chat.title,
                token=chat.token,
                created_at=at,
            )
            .on_conflict_do_nothing()
            .returning(CampaignChat.id)
        )
        new = (await self._session.execute(statement)).first() is not None
        row = await self._session.scalar(
            select(CampaignChat).where(
                CampaignChat.campaign_id == chat.campaign_id,
                CampaignChat.platform == chat.chat.platform.value,
                CampaignChat.chat_id == chat.chat.chat_id,
            )
        )
        assert row is not None
        return _chat(row), new

    async def chats(self, campaign_id: int) -> list[ChatInvitation]:
        rows = await self._session.scalars(
            select(CampaignChat)
            .where(CampaignChat.campaign_id == campaign_id)
            .order_by(CampaignChat.id)
        )
        return [_chat(r) for r in rows]

    # --- counts and coordinators --------------------------------------------------------------

    async def counts(self, campaign_id: int) -> CampaignCounts:
        c = invitations.c
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    func.count().filter(c.completed.is_(True)),
                    func.count().filter(c.completed.is_(False), c.conversation_id.is_not(None)),
                    func.count().filter(c.platform.is_(None)),
                ).where(c.campaign_id == campaign_id)
            )
        ).one()
        chats = await self._session.scalar(
            select(func.count()).where(CampaignChat.campaign_id == campaign_id)
        )
        return CampaignCounts(
            invited=int(row[0]),
            completed=int(row[1]),
            in_progress=int(row[2]),
            unreachable=int(row[3]),
            chats=int(chats or 0),
        )

    async def add_coordinator(self, campaign_id: int, person_id: int) -> bool:
        statement = (
            insert_for(self._dialect, CampaignCoordinator)
            .values(campaign_id=campaign_id, person_id=person_id)
            .on_conflict_do_nothing()
            .returning(CampaignCoordinator.person_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def coordinators(self, campaign_id: int) -> list[int]:
        rows = await self._session.scalars(
            select(CampaignCoordinator.person_id)
            .where(CampaignCoordinator.campaign_id == campaign_id)
            .order_by(CampaignCoordinator.person_id)
        )
        return list(rows)

    async def open_for(self, person_id: int) -> list[Campaign]:
        rows = await self._session.scalars(
            select(CampaignRecord)
            .join(CampaignInvitation, CampaignInvitation.campaign_id == CampaignRecord.id)
            .where(
                CampaignInvitation.person_id == person_id,
                CampaignInvitation.completed.is_(False),
                CampaignRecord.closed_at.is_(None),
            )
            .order_by(CampaignRecord.opens_at.desc())
        )
        return [_campaign(r) for r in rows]
