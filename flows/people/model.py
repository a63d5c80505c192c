"""Who takes part: the platforms people reach deseo on and the roles they can hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


class Platform(str):
    """A place a person talks to deseo from, by its short lower-case name; each has its own kind
    of user id. The core knows two: the forum's web chat and the terminal. Each chat platform
    names itself in its adapter in `bot/`, so that adding one changes nothing here."""

    __slots__ = ()

    WEB: ClassVar[Platform]
    CONSOLE: ClassVar[Platform]

    def __new__(cls, name: str) -> Platform:
        if not NAME.match(name):
            raise ValueError(f"{name!r} is not a platform name (a short lower-case word)")
        return super().__new__(cls, name)

    @property
    def value(self) -> str:
        """The name, as stored and written in chat keys."""
        return str(self)


Platform.WEB = Platform("web")
Platform.CONSOLE = Platform("console")


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
