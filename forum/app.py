"""The ASGI application: the REVES forum's pages and API, built around one store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from flows.clock import Clock
from flows.conversation import ConversationService
from flows.directory import DirectorySource
from flows.meetings import MeetingService
from flows.people import ChatPlatforms
from flows.referrals import ReferralService
from flows.surveys import CampaignService
from flows.unit_of_work import UnitOfWork
from forum.addresses import proxy_networks
from forum.auth import SESSION_COOKIE, SESSION_DAYS, AccountCache, ForgetAccountsOnChange
from forum.discussion import Discussion
from forum.errors import install_error_pages
from forum.headers import SecurityHeaders
from forum.pagecache import PageCache
from forum.ratelimit import RateLimiter
from forum.templating import page_templates
from storage import Database


@dataclass(frozen=True)
class ForumConfig:
    """What the web app needs from the composition root."""

    secret_key: str
    site_name: str = "deseo"
    # Where people reach the site, for links in feeds and chats; an https URL makes the session
    # cookie Secure.
    public_url: str = "http://127.0.0.1:8000"
    # How long anonymous readers' board and thread pages are reused (0: never); see
    # `forum.pagecache`.
    page_cache_seconds: float = 2.0
    # The chat platforms whose bots run beside the site, as people call them ("Telegram").
    chat_bots: tuple[str, ...] = ()
    # A signed-in session unused this long ends (DESEO_SESSION_IDLE_MINUTES).
    session_idle_minutes: int = 7 * 24 * 60
    # The proxies whose X-Forwarded-For names the client (addresses or networks); none: the
    # header is ignored (DESEO_TRUSTED_PROXIES).
    trusted_proxies: tuple[str, ...] = ()


class WebServices(Protocol):
    """The services the web app drives, built once per process by the composition root."""

    @property
    def clock(self) -> Clock: ...
    @property
    def platforms(self) -> ChatPlatforms: ...
    @property
    def directory(self) -> DirectorySource: ...
    @property
    def conversations(self) -> ConversationService[UnitOfWork]: ...
    @property
    def meetings(self) -> MeetingService: ...
    @property
    def referrals(self) -> ReferralService: ...
    @property
    def campaigns(self) -> CampaignService: ...


def create_app(
    database: Database,
    config: ForumConfig,
    services: WebServices,
    *,
    own_database: bool = False,
    web_chat: bool = True,
) -> FastAPI:
    """Build the web app on `database` over `services`; with `own_database` it disposes the
    engine at shutdown, without `web_chat` the chat pages are off."""
    from forum.routes import (
        accounts,
        api,
        boards,
        chat,
        coordinate,
        feeds,
        groups,
        health,
        moderation,
        people,
        search,
        threads,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if own_database:
            await database.dispose()

    app = FastAPI(title="deseo", summary="The REVES forum and its API", lifespan=lifespan)
    clock = services.clock
    app.state.database = database
    app.state.config = config
    app.state.clock = clock
    app.state.limiter = RateLimiter(clock)
    app.state.proxies = proxy_networks(config.trusted_proxies)
    app.state.accounts_seen = accounts_seen = AccountCache()
    app.state.meetings = services.meetings
    # The web chat runs flows through the same service as the bots.
    app.state.conversations = services.conversations if web_chat else None
    # The chat platforms the bots run on (the composition root knows them), to reach people
    # privately and show start links.
    app.state.platforms = services.platforms
    app.state.campaigns = services.campaigns
    app.state.referrals = services.referrals
    app.state.directory = services.directory
    app.state.discussion = Discussion(
        database,
        clock,
        app.state.limiter,
        public_url=config.public_url,
        platforms=services.platforms,
    )
    app.state.templates = page_templates()
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_DAYS * 24 * 3600,
        same_site="lax",
        https_only=config.public_url.startswith("https://"),
    )
    app.add_middleware(ForgetAccountsOnChange, cache=accounts_seen)
    # Added last, so it wraps the rest: a cached page costs no session or store work.
    app.add_middleware(PageCache, seconds=config.page_cache_seconds, session_cookie=SESSION_COOKIE)
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(
        SecurityHeaders,
        https=config.public_url.startswith("https://"),
        docs_paths=[path for path in docs if path],
    )
    install_error_pages(app)
    app.include_router(boards.router)
    app.include_router(health.router)
    app.include_router(groups.router)
    app.include_router(accounts.router)
    app.include_router(people.router)
    app.include_router(search.router)
    app.include_router(feeds.router)
    app.include_router(chat.router)
    app.include_router(coordinate.router)
    app.include_router(threads.router)
    app.include_router(moderation.router)
    app.include_router(api.router)
    return app
