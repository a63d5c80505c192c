"""The ASGI application: the REVES forum's pages and API, built around one store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from flows import SystemClock
from flows.meeting_service import MeetingService
from storage import Database, unit_of_work_factory

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ForumConfig:
    """What the web app needs from the composition root."""

    secret_key: str
    site_name: str = "deseo"
    telegram_enabled: bool = False
    discord_enabled: bool = False


def create_app(database: Database, config: ForumConfig, *, own_database: bool = False) -> FastAPI:
    """Build the web app on `database`; with `own_database` it disposes the engine at shutdown."""
    from forum.routes import groups, health, home

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if own_database:
            await database.dispose()

    app = FastAPI(title="deseo", summary="The REVES forum and its API", lifespan=lifespan)
    app.state.database = database
    app.state.config = config
    app.state.meetings = MeetingService(unit_of_work_factory(database), SystemClock())
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.include_router(home.router)
    app.include_router(health.router)
    app.include_router(groups.router)
    return app
