"""What `ConversationService` asks of the features beside it: the protocols of its hooks."""

from __future__ import annotations

from typing import Protocol, TypeVar

from flows.conversation.definitions import Flow
from flows.conversation.messages import Outbound
from flows.conversation.ports import ConversationWork, StoredConversation
from flows.conversation.state import State
from flows.people import PersonRef

# The unit of work a hook is given: the service's, which may offer more than a conversation
# needs (campaigns, orientation).
W_contra = TypeVar("W_contra", bound=ConversationWork, contravariant=True)


class Finisher(Protocol[W_contra]):
    """Work to do, in the same transaction, when a conversation of some kind of flow completes
    (orientation: match the answers against the directory). Returns messages to add."""

    async def __call__(
        self, uow: W_contra, person_id: int, flow: Flow, state: State
    ) -> list[Outbound]: ...


class ConversationHook(Protocol[W_contra]):
    """Something a conversation may belong to beyond its flow (a survey campaign), asked in the
    conversation's own transaction."""

    async def admit(self, uow: W_contra, conversation: StoredConversation) -> list[Outbound]:
        """Messages refusing the conversation's next event (its campaign closed), or none to
        let it go on. Asked when the conversation is read from the store, not for every event:
        whatever changes the answer raises the revision of the conversations it concerns."""
        ...

    async def completed(
        self, uow: W_contra, conversation: StoredConversation, flow: Flow
    ) -> list[Outbound]:
        """Work to do once a conversation's completion is saved; returns messages to add."""
        ...


class BeginLink(Protocol[W_contra]):
    """Ties the conversation `ConversationService.begin` starts or picks up to something
    outside it (a campaign invitation), within begin's transaction."""

    async def find(self, uow: W_contra, person: PersonRef) -> int | None:
        """The conversation to pick up, or None to begin a new one; may raise to refuse."""
        ...

    async def attach(self, uow: W_contra, person: PersonRef, conversation_id: int) -> None:
        """Record the conversation begun or picked up."""
        ...
