"""One-time codes: the short code a bot gives to link a chat identity to a web account, and
the long secrets of reset links and API tokens. Only their digests are ever stored.

The generators and the digest live here, platform-free, so that the bots (which issue link
codes) and the forum (which redeems them) agree without importing each other.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from flows.clock import Clock
from flows.people.model import Platform
from flows.people.ports import CodesWork

LINK = "link"
RESET = "reset"
LINK_LIFETIME = timedelta(minutes=15)
RESET_LIFETIME = timedelta(hours=24)

# No 0/O or 1/I: a person copies the code by eye from a chat to a web form.
LINK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LINK_LENGTH = 8


def digest(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a code or token (they are random and long
    enough that a fast hash will do)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(prefix: str = "") -> str:
    """A random URL-safe secret of 256 bits, with an optional prefix saying what it is for."""
    return prefix + secrets.token_urlsafe(32)


def new_link_code() -> str:
    """A short code a person can copy from a chat to the web: 8 letters and digits."""
    return "".join(secrets.choice(LINK_ALPHABET) for _ in range(LINK_LENGTH))


def normalise_link_code(typed: str) -> str:
    """A typed link code in the form it was issued in: capitals, without spaces or dashes."""
    return "".join(c for c in typed.upper() if c not in " -\t")


class LinkCodes:
    """Issues the one-time codes that tie a chat identity to a web account."""

    def __init__(self, units: Callable[[], CodesWork], clock: Clock) -> None:
        self._units = units
        self._clock = clock

    async def issue(self, platform: Platform, external_id: str, display_name: str) -> str:
        """A new link code for the person behind the identity (created on first contact),
        valid for `LINK_LIFETIME`; the person's earlier unused link codes stop working."""
        code = new_link_code()
        now = self._clock.now()
        async with self._units() as uow:
            person = await uow.people.identify(platform, external_id, display_name=display_name)
            await uow.accounts.issue_code(
                LINK, person.id, digest(code), now=now, expires_at=now + LINK_LIFETIME
            )
            await uow.commit()
        return code
