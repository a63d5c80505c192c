"""Services for tests, wired as `deseo.services.build_services` wires them, from parts a test
chooses (its clock, flows, platforms) and without reading the store."""

from __future__ import annotations

import functools

from deseo.services import Services, compose_services
from flows.clock import Clock
from flows.conversation import FlowCatalog
from flows.directory import Directory, DirectorySource, load_directory
from flows.people import ChatPlatforms
from storage import Database


@functools.cache
def _bundled() -> Directory:
    return load_directory()


@functools.cache
def _flows() -> FlowCatalog:
    return FlowCatalog.from_directory()


def services_for(
    database: Database,
    *,
    clock: Clock | None = None,
    flows: FlowCatalog | None = None,
    platforms: ChatPlatforms | None = None,
) -> Services:
    """The services on `database`: the bundled flows and directory (the store's directory
    is read as the services read it), no chat platform unless given."""
    return compose_services(
        database,
        flows=flows or _flows(),
        directory=DirectorySource(_bundled()),
        platforms=platforms or ChatPlatforms(),
        clock=clock,
    )
