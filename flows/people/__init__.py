"""People: who takes part, their roles, the chats that reach them, one-time codes."""

from flows.people.chats import ChatPlatform, ChatPlatforms, ChatRef
from flows.people.codes import (
    LINK,
    LINK_ALPHABET,
    LINK_LENGTH,
    LINK_LIFETIME,
    RESET,
    RESET_LIFETIME,
    LinkCodes,
    digest,
    new_link_code,
    new_token,
    normalise_link_code,
)
from flows.people.model import PersonRef, Platform, Role
from flows.people.ports import CodesWork, PeopleWork

__all__ = [
    "LINK",
    "LINK_ALPHABET",
    "LINK_LENGTH",
    "LINK_LIFETIME",
    "RESET",
    "RESET_LIFETIME",
    "ChatPlatform",
    "ChatPlatforms",
    "ChatRef",
    "CodesWork",
    "LinkCodes",
    "PeopleWork",
    "PersonRef",
    "Platform",
    "Role",
    "digest",
    "new_link_code",
    "new_token",
    "normalise_link_code",
]
