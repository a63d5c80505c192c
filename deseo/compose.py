"""Building the long-lived services from settings: the one place the parts are wired together."""

from __future__ import annotations

import asyncio
import functools
import logging

from bot import chat_platforms
from deseo.settings import load_settings
from flows.clock import Clock, SystemClock
from flows.conversation import CONTENT, ConversationService, Flow, FlowCatalog, Outbound, State
from flows.directory import Directory, Orientation, load_directory
from flows.meetings import MeetingService
from flows.people import ChatPlatforms
from flows.referrals import ReferralService
from flows.surveys import CampaignResponses, CampaignService
from flows.unit_of_work import UnitOfWork
from storage import Database, SqlUnitOfWork, unit_of_work_factory

log = logging.getLogger("deseo")


def catalog() -> FlowCatalog:
    """The bundled flows and the surveys imported into the data directory (`deseo survey
    import`); a broken file stops the start with its problems named."""
    imported = load_settings().data_dir / "flows"
    return FlowCatalog.from_directories(CONTENT, imported)


@functools.cache
def bundled_directory() -> Directory:
    """The support-service directory shipped in `flows/content/directory/`, loaded and checked
    once per process."""
    return load_directory()


# The store's directory, read once per process and database: a `deseo services import` reaches
# a running service when it starts again.
_stored: dict[str, Directory] = {}


def _key(database: Database) -> str:
    return database.url.render_as_string(hide_password=False)


def directory(database: Database | None = None) -> Directory:
    """The directory this process matches against: the store's once it has been read here
    (`read_directory`, `deseo up`, the start of a service, the first finished orientation),
    the bundled one otherwise."""
    if database is not None and _key(database) in _stored:
        return _stored[_key(database)]
    return bundled_directory()


async def _directory_in(uow: UnitOfWork, key: str) -> Directory:
    if key not in _stored:
        found = await uow.directory.load()
        if found is None:
            # Not remembered: the store may get its directory later in this process.
            return bundled_directory()
        _stored[key] = found
    return _stored[key]


async def read_directory(database: Database) -> Directory:
    """The store's directory, read once per process (the bundled one while the store has
    none)."""
    async with SqlUnitOfWork(database) as uow:
        return await _directory_in(uow, _key(database))


def _read_at_start(database: Database) -> None:
    """Read the store's directory while a long-lived service is being built, before any event
    loop runs; inside a running loop the first finished orientation reads it instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return
    if _key(database) in _stored:
        return

    async def read() -> None:
        # Its own engine: the service's may not be used outside the loop it will run in.
        own = Database.from_url(database.url)
        try:
            await read_directory(own)
        finally:
            await own.dispose()

    asyncio.run(read())


class StoredOrientation:
    """The orientation finisher, matching against the store's directory (read once per
    process, in the transaction of the first orientation that finishes)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._key = _key(database)
        self._clock = clock

    async def __call__(
        self, uow: UnitOfWork, person_id: int, flow: Flow, state: State
    ) -> list[Outbound]:
        found = await _directory_in(uow, self._key)
        return await Orientation(found, self._clock)(uow, person_id, flow, state)


def conversation_service(
    database: Database, flows: FlowCatalog | None = None
) -> ConversationService[UnitOfWork]:
    _read_at_start(database)
    clock = SystemClock()
    finishers = {"orientation": StoredOrientation(database, clock)}
    return ConversationService(
        unit_of_work_factory(database),
        flows or catalog(),
        clock,
        finishers=finishers,
        hooks=[CampaignResponses(clock)],
    )


def referral_service(database: Database) -> ReferralService:
    _read_at_start(database)
    return ReferralService(
        unit_of_work_factory(database), SystemClock(), directory(database), platforms()
    )


def meeting_service(database: Database) -> MeetingService:
    return MeetingService(unit_of_work_factory(database), SystemClock())


def platforms(telegram_bot: str | None = None) -> ChatPlatforms:
    """How the core reaches people on each registered chat platform, from the settings; the
    Telegram bot's username for start links may be given instead of its setting."""
    settings = load_settings()
    if telegram_bot:
        settings = settings.model_copy(update={"telegram_bot": telegram_bot})
    return chat_platforms(settings)


def campaign_service(
    database: Database,
    conversations: ConversationService[UnitOfWork] | None = None,
    *,
    telegram_bot: str | None = None,
) -> CampaignService:
    """Campaigns for coordinators, the worker and the bots; responses start through
    `conversations` (without one, only coordinators' work is possible)."""
    units = conversations.units if conversations else unit_of_work_factory(database)
    return CampaignService(units, SystemClock(), conversations, platforms=platforms(telegram_bot))


async def load_bundled_content(database: Database, flows: FlowCatalog) -> list[str]:
    """Record every bundled flow version in the store, and the bundled directory when the
    store has none; say what was new or changed."""
    said: list[str] = []
    clock = SystemClock()
    async with SqlUnitOfWork(database) as uow:
        if await uow.directory.is_empty():
            bundled = bundled_directory()
            await uow.directory.replace(bundled)
            services = sum(1 for _ in bundled.services())
            said.append(
                f"directory loaded: {len(bundled.organisations)} organisations, "
                f"{services} services, {len(bundled.places)} places"
            )
        for flow in flows:
            stored = await uow.flows.checksum(flow.id, flow.version)
            if stored is None:
                await uow.flows.remember(flow, clock.now())
                said.append(f"flow {flow.id} v{flow.version} loaded")
            elif stored != flow.checksum():
                said.append(
                    f"flow {flow.id} v{flow.version} differs from the copy in the store: "
                    "raise its version when its questions change"
                )
        await uow.commit()
    await read_directory(database)
    return said
