"""Loading the bundled content into the store; the services themselves are built once per
process in `deseo.services`."""

from __future__ import annotations

from flows.clock import SystemClock
from flows.conversation import FlowCatalog
from flows.directory import load_directory
from storage import Database, SqlUnitOfWork


async def load_bundled_content(database: Database, flows: FlowCatalog) -> list[str]:
    """Record every bundled flow version in the store, and the bundled directory when the
    store has none; say what was new or changed."""
    said: list[str] = []
    clock = SystemClock()
    async with SqlUnitOfWork(database) as uow:
        if await uow.directory.is_empty():
            bundled = load_directory()
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
    return said
