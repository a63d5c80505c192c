"""Path parameters shared by routes: ids the store can hold, so a huge number is a 422, not a
database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Primary keys are 32-bit INTEGERs on PostgreSQL.
MAX_ID = 2_147_483_647

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id.")]
