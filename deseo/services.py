"""The services of one process, built once from the settings and handed to every part (web,
bots, worker, CLI commands): the one place a flows service is constructed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import chat_platforms
from deseo.settings import Settings
from flows.clock import Clock, SystemClock
from flows.conversation import CONTENT, ConversationService, Flow, FlowCatalog, Outbound, State
from flows.directory import DirectorySource, Orientation, load_directory
from flows.meetings import MeetingService
from flows.people import ChatPlatforms, LinkCodes
from flows.referrals import ReferralService
from flows.surveys import CampaignResponses, CampaignService
from flows.threads import ThreadWatchService
from flows.unit_of_work import UnitOfWork
from storage import Database, SqlUnitOfWork, unit_of_work_factory


@dataclass(frozen=True)
class Services:
    """Every long-lived service over one store, clock, directory and set of chat platforms."""

    units: Callable[[], UnitOfWork]
    clock: Clock
    platforms: ChatPlatforms
    directory: DirectorySource
    conversations: ConversationService[UnitOfWork]
    meetings: MeetingService
    referrals: ReferralService
    campaigns: CampaignService
    links: LinkCodes
    threads: ThreadWatchService


class StoredOrientation:
    """The orientation finisher, matching against the directory as `directory` reads it, in
    the transaction that finishes the orientation."""

    def __init__(self, directory: DirectorySource, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock

    async def __call__(
        self, uow: UnitOfWork, person_id: int, flow: Flow, state: State
    ) -> list[Outbound]:
        found = await self._directory.read(uow)
        return await Orientation(found, self._clock)(uow, person_id, flow, state)


def catalog(settings: Settings) -> FlowCatalog:
    """The bundled flows and the surveys imported into the data directory (`deseo survey
    import`); a broken file stops the start with its problems named."""
    return FlowCatalog.from_directories(CONTENT, settings.data_dir / "flows")


def compose_services(
    database: Database,
    *,
    flows: FlowCatalog,
    directory: DirectorySource,
    platforms: ChatPlatforms,
    clock: Clock | None = None,
) -> Services:
    """Wire the services together from parts already at hand (no I/O): `build_services` for a
    process, tests with their own flows, clock or platforms."""
    clock = clock or SystemClock()
    units = unit_of_work_factory(database)
    conversations: ConversationService[UnitOfWork] = ConversationService(
        units,
        flows,
        clock,
        finishers={"orientation": StoredOrientation(directory, clock)},
        hooks=[CampaignResponses(clock)],
    )
    return Services(
        units=units,
        clock=clock,
        platforms=platforms,
        directory=directory,
        conversations=conversations,
        meetings=MeetingService(units, clock),
        referrals=ReferralService(units, clock, directory, platforms),
        campaigns=CampaignService(units, clock, conversations, platforms=platforms),
        links=LinkCodes(units, clock),
        threads=ThreadWatchService(units, clock),
    )


async def build_services(
    settings: Settings,
    database: Database,
    *,
    flows: FlowCatalog | None = None,
    clock: Clock | None = None,
) -> Services:
    """The process's services from the settings, inside the event loop that will use them:
    the flows are read and checked, and the store's directory read, once here."""
    directory = DirectorySource(load_directory())
    async with SqlUnitOfWork(database) as uow:
        await directory.read(uow)
    return compose_services(
        database,
        flows=flows or catalog(settings),
        directory=directory,
        platforms=chat_platforms(settings),
        clock=clock,
    )
