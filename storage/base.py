"""The declarative base every model shares: constraint names and a UTC datetime column type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints let migrations drop and alter them the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so values are normalised to UTC on the way in and tagged UTC on the
    way out; a naive datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def insert_for(dialect: str, table: Any) -> Any:
    """An INSERT for `table` that knows ON CONFLICT on this database (`postgresql` or
    `sqlite`), so one repository serves both."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


# Made by migrations in SQL the models cannot say (SQLite's FTS5 table and its shadow tables,
# PostgreSQL's expression index for search); comparing models with the schema leaves them out.
UNMODELLED_PREFIXES = ("search_fts", "ix_search_documents_tsv")


def modelled(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's `include_name` hook: False for the schema objects no model describes."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def utcnow() -> datetime:
    """Now, in UTC; the default for creation times."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The base of every deseo model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
