"""The support-service directory, after Open Referral HSDS 3.0: the vocabulary as taxonomy
terms, and services with their areas, languages and attributes.

Organisations and places are the `organisations` and `territories` tables; a service belongs
to an organisation and serves territories.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base

TAXONOMIES = ("stages", "needs", "target_groups", "sectors")
SERVICE_STATUSES = ("active", "planned", "historical")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


class TaxonomyTerm(Base):
    """A term of the directory's vocabulary: a stage, a need, a target group or a sector."""

    __tablename__ = "taxonomy_terms"
    __table_args__ = (
        UniqueConstraint("taxonomy", "code"),
        CheckConstraint(_one_of("taxonomy", TAXONOMIES), name="taxonomy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy: Mapped[str] = mapped_column(String(32))
    # The stable id that services, stored answers and unmet needs refer to ("financing").
    code: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class ServiceRecord(Base):
    """What an organisation offers entrepreneurs: an HSDS service."""

    __tablename__ = "services"
    __table_args__ = (CheckConstraint(_one_of("status", SERVICE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # deseo's own status; an HSDS export maps it to HSDS's (planned -> inactive, ...).
    status: Mapped[str] = mapped_column(String(16), default="active")
    url: Mapped[str | None] = mapped_column(String(500))
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))


class ServiceArea(Base):
    """A territory a service serves; it also serves every place inside that territory."""

    __tablename__ = "service_areas"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territories.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ServiceLanguage(Base):
    """A language a service is offered in (ISO 639-1 code)."""

    __tablename__ = "service_languages"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class ServiceAttribute(Base):
    """An HSDS attribute: the service offers a need, suits a stage, serves a target group or
    works in a sector, each a term of the vocabulary."""

    __tablename__ = "service_attributes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["taxonomy", "term"],
            ["taxonomy_terms.taxonomy", "taxonomy_terms.code"],
            ondelete="CASCADE",
            name="fk_service_attributes_term_taxonomy_terms",
        ),
        Index("ix_service_attributes_taxonomy_term", "taxonomy", "term"),
    )

    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    taxonomy: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(80), primary_key=True)
