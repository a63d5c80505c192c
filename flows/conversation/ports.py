"""What conversations need from the store: their states, answers and flow versions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flows.conversation.definitions import Flow
from flows.conversation.state import Answer, State
from flows.people import PeopleWork, Platform


@dataclass(frozen=True)
class StoredConversation:
    """A conversation as the store keeps it: whose it is, which flow version, where it stands."""

    id: int
    person_id: int
    state: State
    started_at: datetime
    updated_at: datetime
    # Raised by every save; a save that expects an older revision is refused, so two processes
    # can never both apply an event to the same conversation state.
    revision: int = 0


class ConversationRepository(Protocol):
    """Conversations, their answers, and the inbound events already applied."""

    async def claim_event(self, platform: Platform, event_id: str, at: datetime) -> bool:
        """Record an inbound event; False when it was recorded before (a duplicate delivery)."""
        ...

    async def latest_open(
        self, person_id: int, flow_id: str | None = None, *, lock: bool = False
    ) -> StoredConversation | None:
        """The person's most recently active unfinished conversation (of one flow, if given).

        With `lock`, the row stays locked until the transaction ends, so that events of one
        conversation are applied one after the other even across processes.
        """
        ...

    async def latest_open_for(
        self, platform: Platform, external_id: str, *, lock: bool = False
    ) -> StoredConversation | None:
        """Like `latest_open`, found by the person's platform identity in one look-up."""
        ...

    async def get(
        self, conversation_id: int, *, lock: bool = False
    ) -> StoredConversation | None: ...

    async def of_identity(self, platform: Platform, external_id: str) -> list[StoredConversation]:
        """Every conversation of the person behind a platform identity, newest first."""
        ...

    async def delete(self, conversation_id: int) -> None:
        """Remove a conversation and its answers for good."""
        ...

    async def create(self, person_id: int, state: State, at: datetime) -> int:
        """Store a new conversation; returns its id."""
        ...

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
        """Store the new state and the answers that changed (None: the answer was removed).

        Returns False, writing nothing, when the conversation is no longer at
        `expected_revision` (someone else saved it first).
        """
        ...

    async def unfocus_others(self, person_id: int, keep: int) -> None:
        """Raise the revision of the person's other unfinished conversations, so that a process
        holding one of them in memory notices that the person moved on."""
        ...


class FlowRepository(Protocol):
    """The definitions of every flow version a conversation was ever held under."""

    async def remember(self, flow: Flow, at: datetime) -> bool:
        """Keep this version's definition; False when it is known already (same content)."""
        ...

    async def definition(self, flow_id: str, version: int) -> Flow | None: ...


class ConversationWork(PeopleWork, Protocol):
    """What running a conversation needs: people, conversations and flow versions."""

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def flows(self) -> FlowRepository: ...


ConversationUnits = Callable[[], ConversationWork]
