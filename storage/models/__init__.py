"""Every table of the store; importing this module registers them all on `Base.metadata`."""

from storage.models.conversations import (
    AnswerRecord,
    Conversation,
    FlowVersion,
    InboundEvent,
)
from storage.models.organisations import Organisation, OrganisationMember, Territory
from storage.models.people import Identity, Person, PersonRole

__all__ = [
    "AnswerRecord",
    "Conversation",
    "FlowVersion",
    "Identity",
    "InboundEvent",
    "Organisation",
    "OrganisationMember",
    "Person",
    "PersonRole",
    "Territory",
]
