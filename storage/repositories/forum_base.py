"""What the forum's repositories share: one session, its database's dialect, and the search
documents they keep in step with what they write."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.search import SearchDocuments


class ForumRepository:
    """A forum repository working through one session; it keeps nothing else, so that
    `SqlDiscussionRepository` can be all of them at once with one `__init__`."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    @property
    def _documents(self) -> SearchDocuments:
        return SearchDocuments(self._session, self._dialect)
