"""The outbox: messages waiting to be sent, whoever planned them (meeting reminders and
agendas, campaign invitations, referral updates, notices of forum posts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.models.conversations import Json

OUTBOX_STATUSES = ("pending", "sending", "sent", "dead", "expired", "cancelled")


class OutboxRow(Base):
    """A message that must go out at `due_at`; the record of what is owed, across restarts.

    The unique `key` (kind, meeting, occurrence, offset, chat) makes planning idempotent;
    a worker claims a row by moving it to `sending` with a lease, so no two workers send it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in OUTBOX_STATUSES)), name="status"
        ),
        Index("ix_outbox_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # After this instant the message is no use (the meeting has started): expire, do not send.
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
