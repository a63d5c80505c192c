"""The SQL unit of work: one session, one transaction, the repositories bound to it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from flows.unit_of_work import UnitOfWork
from storage.database import Database
from storage.repositories.accounts import SqlAccountRepository
from storage.repositories.campaigns import SqlCampaignRepository
from storage.repositories.conversations import SqlConversationRepository, SqlFlowRepository
from storage.repositories.directory import SqlDirectoryRepository
from storage.repositories.discussion import SqlDiscussionRepository
from storage.repositories.feeds import SqlFeedRepository
from storage.repositories.meetings import SqlGroupRepository, SqlMeetingRepository
from storage.repositories.needs import SqlNeedsRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.people import SqlPeopleRepository
from storage.repositories.referrals import SqlReferralRepository
from storage.repositories.search import SqlSearchRepository
from storage.repositories.thread_followers import SqlThreadFollowerRepository


class SqlUnitOfWork:
    """Implements `flows.ports.UnitOfWork`; leaving the block without `commit` rolls back."""

    people: SqlPeopleRepository
    conversations: SqlConversationRepository
    flows: SqlFlowRepository
    groups: SqlGroupRepository
    meetings: SqlMeetingRepository
    outbox: SqlOutboxRepository
    needs: SqlNeedsRepository
    directory: SqlDirectoryRepository
    referrals: SqlReferralRepository
    campaigns: SqlCampaignRepository
    thread_followers: SqlThreadFollowerRepository
    # Beyond flows' UnitOfWork: what only the forum uses.
    accounts: SqlAccountRepository
    search: SqlSearchRepository
    feeds: SqlFeedRepository
    forum: SqlDiscussionRepository

    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._database.sessions()
        self.people = SqlPeopleRepository(self._session)
        dialect = self._database.dialect
        self.conversations = SqlConversationRepository(self._session, dialect)
        self.flows = SqlFlowRepository(self._session, dialect)
        self.groups = SqlGroupRepository(self._session, dialect)
        self.meetings = SqlMeetingRepository(self._session, dialect)
        self.outbox = SqlOutboxRepository(self._session, dialect)
        self.needs = SqlNeedsRepository(self._session)
        self.directory = SqlDirectoryRepository(self._session)
        self.referrals = SqlReferralRepository(self._session, dialect)
        self.campaigns = SqlCampaignRepository(self._session, dialect)
        self.thread_followers = SqlThreadFollowerRepository(self._session, dialect)
        self.accounts = SqlAccountRepository(self._session)
        self.search = SqlSearchRepository(self._session, dialect)
        self.feeds = SqlFeedRepository(self._session)
        self.forum = SqlDiscussionRepository(self._session, dialect)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            # After a commit there is nothing to roll back; skipping it saves a round trip.
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


def unit_of_work_factory(database: Database) -> Callable[[], SqlUnitOfWork]:
    """A zero-argument callable making units of work on `database`: a service's `units`."""
    return lambda: SqlUnitOfWork(database)


def _conforms(database: Database) -> UnitOfWork:
    # Never called: it makes mypy check that SqlUnitOfWork keeps flows' UnitOfWork promise.
    return SqlUnitOfWork(database)
