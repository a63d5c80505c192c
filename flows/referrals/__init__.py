"""Referrals: an entrepreneur put in touch with a provider, and the referral's life."""

from flows.referrals.model import (
    OPEN,
    OUTCOME_WORDS,
    STATUS_WORDS,
    STATUSES,
    Referral,
    ReferralError,
    ReferralEvent,
)
from flows.referrals.ports import ReferralWork
from flows.referrals.service import ReferralService

__all__ = [
    "OPEN",
    "OUTCOME_WORDS",
    "STATUSES",
    "STATUS_WORDS",
    "Referral",
    "ReferralError",
    "ReferralEvent",
    "ReferralService",
    "ReferralWork",
]
