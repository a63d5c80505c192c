"""Survey results from the store: the responses to a flow, streamed one conversation at a time,
and counts made in SQL where counts are all the results need.

A response is read as one row, the conversation and its answers gathered by the database, so a
survey of 100,000 responses is 100,000 rows, not 2,000,000, fetched in batches through a
server-side cursor and never held in memory together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, Text, cast, func, literal_column, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from flows.conversation import AnswerValue, Flow, Status, flow_from_json
from flows.surveys import AnswerFilter, Encoded, EncodedResponse, ResultsAggregator, SurveyResults
from storage.database import Database
from storage.models import AnswerRecord, CampaignResponse, Conversation, FlowVersion

conversations: Table = Conversation.__table__  # type: ignore[assignment]
answers: Table = AnswerRecord.__table__  # type: ignore[assignment]
versions: Table = FlowVersion.__table__  # type: ignore[assignment]
campaign_responses: Table = CampaignResponse.__table__  # type: ignore[assignment]

BATCH = 2000
_OF_CONVERSATION = answers.c.conversation_id == conversations.c.id

# Each answer comes as its stored JSON text, to be decoded only where needed (counting compares
# the texts). On SQLite a response's step ids and its answers are two lists joined by one
# separator, U+001E, which neither a step id nor a JSON text (JSON escapes control characters)
# can hold: cheaper to build and to split than a JSON object. Both lists are built in the same
# pass over the same rows, so they keep the same order; group_concat leaves NULLs out, so a
# value stored as SQL NULL becomes the text null.
SEPARATOR = "\x1e"
_SEP = literal_column(f"'{SEPARATOR}'", Text)
_SQLITE_ANSWERS = (
    select(
        func.group_concat(answers.c.step_id, _SEP, type_=Text)
        + _SEP
        + func.group_concat(
            func.coalesce(type_coerce(answers.c.value, Text), literal_column("'null'", Text)),
            _SEP,
            type_=Text,
        )
    )
    .where(_OF_CONVERSATION)
    .scalar_subquery()
)
# On PostgreSQL, an object of the answers' JSON texts by step id.
_POSTGRES_ANSWERS = (
    select(func.json_object_agg(answers.c.step_id, cast(answers.c.value, Text)))
    .where(_OF_CONVERSATION)
    .scalar_subquery()
)
GATHERED_ANSWERS = {"sqlite": _SQLITE_ANSWERS, "postgresql": _POSTGRES_ANSWERS}


def _split(found: str | dict[str, str] | None) -> tuple[Sequence[str], Sequence[Encoded]]:
    """The step ids and the answers of one response, from what the query gathered."""
    if found is None:
        return (), ()
    if isinstance(found, dict):
        return list(found), list(found.values())
    parts = found.split(SEPARATOR)
    half = len(parts) // 2
    return parts[:half], parts[half:]


def _response(
    number: int,
    status: Status,
    flow_version: int,
    gathered: str | dict[str, str] | None,
    started: datetime | None = None,
    updated: datetime | None = None,
) -> EncodedResponse:
    steps, values = _split(gathered)
    completed = status == "completed"
    return EncodedResponse(number, completed, steps, values, flow_version, status, started, updated)


class UnknownSurvey(LookupError):
    """The store holds no version of that flow."""


class SqlResultsRepository:
    """Reads the responses of a flow, and counts of them, on one session; with `campaign_id`,
    only the responses to that survey campaign; with `hidden_campaigns`, none of the responses
    to those campaigns (the ones the reader may not see, `flows.surveys.hidden_campaigns`)."""

    def __init__(
        self,
        session: AsyncSession,
        dialect: str,
        *,
        campaign_id: int | None = None,
        hidden_campaigns: Collection[int] = (),
    ) -> None:
        self._session = session
        self._gathered = GATHERED_ANSWERS[dialect]
        self._campaign_id = campaign_id
        self._hidden = sorted(hidden_campaigns)

    def _scoped(self, statement: Select[Any], conversation_id: Any) -> Select[Any]:
        if self._campaign_id is not None:
            statement = statement.where(
                conversation_id.in_(
                    select(campaign_responses.c.conversation_id).where(
                        campaign_responses.c.campaign_id == self._campaign_id
                    )
                )
            )
        if self._hidden:
            # An anonymous campaign's responses belong to its stand-in person, not to the
            # invitee, but campaign_responses still ties each to its campaign.
            statement = statement.where(
                conversation_id.not_in(
                    select(campaign_responses.c.conversation_id).where(
                        campaign_responses.c.campaign_id.in_(self._hidden)
                    )
                )
            )
        return statement

    async def definitions(self, flow_id: str) -> dict[int, Flow]:
        """Every stored version of the flow, by version number, oldest first."""
        rows = await self._session.execute(
            select(versions.c.version, versions.c.definition)
            .where(versions.c.flow_id == flow_id)
            .order_by(versions.c.version)
        )
        return {int(number): flow_from_json(definition) for number, definition in rows}

    def _where(
        self, statement: Select[Any], flow_id: str, version: int | None, completed_only: bool
    ) -> Select[Any]:
        statement = statement.where(conversations.c.flow_id == flow_id)
        if version is not None:
            statement = statement.where(conversations.c.flow_version == version)
        if completed_only:
            statement = statement.where(conversations.c.status == "completed")
        return self._scoped(statement, conversations.c.id)

    async def _rows(
        self,
        flow_id: str,
        version: int | None,
        completed_only: bool,
        times: bool,
        batch: int,
    ) -> AsyncIterator[Sequence[Sequence[Any]]]:
        """The rows of the flow's conversations, each with its answers gathered, in batches."""
        columns = [
            conversations.c.id,
            conversations.c.status,
            conversations.c.flow_version,
            self._gathered.label("answers"),
        ]
        if times:
            columns += [conversations.c.started_at, conversations.c.updated_at]
        statement = self._where(select(*columns), flow_id, version, completed_only).order_by(
            conversations.c.id
        )
        connection = await self._session.connection()
        result = await connection.stream(statement.execution_options(yield_per=batch))
        try:
            async for rows in result.partitions():
                yield rows
        finally:
            await result.close()

    async def batches(
        self,
        flow_id: str,
        *,
        version: int | None = None,
        completed_only: bool = False,
        times: bool = False,
        batch: int = BATCH,
    ) -> AsyncIterator[Iterator[EncodedResponse]]:
        """The flow's responses (of one version, or all) in the order they were started, in
        batches of at most `batch` as they are read; `times` also reads when each started and
        was last updated. Each batch is made as it is read, so read it before the next."""
        async for rows in self._rows(flow_id, version, completed_only, times, batch):
            # Made one by one as the batch is read: none outlives its turn.
            if times:
                yield (_response(n, s, v, a, start, end) for n, s, v, a, start, end in rows)
            else:
                yield (_response(n, s, v, a) for n, s, v, a in rows)

    async def responses(
        self,
        flow_id: str,
        *,
        version: int | None = None,
        completed_only: bool = False,
        times: bool = False,
        batch: int = BATCH,
    ) -> AsyncIterator[EncodedResponse]:
        """The flow's responses one by one (see `batches`)."""
        async for responses in self.batches(
            flow_id, version=version, completed_only=completed_only, times=times, batch=batch
        ):
            for response in responses:
                yield response

    async def response_counts(
        self, flow_id: str, *, version: int | None = None, completed_only: bool = False
    ) -> dict[tuple[int | None, bool], int]:
        """How many responses there are, by (flow version, completed)."""
        completed = conversations.c.status == "completed"
        statement = self._where(
            select(conversations.c.flow_version, completed, func.count()),
            flow_id,
            version,
            completed_only,
        ).group_by(conversations.c.flow_version, completed)
        counts: dict[tuple[int | None, bool], int] = {}
        for number, done, count in await self._session.execute(statement):
            key = (int(number), bool(done))
            counts[key] = counts.get(key, 0) + int(count)
        return counts

    async def answer_counts(
        self, flow_id: str, *, version: int | None = None, completed_only: bool = False
    ) -> list[tuple[str, AnswerValue, int]]:
        """How many answers give each value, by step id: one `GROUP BY step_id, value`."""
        statement = (
            select(answers.c.step_id, answers.c.value, func.count())
            .where(answers.c.flow_id == flow_id)
            .group_by(answers.c.step_id, answers.c.value)
        )
        if version is not None:
            statement = statement.where(answers.c.flow_version == version)
        if completed_only:
            statement = statement.join(conversations, _OF_CONVERSATION).where(
                conversations.c.status == "completed"
            )
        statement = self._scoped(statement, answers.c.conversation_id)
        rows = await self._session.execute(statement)
        return [(step_id, value, int(count)) for step_id, value, count in rows]

    async def results(
        self,
        flow: Flow,
        definitions: Mapping[int, Flow],
        *,
        version: int | None = None,
        answer_filter: AnswerFilter | None = None,
        invited: int | None = None,
        completed_only: bool = False,
        language: str | None = None,
    ) -> SurveyResults:
        """The results of `flow`'s responses (of `version`, or of every version, each judged by
        its definition in `definitions`); counted in SQL when counts suffice, else streamed."""
        aggregator = ResultsAggregator(flow, definitions, answer_filter, invited, language)
        # Every conversation's version is stored (a foreign key says so), so the versions the
        # responses may have are known before reading them.
        if aggregator.counts_suffice([version] if version is not None else list(definitions)):
            aggregator.add_counts(
                await self.response_counts(flow.id, version=version, completed_only=completed_only),
                await self.answer_counts(flow.id, version=version, completed_only=completed_only),
            )
            return aggregator.result()
        count = aggregator.count
        async for rows in self._rows(flow.id, version, completed_only, False, BATCH):
            for _, status, flow_version, gathered in rows:
                steps, values = _split(gathered)
                count(flow_version, status == "completed", steps, values)
        return aggregator.result()


def pick_version(definitions: Mapping[int, Flow], flow_id: str, version: int | None) -> Flow:
    """The stored definition of `version`, or the newest one; raises `UnknownSurvey`."""
    if not definitions:
        raise UnknownSurvey(f"the store holds no version of the flow {flow_id!r}")
    if version is None:
        return definitions[max(definitions)]
    if version not in definitions:
        known = ", ".join(str(v) for v in definitions)
        raise UnknownSurvey(f"flow {flow_id!r} has no version {version} (it has: {known})")
    return definitions[version]


class ResultsReader:
    """Results and responses of flows in a `Database`, each call on a session of its own;
    with `campaign_id`, only the responses to that survey campaign; with `hidden_campaigns`,
    none of those campaigns' responses."""

    def __init__(
        self,
        database: Database,
        *,
        campaign_id: int | None = None,
        hidden_campaigns: Collection[int] = (),
    ) -> None:
        self._database = database
        self._campaign_id = campaign_id
        self._hidden = hidden_campaigns

    def _repository(self, session: AsyncSession) -> SqlResultsRepository:
        return SqlResultsRepository(
            session,
            self._database.dialect,
            campaign_id=self._campaign_id,
            hidden_campaigns=self._hidden,
        )

    async def definitions(self, flow_id: str) -> dict[int, Flow]:
        async with self._database.sessions() as session:
            return await self._repository(session).definitions(flow_id)

    async def results(
        self,
        flow_id: str,
        *,
        version: int | None = None,
        answer_filter: AnswerFilter | None = None,
        invited: int | None = None,
        completed_only: bool = False,
        language: str | None = None,
        fallback: Flow | None = None,
    ) -> SurveyResults:
        """The results of a flow's responses, judged against its newest stored version (or
        `version`); `fallback` stands for a flow not yet stored. Raises `UnknownSurvey`, and
        `flows.surveys.FilterError` for a filter that does not fit the flow."""
        async with self._database.sessions() as session:
            repository = self._repository(session)
            definitions = await repository.definitions(flow_id)
            if not definitions and fallback is not None and version in (None, fallback.version):
                definitions = {fallback.version: fallback}
            flow = pick_version(definitions, flow_id, version)
            return await repository.results(
                flow,
                definitions,
                version=version,
                answer_filter=answer_filter,
                invited=invited,
                completed_only=completed_only,
                language=language,
            )

    async def batches(
        self,
        flow_id: str,
        *,
        version: int | None = None,
        completed_only: bool = False,
        times: bool = True,
    ) -> AsyncIterator[Iterator[EncodedResponse]]:
        """Stream the flow's responses in batches (see `SqlResultsRepository.batches`)."""
        async with self._database.sessions() as session:
            repository = self._repository(session)
            async for batch in repository.batches(
                flow_id, version=version, completed_only=completed_only, times=times
            ):
                yield batch

    async def responses(
        self,
        flow_id: str,
        *,
        version: int | None = None,
        completed_only: bool = False,
        times: bool = True,
    ) -> AsyncIterator[EncodedResponse]:
        """Stream the flow's responses (see `SqlResultsRepository.responses`)."""
        async with self._database.sessions() as session:
            repository = self._repository(session)
            async for response in repository.responses(
                flow_id, version=version, completed_only=completed_only, times=times
            ):
                yield response
