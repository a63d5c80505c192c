"""The support-service directory as the forum shows it, by the one rule every part follows:
the store's as it is now, the bundled one while the store has none (`DirectorySource`)."""

from __future__ import annotations

from fastapi import Request

from flows.directory import Directory, DirectorySource
from forum.auth import uow


async def current_directory(request: Request) -> Directory:
    """The store's directory as it is now; an import reaches the pages without a restart."""
    source: DirectorySource = request.app.state.directory
    async with uow(request) as work:
        return await source.read(work)
