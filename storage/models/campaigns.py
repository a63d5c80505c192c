"""Survey campaigns: the campaign, the chats and people invited to it, the conversations that
answer it, and its coordinators.

What is kept about an anonymous campaign's answers is bounded by design: an invitation names
its person, but names their conversation only while it is in progress; once it completes, the
invitation keeps just `completed` (no time), and the conversation belongs to the campaign's
stand-in respondent (see `flows.surveys.service`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.models.conversations import Json


class CampaignRecord(Base):
    """A survey flow run for an audience between opening and closing."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once it stopped taking answers: closed by hand, or by the worker at `closes_at`.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The zone its times are shown in.
    timezone: Mapped[str] = mapped_column(String(64))
    # The reminder schedule as `flows.surveys.Reminders.items()`, e.g. ["3d", "1d-before-close"].
    reminders: Mapped[list[str]] = mapped_column(Json, default=list)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who an anonymous campaign's completed responses belong to: a person with no identity.
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignChat(Base):
    """A chat invited as a whole; its own link token tells who started from it."""

    __tablename__ = "campaign_chats"
    __table_args__ = (UniqueConstraint("campaign_id", "platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignInvitation(Base):
    """One person's place in a campaign: at most one each, hence one response each.

    Its id is random, not a sequence, and it keeps only the day it was made, so that the order
    of invitations says nothing about the order of the conversations that answer them.
    """

    __tablename__ = "campaign_invitations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id"),
        CheckConstraint("source IN ('person', 'chat', 'link')", name="source"),
        Index("ix_campaign_invitations_conversation", "conversation_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    chat_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_chats.id", ondelete="SET NULL")
    )
    # Where reminders reach them privately; empty when no platform of theirs can be written to.
    platform: Mapped[str | None] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_on: Mapped[date] = mapped_column(Date)


class CampaignResponse(Base):
    """A conversation that answers a campaign; it names no person."""

    __tablename__ = "campaign_responses"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )


class CampaignCoordinator(Base):
    """A person who runs a campaign and sees its results."""

    __tablename__ = "campaign_coordinators"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
