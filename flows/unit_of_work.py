"""The unit of work of the whole core: every feature's repositories in one transaction.

Each feature names the repositories it needs in its own `ports.py` (`MeetingWork`,
`CampaignWork`...); this protocol is all of them at once, which is what `storage/` implements
and what the composition root hands to the services. Nothing inside `flows/` imports it, so
the feature folders stay independent of each other.
"""

from __future__ import annotations

from typing import Protocol

from flows.directory import DirectoryWork
from flows.meetings import MeetingWork
from flows.people import CodesWork
from flows.referrals import ReferralWork
from flows.surveys import CampaignWork
from flows.threads import ThreadWork

__all__ = ["UnitOfWork"]


class UnitOfWork(
    CampaignWork,
    ReferralWork,
    MeetingWork,
    CodesWork,
    DirectoryWork,
    ThreadWork,
    Protocol,
):
    """One transaction over every repository of the core."""
