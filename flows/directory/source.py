"""Which directory a use case matches against: one rule for the web, the chats and the worker."""

from __future__ import annotations

from flows.directory.model import Directory
from flows.directory.ports import DirectoryWork


class DirectorySource:
    """The store's directory as it is now, read in the transaction that needs it; the bundled
    one while the store has none. `current` is the last one read, for work without a
    transaction at hand (naming a referral's service)."""

    def __init__(self, bundled: Directory, current: Directory | None = None) -> None:
        self.bundled = bundled
        self._current = current or bundled

    @property
    def current(self) -> Directory:
        return self._current

    async def read(self, uow: DirectoryWork) -> Directory:
        found = await uow.directory.load()
        self._current = found if found is not None else self.bundled
        return self._current
