"""The platform-neutral core of deseo: people, flows, the engine and the ports it needs."""

from flows.clock import FixedClock, SystemClock
from flows.people import PersonRef, Platform, Role
from flows.ports import Clock, PeopleRepository, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "Clock",
    "FixedClock",
    "PeopleRepository",
    "PersonRef",
    "Platform",
    "Role",
    "SystemClock",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
