"""`/healthz`: is the store reachable, and is its schema at the revision the code expects."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from storage import Database, migrate

router = APIRouter()


class Health(BaseModel):
    status: str
    database: str
    revision: str | None
    head: str


@router.get(
    "/healthz",
    response_model=Health,
    tags=["health"],
    responses={503: {"model": Health, "description": "The store is down or not migrated."}},
)
async def healthz(request: Request) -> JSONResponse:
    """`ok` with HTTP 200 when the database answers and is migrated to head; 503 otherwise."""
    database: Database = request.app.state.database
    expected = migrate.head()
    try:
        revision = await asyncio.wait_for(database.revision(), timeout=5)
    except Exception as exc:  # any failure to reach the store is reported, not raised
        body = Health(
            status="unavailable",
            database=f"error: {type(exc).__name__}",
            revision=None,
            head=expected,
        )
        return JSONResponse(body.model_dump(), status_code=503)
    status = "ok" if revision == expected else "migrations pending"
    body = Health(status=status, database="ok", revision=revision, head=expected)
    return JSONResponse(body.model_dump(), status_code=200 if status == "ok" else 503)
