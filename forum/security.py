"""Secrets: password hashes (argon2), and random codes and tokens stored only as digests."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# The generators and digest of codes and tokens are shared with the bots, which issue link codes.
from flows.people import digest, new_link_code, new_token

__all__ = [
    "DUMMY_HASH",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "digest",
    "hash_password",
    "needs_rehash",
    "new_link_code",
    "new_token",
    "password_problem",
    "verify_password",
]

_hasher = PasswordHasher()

MIN_PASSWORD = 10
MAX_PASSWORD = 1024


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, with its own salt and parameters."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong password or a damaged hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


# Verifying against this when no account matches makes a wrong user name cost as much time as
# a wrong password, so timing does not tell which user names exist.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password will not do, or None when it will."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    if username and password.casefold() == username.casefold():
        return "Do not use your user name as your password."
    return None
