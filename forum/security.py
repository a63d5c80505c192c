"""Secrets: password hashes (argon2), and random codes and tokens stored only as digests."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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


def digest(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a code or token (they are random and long,
    so a fast hash is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(prefix: str = "") -> str:
    """A random URL-safe secret of 256 bits, with an optional prefix saying what it is for."""
    return prefix + secrets.token_urlsafe(32)


def new_link_code() -> str:
    """A short code a person can copy from a chat to the web: 8 letters and digits, no 0/O/1/I."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password will not do, or None when it will."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    if username and password.casefold() == username.casefold():
        return "Do not use your user name as your password."
    return None
