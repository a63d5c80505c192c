"""Conversations, answers, flow versions and inbound events in SQL, as `flows.ports` promises."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from flows.definitions import Flow, flow_from_json
from flows.people import Platform
from flows.ports import StoredConversation
from flows.state import Answer, State
from storage.models import AnswerRecord, Conversation, FlowVersion, InboundEvent


def _insert(dialect: str, table: Any) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class SqlConversationRepository:
    """Implements `flows.ports.ConversationRepository` with Core statements, one round trip each."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect
        self._sources: dict[tuple[str, int], dict[str, str | None]] = {}

    async def claim_event(self, platform: Platform, event_id: str, at: datetime) -> bool:
        statement = (
            _insert(self._dialect, InboundEvent)
            .values(platform=platform.value, event_id=event_id[:128], received_at=at)
            .on_conflict_do_nothing()
            .returning(InboundEvent.event_id)
        )
        return (await self._session.execute(statement)).first() is not None

    def _stored(self, row: Conversation) -> StoredConversation:
        return StoredConversation(
            id=row.id,
            person_id=row.person_id,
            state=State.model_validate(row.state),
            started_at=row.started_at,
            updated_at=row.updated_at,
        )

    async def latest_open(
        self, person_id: int, flow_id: str | None = None, *, lock: bool = False
    ) -> StoredConversation | None:
        query = (
            select(Conversation)
            .where(Conversation.person_id == person_id, Conversation.status != "completed")
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            .limit(1)
        )
        if flow_id is not None:
            query = query.where(Conversation.flow_id == flow_id)
        if lock and self._dialect == "postgresql":
            query = query.with_for_update()
        row = (await self._session.scalars(query)).first()
        return None if row is None else self._stored(row)

    async def get(self, conversation_id: int, *, lock: bool = False) -> StoredConversation | None:
        query = select(Conversation).where(Conversation.id == conversation_id)
        if lock and self._dialect == "postgresql":
            query = query.with_for_update()
        row = (await self._session.scalars(query)).first()
        return None if row is None else self._stored(row)

    async def create(self, person_id: int, state: State, at: datetime) -> int:
        statement = (
            insert(Conversation)
            .values(
                person_id=person_id,
                flow_id=state.flow_id,
                flow_version=state.flow_version,
                status=state.status,
                state=state.model_dump(mode="json"),
                started_at=at,
                updated_at=at,
            )
            .returning(Conversation.id)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def save(
        self,
        conversation_id: int,
        state: State,
        changed: Mapping[str, Answer | None],
        at: datetime,
        report: dict[str, Any] | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": state.status,
            "state": state.model_dump(mode="json"),
            "updated_at": at,
            "completed_at": at if state.status == "completed" else None,
        }
        if report is not None:
            values["report"] = report
        await self._session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**values)
        )
        removed = [step for step, answer in changed.items() if answer is None]
        if removed:
            await self._session.execute(
                delete(AnswerRecord).where(
                    AnswerRecord.conversation_id == conversation_id,
                    AnswerRecord.step_id.in_(removed),
                )
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
            statement = _insert(self._dialect, AnswerRecord).values(rows)
            statement = statement.on_conflict_do_update(
                index_elements=["conversation_id", "step_id"],
                set_={
                    "value": statement.excluded.value,
                    "note": statement.excluded.note,
                    "answered_at": statement.excluded.answered_at,
                },
            )
            await self._session.execute(statement)


class SqlFlowRepository:
    """Implements `flows.ports.FlowRepository`: one row per flow version, its definition as JSON."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def remember(self, flow: Flow, at: datetime) -> bool:
        statement = (
            _insert(self._dialect, FlowVersion)
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
            .returning(FlowVersion.flow_id)
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
