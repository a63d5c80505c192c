"""Every table of the store; importing this module registers them all on `Base.metadata`."""

from storage.models.conversations import (
    AnswerRecord,
    Conversation,
    FlowVersion,
    InboundEvent,
)
from storage.models.directory import (
    ServiceArea,
    ServiceAttribute,
    ServiceLanguage,
    ServiceRecord,
    TaxonomyTerm,
)
from storage.models.meetings import (
    Group,
    GroupChat,
    GroupMember,
    MeetingRecord,
    OutboxRow,
    Rsvp,
)
from storage.models.organisations import (
    Organisation,
    OrganisationMember,
    Territory,
    UnmetNeed,
)
from storage.models.people import Identity, Person, PersonRole
from storage.models.referrals import ProviderMember, ReferralEventRecord, ReferralRecord

__all__ = [
    "AnswerRecord",
    "Conversation",
    "FlowVersion",
    "Group",
    "GroupChat",
    "GroupMember",
    "Identity",
    "InboundEvent",
    "MeetingRecord",
    "Organisation",
    "OrganisationMember",
    "OutboxRow",
    "Person",
    "PersonRole",
    "ProviderMember",
    "ReferralEventRecord",
    "ReferralRecord",
    "Rsvp",
    "ServiceArea",
    "ServiceAttribute",
    "ServiceLanguage",
    "ServiceRecord",
    "TaxonomyTerm",
    "Territory",
    "UnmetNeed",
]
