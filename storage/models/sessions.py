"""Signed-in sessions and login failure counts, kept in the store so that every web process
sees the same ones and a restart forgets none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class WebSession(Base):
    """A browser signed in as a person. The cookie carries a random id; the row keeps only its
    SHA-256 digest, so reading the table gives no one a session. Deleting the row ends it."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailures(Base):
    """Failed sign-ins counted for one key (an address, an account, or both) since
    `window_start`; a row whose window has passed counts as none and is replaced."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    count: Mapped[int] = mapped_column(default=0)
