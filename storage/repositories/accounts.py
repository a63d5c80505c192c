"""Web accounts, one-time codes and API tokens in SQL.

Hashing belongs to the caller (the forum): this module stores and compares only what it is
handed, password hashes and SHA-256 digests of codes and tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from flows.people import Platform, Role
from storage.models import ApiToken, Identity, OneTimeCode, Person, PersonRole, WebAccount


class UsernameTaken(Exception):
    """Another account already has this user name (compared case-insensitively)."""


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A web account with what pages need to know about its person."""

    id: int
    person_id: int
    username: str
    display_name: str
    email: str | None
    password_hash: str
    session_epoch: int
    roles: frozenset[Role]
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token as its owner sees it: never the secret, only its name and use."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def username_key(username: str) -> str:
    """The form of a user name that must be unique: case-folded, surrounding space removed."""
    return username.strip().casefold()


class SqlAccountRepository:
    """Web accounts and their secrets, read and written through one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        username: str,
        password_hash: str,
        *,
        display_name: str | None = None,
        email: str | None = None,
        person_id: int | None = None,
    ) -> AccountRecord:
        """Make an account, and its person unless `person_id` names an existing one."""
        key = username_key(username)
        if await self._session.scalar(select(WebAccount.id).where(WebAccount.username_key == key)):
            raise UsernameTaken(username)
        if person_id is None:
            person = Person(display_name=(display_name or username)[:200])
            person.roles.append(PersonRole(role=Role.MEMBER.value))
            self._session.add(person)
            await self._session.flush()
            person_id = person.id
        self._session.add(
            Identity(person_id=person_id, platform=Platform.WEB.value, external_id=key)
        )
        self._session.add(
            WebAccount(
                person_id=person_id,
                username=username.strip(),
                username_key=key,
                email=email,
                password_hash=password_hash,
            )
        )
        try:
            await self._session.flush()
        except IntegrityError as exc:
            # Someone took the name between the check above and now.
            raise UsernameTaken(username) from exc
        found = await self.by_person(person_id)
        assert found is not None
        return found

    async def by_username(self, username: str) -> AccountRecord | None:
        return await self._one(WebAccount.username_key == username_key(username))

    async def by_person(self, person_id: int) -> AccountRecord | None:
        return await self._one(WebAccount.person_id == person_id)

    async def _one(self, condition: ColumnElement[bool]) -> AccountRecord | None:
        found = await self._many(condition, limit=1)
        return found[0] if found else None

    async def _many(
        self, condition: ColumnElement[bool] | None, *, limit: int | None = None
    ) -> list[AccountRecord]:
        query = (
            select(WebAccount, Person)
            .join(Person, Person.id == WebAccount.person_id)
            .order_by(WebAccount.username_key)
            .limit(limit)
            # Always the stored values: a password change earlier in this session raised the
            # epoch behind the ORM's back.
            .execution_options(populate_existing=True)
        )
        if condition is not None:
            query = query.where(condition)
        rows = (await self._session.execute(query)).all()
        if not rows:
            return []
        held: dict[int, set[Role]] = {}
        for person_id, role in await self._session.execute(
            select(PersonRole.person_id, PersonRole.role).where(
                PersonRole.person_id.in_([person.id for _, person in rows])
            )
        ):
            held.setdefault(person_id, set()).add(Role(role))
        return [
            AccountRecord(
                id=account.id,
                person_id=person.id,
                username=account.username,
                display_name=person.display_name,
                email=account.email,
                password_hash=account.password_hash,
                session_epoch=account.session_epoch,
                roles=frozenset(held.get(person.id, ())) | {Role.MEMBER},
                disabled=account.disabled_at is not None,
                created_at=account.created_at,
                last_login_at=account.last_login_at,
            )
            for account, person in rows
        ]

    async def search(self, text: str = "", *, limit: int | None = 200) -> list[AccountRecord]:
        """Accounts whose user name or display name contains `text` (any case), by user name;
        every account for an empty `text`."""
        text = text.strip()
        if not text:
            return await self._many(None, limit=limit)
        pattern = (
            "%"
            + text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        return await self._many(
            or_(
                WebAccount.username_key.like(pattern, escape="\\"),
                func.lower(Person.display_name).like(pattern, escape="\\"),
            ),
            limit=limit,
        )

    async def set_password(self, person_id: int, password_hash: str) -> None:
        """Change the password; sessions made before stop working."""
        await self._session.execute(
            update(WebAccount)
            .where(WebAccount.person_id == person_id)
            .values(password_hash=password_hash, session_epoch=WebAccount.session_epoch + 1)
        )

    async def rehash(self, person_id: int, password_hash: str) -> None:
        """Store a stronger hash of the same password; sessions stay valid."""
        await self._session.execute(
            update(WebAccount)
            .where(WebAccount.person_id == person_id)
            .values(password_hash=password_hash)
        )

    async def logged_in(self, person_id: int, at: datetime) -> None:
        await self._session.execute(
            update(WebAccount).where(WebAccount.person_id == person_id).values(last_login_at=at)
        )

    async def set_disabled(self, person_id: int, at: datetime | None) -> None:
        """Disable an account at `at` (its sessions end at once), or enable it with None."""
        await self._session.execute(
            update(WebAccount)
            .where(WebAccount.person_id == person_id)
            .values(disabled_at=at, session_epoch=WebAccount.session_epoch + 1)
        )

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count(WebAccount.id))) or 0)

    # One-time codes -------------------------------------------------------------------------

    async def issue_code(
        self, purpose: str, person_id: int, digest: str, *, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new code's digest; the person's earlier unused codes of this purpose die."""
        await self._session.execute(
            update(OneTimeCode)
            .where(
                OneTimeCode.person_id == person_id,
                OneTimeCode.purpose == purpose,
                OneTimeCode.used_at.is_(None),
            )
            .values(used_at=now)
        )
        self._session.add(
            OneTimeCode(
                purpose=purpose,
                digest=digest,
                person_id=person_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await self._session.flush()

    async def redeem_code(self, purpose: str, digest: str, *, now: datetime) -> int | None:
        """Use a code once: the person it was issued to, or None if unknown, used or expired."""
        result = await self._session.execute(
            update(OneTimeCode)
            .where(
                OneTimeCode.digest == digest,
                OneTimeCode.purpose == purpose,
                OneTimeCode.used_at.is_(None),
                OneTimeCode.expires_at > now,
            )
            .values(used_at=now)
            .returning(OneTimeCode.person_id)
        )
        return result.scalar_one_or_none()

    async def peek_code(self, purpose: str, digest: str, *, now: datetime) -> int | None:
        """The person a still-usable code belongs to, without using it (to show a form)."""
        return await self._session.scalar(
            select(OneTimeCode.person_id).where(
                OneTimeCode.digest == digest,
                OneTimeCode.purpose == purpose,
                OneTimeCode.used_at.is_(None),
                OneTimeCode.expires_at > now,
            )
        )

    # API tokens -----------------------------------------------------------------------------

    async def add_token(self, person_id: int, name: str, digest: str, *, now: datetime) -> int:
        token = ApiToken(person_id=person_id, name=name[:100], digest=digest, created_at=now)
        self._session.add(token)
        await self._session.flush()
        return token.id

    async def person_for_token(self, digest: str, *, now: datetime) -> int | None:
        """The person an unrevoked token acts for, noting its use; None for any other token."""
        result = await self._session.execute(
            update(ApiToken)
            .where(ApiToken.digest == digest, ApiToken.revoked_at.is_(None))
            .values(last_used_at=now)
            .returning(ApiToken.person_id)
        )
        return result.scalar_one_or_none()

    async def revoke_tokens(self, person_id: int, *, now: datetime) -> int:
        result = await self._session.execute(
            update(ApiToken)
            .where(ApiToken.person_id == person_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def tokens(self, person_id: int) -> list[TokenRecord]:
        """The person's API tokens, newest first, revoked ones too."""
        found = await self._session.scalars(
            select(ApiToken)
            .where(ApiToken.person_id == person_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        return [
            TokenRecord(t.id, t.name, t.created_at, t.last_used_at, t.revoked_at) for t in found
        ]

    async def revoke_token(self, person_id: int, token_id: int, *, now: datetime) -> bool:
        """Revoke one of the person's own tokens; False when it is not theirs or was revoked."""
        result = await self._session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                ApiToken.person_id == person_id,
                ApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(getattr(result, "rowcount", 0))
