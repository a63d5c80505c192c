"""Building the long-lived services from settings: the one place the parts are wired together."""

from __future__ import annotations

import functools
import logging

from flows import SystemClock
from flows.catalog import FlowCatalog
from flows.directory import Directory, load_directory
from flows.meeting_service import MeetingService
from flows.orientation import Orientation
from flows.referral_service import ReferralService
from flows.service import ConversationService
from storage import Database, SqlUnitOfWork, unit_of_work_factory

log = logging.getLogger("deseo")


def catalog() -> FlowCatalog:
    """The bundled flows; a broken content file stops the start with its problems named."""
    return FlowCatalog.from_directory()


@functools.cache
def directory() -> Directory:
    """The bundled support-service directory, loaded and checked once per process."""
    return load_directory()


def conversation_service(
    database: Database, flows: FlowCatalog | None = None
) -> ConversationService:
    clock = SystemClock()
    finishers = {"orientation": Orientation(directory(), clock)}
    return ConversationService(
        unit_of_work_factory(database), flows or catalog(), clock, finishers=finishers
    )


def referral_service(database: Database) -> ReferralService:
    return ReferralService(unit_of_work_factory(database), SystemClock(), directory())


def meeting_service(database: Database) -> MeetingService:
    return MeetingService(unit_of_work_factory(database), SystemClock())


async def load_bundled_content(database: Database, flows: FlowCatalog) -> list[str]:
    """Record every bundled flow version in the store; say what was new or changed."""
    said: list[str] = []
    clock = SystemClock()
    async with SqlUnitOfWork(database) as uow:
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
    return said
