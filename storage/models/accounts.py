"""Web accounts: a person's log-in for the forum, one-time codes and API tokens.

A web account belongs to a `Person`, the same person the bots know, so a member who links their
Telegram or Discord identity is one person everywhere. Secrets are never stored: passwords as
argon2 hashes, codes and tokens as SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow

TOKEN_PURPOSES = ("reset", "link")


class WebAccount(Base):
    """A person's user name and password for the web forum."""

    __tablename__ = "web_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    # As typed at registration, for display; `username_key` (case-folded) is what must be unique.
    username: Mapped[str] = mapped_column(String(40))
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised when the password changes: sessions signed with an older value stop working.
    session_epoch: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OneTimeCode(Base):
    """A code good for one use before it expires: a password reset link, or the code a bot
    gives to link a chat identity to a web account."""

    __tablename__ = "one_time_codes"
    __table_args__ = (
        CheckConstraint(
            f"purpose IN ({', '.join(repr(p) for p in TOKEN_PURPOSES)})", name="purpose"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A bearer token for the JSON API, acting as its person."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_person", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
