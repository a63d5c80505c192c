"""People, their identities on each platform, and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flows.people import Role
from storage.base import Base, UTCDateTime, utcnow

ROLES = ", ".join(f"'{r.value}'" for r in Role)


class Person(Base):
    """Someone deseo knows, on however many platforms they use."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    # IANA zone name, kept beside every UTC time shown to this person.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class Identity(Base):
    """A person's account on one platform: a chat platform's user id, a web login."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        # Any platform an adapter names (bot/ knows them), as a short lower-case name.
        CheckConstraint("platform <> '' AND platform = lower(platform)", name="platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    # Platform ids are kept as text: Telegram's and Discord's are integers of different sizes,
    # a web account's is a user name.
    external_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship(back_populates="identities")


class PersonRole(Base):
    """One role held by one person."""

    __tablename__ = "person_roles"
    __table_args__ = (CheckConstraint(f"role IN ({ROLES})", name="role"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship(back_populates="roles")
