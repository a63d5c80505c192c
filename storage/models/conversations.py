"""Conversations through flows, their answers, the flow versions they ran under, and the inbound
events already applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


class FlowVersion(Base):
    """The definition of one version of a flow, kept for as long as answers refer to it."""

    __tablename__ = "flow_versions"

    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Conversation(Base):
    """One person going through one flow version; `state` is the engine's state as JSON."""

    __tablename__ = "conversations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["flow_id", "flow_version"],
            ["flow_versions.flow_id", "flow_versions.version"],
            name="fk_conversations_flow_version",
        ),
        CheckConstraint("status IN ('open', 'paused', 'completed')", name="status"),
        Index("ix_conversations_person_status", "person_id", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    state: Mapped[dict[str, Any]] = mapped_column(Json)
    report: Mapped[dict[str, Any] | None] = mapped_column(Json)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic concurrency: each save raises it and names the revision it started from.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AnswerRecord(Base):
    """One answer of one conversation, with the flow version and source it was given under."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("conversation_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(64))
    # The value as JSON: a choice id, a list of ids, a number, an ISO date, text, or null.
    value: Mapped[Any] = mapped_column(Json, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InboundEvent(Base):
    """An update, interaction or line already applied; a second delivery of it is ignored."""

    __tablename__ = "inbound_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
