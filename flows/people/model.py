"""Who takes part: the platforms people reach deseo on and the roles they can hold."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    """A place a person talks to deseo from; each has its own kind of user id."""

    TELEGRAM = "telegram"
    DISCORD = "discord"
    WEB = "web"
    CONSOLE = "console"


class Role(StrEnum):
    """What a person may do. A person holds any number of roles; everyone is a member."""

    MEMBER = "member"
    ENTREPRENEUR = "entrepreneur"
    PARTNER = "partner"
    COORDINATOR = "coordinator"
    MODERATOR = "moderator"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person as the core sees them: an id, a name to address them by, their preferences."""

    id: int
    display_name: str
    language: str
    timezone: str
    roles: frozenset[Role]

    def has_role(self, role: Role) -> bool:
        """True when the person holds the role, or is an admin (who may do anything)."""
        return role in self.roles or Role.ADMIN in self.roles
