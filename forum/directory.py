"""The support-service directory as the forum shows it: the store's, or the bundled one while
the store has none (as `deseo services` does)."""

from __future__ import annotations

import functools

from fastapi import Request

from flows.directory import Directory, load_directory
from forum.auth import uow


@functools.cache
def bundled() -> Directory:
    """The directory shipped in `flows/content/directory/`, read once per process."""
    return load_directory()


async def current_directory(request: Request) -> Directory:
    """The store's directory as it is now; an import reaches the pages without a restart."""
    async with uow(request) as work:
        found = await work.directory.load()
    return found if found is not None else bundled()
