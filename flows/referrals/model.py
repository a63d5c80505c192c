"""Referrals: an entrepreneur asks to be put in touch with a service; the provider answers.

A referral moves requested → accepted or declined → in progress → closed with an outcome, and
keeps its history. Only people acting for the service's organisation may move it on (and see
it); the entrepreneur may withdraw it. These are the rules; `ReferralService` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

STATUSES = ("requested", "accepted", "declined", "in-progress", "closed")
OPEN = frozenset({"requested", "accepted", "in-progress"})
OUTCOMES = ("got-help", "not-eligible", "no-capacity", "no-longer-interested", "could-not-contact")
NEXT: dict[str, frozenset[str]] = {
    "requested": frozenset({"accepted", "declined", "closed"}),
    "accepted": frozenset({"in-progress", "closed"}),
    "in-progress": frozenset({"closed"}),
    "declined": frozenset(),
    "closed": frozenset(),
}
IDLE_AFTER = timedelta(days=7)
STATUS_WORDS = {
    "requested": "waiting for an answer",
    "accepted": "accepted",
    "declined": "declined",
    "in-progress": "in progress",
    "closed": "closed",
}
OUTCOME_WORDS = {
    "got-help": "you got the help you asked for",
    "not-eligible": "the service is not for this case",
    "no-capacity": "the service has no room for it now",
    "no-longer-interested": "it is no longer wanted",
    "could-not-contact": "they could not reach you",
}


class ReferralError(ValueError):
    """A change that the rules do not allow; the message says why."""


@dataclass(frozen=True)
class Referral:
    id: int
    person_id: int
    service: str
    organisation: str
    status: str
    outcome: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def idle(self, now: datetime) -> bool:
        return self.open and now - self.updated_at >= IDLE_AFTER


@dataclass(frozen=True)
class ReferralEvent:
    at: datetime
    status: str
    outcome: str | None
    note: str | None
    by_person_id: int | None


def check_move(referral: Referral, status: str, outcome: str | None, *, by_provider: bool) -> None:
    """Raise `ReferralError` unless the move is allowed for this actor."""
    if status not in STATUSES:
        raise ReferralError(f"{status!r} is not a status: use one of {', '.join(STATUSES)}")
    if not by_provider and not (status == "closed" and outcome == "no-longer-interested"):
        raise ReferralError("only the provider can change this referral; you may withdraw it")
    if status not in NEXT[referral.status]:
        raise ReferralError(f"a referral that is {referral.status} cannot become {status}")
    if status == "closed":
        if outcome not in OUTCOMES:
            raise ReferralError(f"closing needs an outcome: one of {', '.join(OUTCOMES)}")
    elif outcome is not None:
        raise ReferralError("an outcome is given only when closing")


def change_message(referral: Referral, service_name: str) -> str:
    """What the entrepreneur is told when their referral moves."""
    text = f"Your request to {service_name} is now {STATUS_WORDS[referral.status]}"
    if referral.status == "closed" and referral.outcome:
        text += f": {OUTCOME_WORDS[referral.outcome]}"
    if referral.note:
        text += f". Their note: {referral.note}"
    return text + "."
