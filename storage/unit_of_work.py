"""The SQL unit of work: one session, one transaction, the repositories bound to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
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
from storage.repositories.login_failures import SqlLoginFailureRepository
from storage.repositories.meetings import SqlGroupRepository, SqlMeetingRepository
from storage.repositories.needs import SqlNeedsRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.people import SqlPeopleRepository
from storage.repositories.referrals import SqlReferralRepository
from storage.repositories.search import SqlSearchRepository
from storage.repositories.sessions import SqlSessionRepository
from storage.repositories.thread_followers import SqlThreadFollowerRepository


class SqlUnitOfWork:
    """Implements `flows.unit_of_work.UnitOfWork`; leaving the block without `commit` rolls
    back. Each repository is made the first time it is asked for and lasts the transaction, so
    a transaction pays only for the repositories it touches."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    @property
    def _dialect(self) -> str:
        return self._database.dialect

    # flows' protocols declare each repository a read-only `@property`; mypy accepts a
    # `cached_property` for one (the conformance check at the bottom holds it to that).

    @cached_property
    def people(self) -> SqlPeopleRepository:
        return SqlPeopleRepository(self.session)

    @cached_property
    def conversations(self) -> SqlConversationRepository:
        return SqlConversationRepository(self.session, self._dialect)

    @cached_property
    def flows(self) -> SqlFlowRepository:
        return SqlFlowRepository(self.session, self._dialect)

    @cached_property
    def groups(self) -> SqlGroupRepository:
        return SqlGroupRepository(self.session, self._dialect)

    @cached_property
    def meetings(self) -> SqlMeetingRepository:
        return SqlMeetingRepository(self.session, self._dialect)

    @cached_property
    def outbox(self) -> SqlOutboxRepository:
        return SqlOutboxRepository(self.session, self._dialect)

    @cached_property
    def needs(self) -> SqlNeedsRepository:
        return SqlNeedsRepository(self.session)

    @cached_property
    def directory(self) -> SqlDirectoryRepository:
        return SqlDirectoryRepository(self.session)

    @cached_property
    def referrals(self) -> SqlReferralRepository:
        return SqlReferralRepository(self.session, self._dialect)

    @cached_property
    def campaigns(self) -> SqlCampaignRepository:
        return SqlCampaignRepository(self.session, self._dialect)

    @cached_property
    def thread_followers(self) -> SqlThreadFollowerRepository:
        return SqlThreadFollowerRepository(self.session, self._dialect)

    # Beyond flows' UnitOfWork: what only the forum uses.

    @cached_property
    def accounts(self) -> SqlAccountRepository:
        return SqlAccountRepository(self.session)

    @cached_property
    def web_sessions(self) -> SqlSessionRepository:
        return SqlSessionRepository(self.session)

    @cached_property
    def login_failures(self) -> SqlLoginFailureRepository:
        return SqlLoginFailureRepository(self.session)

    @cached_property
    def search(self) -> SqlSearchRepository:
        return SqlSearchRepository(self.session, self._dialect)

    @cached_property
    def feeds(self) -> SqlFeedRepository:
        return SqlFeedRepository(self.session)

    @cached_property
    def forum(self) -> SqlDiscussionRepository:
        return SqlDiscussionRepository(self.session, self._dialect)

    async def __aenter__(self) -> Self:
        self._session = self._database.sessions()
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
            # A unit of work entered again gets repositories bound to its new session.
            for name in _REPOSITORIES:
                self.__dict__.pop(name, None)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


_REPOSITORIES = tuple(
    name for name, member in vars(SqlUnitOfWork).items() if isinstance(member, cached_property)
)


def unit_of_work_factory(database: Database) -> Callable[[], SqlUnitOfWork]:
    """A zero-argument callable making units of work on `database`: a service's `units`."""
    return lambda: SqlUnitOfWork(database)


def _conforms(database: Database) -> UnitOfWork:
    # Never called: it makes mypy check that SqlUnitOfWork keeps flows' UnitOfWork promise.
    return SqlUnitOfWork(database)
