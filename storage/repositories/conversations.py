"""Conversations, answers, flow versions and inbound events in SQL, as
`flows.conversation.ports` promises.

Every event of every chat goes through here, so the statements are built once, at import, and
run on the session's connection with bound parameters: SQLAlchemy's compiled cache then does
the rest, and a step costs a handful of round trips.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from flows.conversation import Answer, Flow, State, StoredConversation, flow_from_json
from flows.people import Platform
from storage.base import insert_for
from storage.models import AnswerRecord, Conversation, FlowVersion, Identity, InboundEvent

conversations: Table = Conversation.__table__  # type: ignore[assignment]
answers: Table = AnswerRecord.__table__  # type: ignore[assignment]
events: Table = InboundEvent.__table__  # type: ignore[assignment]
identities: Table = Identity.__table__  # type: ignore[assignment]
versions: Table = FlowVersion.__table__  # type: ignore[assignment]

_COLUMNS = (
    conversations.c.id,
    conversations.c.person_id,
    conversations.c.state,
    conversations.c.started_at,
    conversations.c.updated_at,
    conversations.c.revision,
)
_OPEN = conversations.c.status != "completed"
_NEWEST = (conversations.c.updated_at.desc(), conversations.c.id.desc())

LATEST_OPEN = (
    select(*_COLUMNS)
    .where(conversations.c.person_id == bindparam("person_id"), _OPEN)
    .order_by(*_NEWEST)
    .limit(1)
)
LATEST_OPEN_OF_FLOW = LATEST_OPEN.where(conversations.c.flow_id == bindparam("flow_id"))
LATEST_OPEN_FOR_IDENTITY = (
    select(*_COLUMNS)
    .join(identities, identities.c.person_id == conversations.c.person_id)
    .where(
        identities.c.platform == bindparam("platform"),
        identities.c.external_id == bindparam("external_id"),
        _OPEN,
    )
    .order_by(*_NEWEST)
    .limit(1)
)
BY_ID = select(*_COLUMNS).where(conversations.c.id == bindparam("conversation_id"))
SAVE = (
    update(conversations)
    .where(
        conversations.c.id == bindparam("conversation_id"),
        conversations.c.revision == bindparam("expected_revision"),
    )
    .values(
        revision=conversations.c.revision + 1,
        status=bindparam("status"),
        state=bindparam("state", type_=conversations.c.state.type),
        updated_at=bindparam("updated_at", type_=conversations.c.updated_at.type),
        completed_at=bindparam("completed_at", type_=conversations.c.completed_at.type),
    )
)
SAVE_REPORT = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(report=bindparam("report", type_=conversations.c.report.type))
)
UNFOCUS = (
    update(conversations)
    .where(
        conversations.c.person_id == bindparam("owner"),
        conversations.c.id != bindparam("keep"),
        _OPEN,
    )
    .values(revision=conversations.c.revision + 1)
)
REMOVE_ANSWERS = delete(answers).where(
    answers.c.conversation_id == bindparam("conversation_id"),
    answers.c.step_id.in_(bindparam("steps", expanding=True)),
)


def _upsert_answer(dialect: str) -> Any:
    statement = insert_for(dialect, answers)
    return statement.on_conflict_do_update(
        index_elements=["conversation_id", "step_id"],
        set_={
            "value": statement.excluded.value,
            "note": statement.excluded.note,
            "answered_at": statement.excluded.answered_at,
        },
    )


def _claim(dialect: str) -> Any:
    return insert_for(dialect, events).on_conflict_do_nothing().returning(events.c.event_id)


STATEMENTS: dict[str, dict[str, Any]] = {
    dialect: {"upsert": _upsert_answer(dialect), "claim": _claim(dialect)}
    for dialect in ("sqlite", "postgresql")
}


class SqlConversationRepository:
    """Implements `flows.conversation.ports.ConversationRepository`."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect
        self._statements = STATEMENTS[dialect]

    async def _conn(self) -> AsyncConnection:
        return await self._session.connection()

    def _locked(self, statement: Any, lock: bool) -> Any:
        # SQLite has no row locks: its single writer already applies transactions one by one.
        if lock and self._dialect == "postgresql":
            return statement.with_for_update(of=conversations)
        return statement

    @staticmethod
    def _stored(row: Any) -> StoredConversation | None:
        if row is None:
            return None
        return StoredConversation(
            id=row.id,
            person_id=row.person_id,
            state=State.model_validate(row.state),
            started_at=row.started_at,
            updated_at=row.updated_at,
            revision=row.revision,
        )

    async def claim_event(self, platform: Platform, event_id: str, at: datetime) -> bool:
        result = await (await self._conn()).execute(
            self._statements["claim"],
            {"platform": platform.value, "event_id": event_id[:128], "received_at": at},
        )
        return result.first() is not None

    async def latest_open(
        self, person_id: int, flow_id: str | None = None, *, lock: bool = False
    ) -> StoredConversation | None:
        statement = LATEST_OPEN if flow_id is None else LATEST_OPEN_OF_FLOW
        params: dict[str, Any] = {"person_id": person_id}
        if flow_id is not None:
            params["flow_id"] = flow_id
        result = await (await self._conn()).execute(self._locked(statement, lock), params)
        return self._stored(result.first())

    async def latest_open_for(
        self, platform: Platform, external_id: str, *, lock: bool = False
    ) -> StoredConversation | None:
        result = await (await self._conn()).execute(
            self._locked(LATEST_OPEN_FOR_IDENTITY, lock),
            {"platform": platform.value, "external_id": external_id},
        )
        return self._stored(result.first())

    async def of_identity(self, platform: Platform, external_id: str) -> list[StoredConversation]:
        result = await (await self._conn()).execute(
            select(*_COLUMNS)
            .join(identities, identities.c.person_id == conversations.c.person_id)
            .where(
                identities.c.platform == platform.value,
                identities.c.external_id == external_id,
            )
            .order_by(*_NEWEST)
        )
        return [found for row in result if (found := self._stored(row)) is not None]

    async def delete(self, conversation_id: int) -> None:
        conn = await self._conn()
        await conn.execute(delete(answers).where(answers.c.conversation_id == conversation_id))
        await conn.execute(delete(conversations).where(conversations.c.id == conversation_id))

    async def get(self, conversation_id: int, *, lock: bool = False) -> StoredConversation | None:
        result = await (await self._conn()).execute(
            self._locked(BY_ID, lock), {"conversation_id": conversation_id}
        )
        return self._stored(result.first())

    async def create(self, person_id: int, state: State, at: datetime) -> int:
        result = await (await self._conn()).execute(
            insert(conversations).returning(conversations.c.id),
            {
                "person_id": person_id,
                "flow_id": state.flow_id,
                "flow_version": state.flow_version,
                "status": state.status,
                "state": state.model_dump(mode="json"),
                "started_at": at,
                "updated_at": at,
            },
        )
        return int(result.scalar_one())

    async def save(
        self,
        conversation_id: int,
        state: State,
        changed: Mapping[str, Answer | None],
        at: datetime,
        *,
        expected_revision: int,
        report: dict[str, Any] | None = None,
    ) -> bool:
        conn = await self._conn()
        saved = await conn.execute(
            SAVE,
            {
                "conversation_id": conversation_id,
                "expected_revision": expected_revision,
                "status": state.status,
                "state": state.model_dump(mode="json"),
                "updated_at": at,
                "completed_at": at if state.status == "completed" else None,
            },
        )
        if saved.rowcount != 1:
            return False
        if report is not None:
            await conn.execute(SAVE_REPORT, {"conversation_id": conversation_id, "report": report})
        removed = [step for step, answer in changed.items() if answer is None]
        if removed:
            await conn.execute(
                REMOVE_ANSWERS, {"conversation_id": conversation_id, "steps": removed}
            )
        rows = [
            {
                "conversation_id": conversation_id,
                "flow_id": state.flow_id,
                "flow_version": state.flow_version,
                "step_id": step,
                "value": answer.value,
                "note": answer.note,
                "answered_at": at,
            }
            for step, answer in changed.items()
            if answer is not None
        ]
        if rows:
            await conn.execute(self._statements["upsert"], rows)
        return True

    async def unfocus_others(self, person_id: int, keep: int) -> None:
        await (await self._conn()).execute(UNFOCUS, {"owner": person_id, "keep": keep})


class SqlFlowRepository:
    """Implements `flows.conversation.ports.FlowRepository`: one row per flow version, its
    definition as JSON."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def remember(self, flow: Flow, at: datetime) -> bool:
        statement = (
            insert_for(self._dialect, versions)
            .values(
                flow_id=flow.id,
                version=flow.version,
                kind=flow.kind,
                title=flow.title[flow.default_language][:300],
                checksum=flow.memo("checksum", Flow.checksum),
                definition=flow.model_dump(mode="json"),
                created_at=at,
            )
            .on_conflict_do_nothing()
            .returning(versions.c.flow_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def definition(self, flow_id: str, version: int) -> Flow | None:
        row = await self._session.get(FlowVersion, (flow_id, version))
        return None if row is None else flow_from_json(row.definition)

    async def checksum(self, flow_id: str, version: int) -> str | None:
        """The stored digest of a version, to notice content changed without a new version."""
        return await self._session.scalar(
            select(FlowVersion.checksum).where(
                FlowVersion.flow_id == flow_id, FlowVersion.version == version
            )
        )
