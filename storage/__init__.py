"""The store: SQLAlchemy models, the engine, repositories, the unit of work and migrations."""

from storage import migrate
from storage.database import (
    Database,
    DatabaseURLError,
    StoreUnavailable,
    display_url,
    explain_failure,
    make_engine,
    normalise_url,
)
from storage.unit_of_work import SqlUnitOfWork, unit_of_work_factory

__all__ = [
    "Database",
    "DatabaseURLError",
    "SqlUnitOfWork",
    "StoreUnavailable",
    "display_url",
    "explain_failure",
    "make_engine",
    "migrate",
    "normalise_url",
    "unit_of_work_factory",
]
