"""Territories and the organisations in them, and who works for which organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, UTCDateTime, utcnow

TERRITORY_LEVELS = ("network", "country", "region", "province", "city", "area")


class Territory(Base):
    """A place, inside a larger one: West Cork within County Cork within Ireland.

    The chain of parents lets a service for a region match an entrepreneur in one of its towns.
    """

    __tablename__ = "territories"
    __table_args__ = (
        CheckConstraint(
            "level IN ({})".format(", ".join(f"'{v}'" for v in TERRITORY_LEVELS)), name="level"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="RESTRICT"), index=True
    )
    # ISO 3166-1 alpha-2, where the territory lies inside one country.
    country_code: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))

    parent: Mapped[Territory | None] = relationship(remote_side=[id])


class Organisation(Base):
    """A member or partner of the network: a city, a region, a social enterprise, a support body."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories.id", ondelete="SET NULL"), index=True
    )
    # Where the directory's sources name the organisation ("file:line").
    source: Mapped[str | None] = mapped_column(String(200))
    # Its place in the support-service directory; null when the directory does not list it
    # (an organisation that only has members, or one a later import left out).
    directory_position: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    territory: Mapped[Territory | None] = relationship()


class OrganisationMember(Base):
    """A person who acts for an organisation, for example to answer the referrals made to it."""

    __tablename__ = "organisation_members"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[str | None] = mapped_column(String(120))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnmetNeed(Base):
    """A need an entrepreneur asked about that no service in their area met: what a territory
    is missing, for coordinators."""

    __tablename__ = "unmet_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    # The directory's place, when the person's answer was recognised; their words either way.
    place: Mapped[str | None] = mapped_column(String(80), index=True)
    place_text: Mapped[str | None] = mapped_column(String(200))
    need: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
