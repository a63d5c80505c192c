"""Every table of the store; importing this module registers them all on `Base.metadata`."""

from storage.models.accounts import ApiToken, OneTimeCode, WebAccount
from storage.models.campaigns import (
    CampaignChat,
    CampaignCoordinator,
    CampaignInvitation,
    CampaignRecord,
    CampaignResponse,
)
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
from storage.models.forum import (
    Board,
    Flag,
    Post,
    PostRevision,
    SearchDocument,
    Thread,
    ThreadFollower,
)
from storage.models.meetings import (
    Group,
    GroupChat,
    GroupMember,
    MeetingRecord,
    Rsvp,
)
from storage.models.organisations import (
    Organisation,
    OrganisationMember,
    Territory,
    UnmetNeed,
)
from storage.models.outbox import OutboxRow
from storage.models.people import Identity, Person, PersonRole
from storage.models.referrals import ProviderMember, ReferralEventRecord, ReferralRecord
from storage.models.sessions import LoginFailures, WebSession

__all__ = [
    "AnswerRecord",
    "ApiToken",
    "Board",
    "CampaignChat",
    "CampaignCoordinator",
    "CampaignInvitation",
    "CampaignRecord",
    "CampaignResponse",
    "Conversation",
    "Flag",
    "FlowVersion",
    "Group",
    "GroupChat",
    "GroupMember",
    "Identity",
    "InboundEvent",
    "LoginFailures",
    "MeetingRecord",
    "OneTimeCode",
    "Organisation",
    "OrganisationMember",
    "OutboxRow",
    "Person",
    "PersonRole",
    "Post",
    "PostRevision",
    "ProviderMember",
    "ReferralEventRecord",
    "ReferralRecord",
    "Rsvp",
    "SearchDocument",
    "ServiceArea",
    "ServiceAttribute",
    "ServiceLanguage",
    "ServiceRecord",
    "TaxonomyTerm",
    "Territory",
    "Thread",
    "ThreadFollower",
    "UnmetNeed",
    "WebAccount",
    "WebSession",
]
