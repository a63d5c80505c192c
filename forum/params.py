"""Ids sent to routes, in the path, the query, a JSON body or a form: only ids the store can
hold, so a huge number is a 422 (or a page saying what is wrong), not a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

# Primary keys are 32-bit INTEGERs on PostgreSQL (SQLite's 64-bit ones hold every such id).
MAX_ID = 2_147_483_647

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id.")]
QueryRowId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A row id.")]
BodyRowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def form_row_id(text: str) -> int | None:
    """The id a form field holds, or None when it holds none the store could have."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
