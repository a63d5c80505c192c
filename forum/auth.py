"""Who is asking: the signed session cookie, API bearer tokens, and CSRF tokens on forms.

Every route learns its viewer through the dependencies here (`viewer`, `require_viewer`,
`require_role`, `api_viewer`), every form POST goes through `check_csrf`, and every API write
through `require_api_writer` (a bearer token, or the CSRF token in a header); what a viewer
may do is decided in `forum.permissions`, nowhere else.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from flows.people import Role
from forum.security import digest
from storage import AccountRecord, SqlUnitOfWork

SESSION_COOKIE = "deseo_session"
SESSION_DAYS = 14
CSRF_FIELD = "csrf_token"
# The header an API write made with the session cookie carries the session's CSRF token in.
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person as pages see them."""

    person_id: int
    username: str
    display_name: str
    roles: frozenset[Role]

    def has_role(self, role: Role) -> bool:
        """True for a role the person holds; admins hold every role."""
        return role in self.roles or Role.ADMIN in self.roles


class LoginRequired(Exception):
    """Raised by `require_viewer`; the app answers a page with a redirect to the login form."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='/')}"


def uow(request: Request) -> SqlUnitOfWork:
    """A new unit of work on the app's store."""
    return SqlUnitOfWork(request.app.state.database)


async def sign_in(request: Request, person_id: int, session_epoch: int) -> None:
    """Start a session for the person: a row in the store (which logging out deletes) named by
    a random id in the cookie, and a fresh CSRF token, so one seen before login dies."""
    await _end_session(request)
    session_id = secrets.token_urlsafe(32)
    async with uow(request) as work:
        await work.web_sessions.start(
            digest(session_id), person_id, now=request.app.state.clock.now(), idle=_idle(request)
        )
        await work.commit()
    request.session.clear()
    request.session.update(
        {
            "pid": person_id,
            "ep": session_epoch,
            "sid": session_id,
            "csrf": secrets.token_urlsafe(32),
        }
    )


async def sign_out(request: Request) -> None:
    """End this browser's session, in the store too: a copy of the cookie is worth nothing."""
    await _end_session(request)
    request.session.clear()


async def sign_out_everywhere(request: Request, person_id: int) -> None:
    """End every session of the person, this browser's among them."""
    async with uow(request) as work:
        await work.web_sessions.end_all(person_id)
        await work.commit()
    request.session.clear()


async def _end_session(request: Request) -> None:
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        async with uow(request) as work:
            await work.web_sessions.end(digest(session_id))
            await work.commit()


def _idle(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.config.session_idle_minutes)


async def _session_person(request: Request) -> int | None:
    """Whose the cookie's session is, while it lives in the store; None otherwise."""
    session_id = request.session.get("sid")
    if not isinstance(session_id, str):
        return None
    async with uow(request) as work:
        person_id = await work.web_sessions.person(
            digest(session_id),
            now=request.app.state.clock.now(),
            idle=_idle(request),
            longest=timedelta(days=SESSION_DAYS),
        )
        await work.commit()
    return person_id


async def viewer(request: Request) -> Viewer | None:
    """The signed-in person, or None. A session the store no longer has (signed out, idle too
    long) counts as none, as does one from before a password change."""
    if hasattr(request.state, "viewer"):
        found: Viewer | None = request.state.viewer
        return found
    found = None
    person_id = request.session.get("pid")
    if isinstance(person_id, int):
        live = await _session_person(request) == person_id
        account = await _account(request, person_id) if live else None
        if (
            account is not None
            and not account.disabled
            and account.session_epoch == request.session.get("ep")
        ):
            found = Viewer(account.person_id, account.username, account.display_name, account.roles)
        else:
            request.session.clear()
    request.state.viewer = found
    return found


OptionalViewer = Annotated[Viewer | None, Depends(viewer)]

# How long a signed-in person's account (roles, epoch, disabled) is reused between page views.
# A change made through this process is seen at once (any POST forgets them all); one made by
# another process (the CLI, another web worker) within this many seconds.
ACCOUNT_SECONDS = 5.0


class AccountCache:
    """Accounts read for sessions, each kept `ACCOUNT_SECONDS`."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[AccountRecord | None, float]] = {}

    def get(self, person_id: int) -> tuple[bool, AccountRecord | None]:
        hit = self._seen.get(person_id)
        if hit is None or time.monotonic() - hit[1] >= ACCOUNT_SECONDS:
            return False, None
        return True, hit[0]

    def put(self, person_id: int, account: AccountRecord | None) -> None:
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[person_id] = (account, time.monotonic())

    def clear(self) -> None:
        self._seen.clear()


class ForgetAccountsOnChange:
    """ASGI middleware: any request but GET or HEAD may change an account (a password, a
    role), so the account cache is emptied before and after it."""

    def __init__(self, app: ASGIApp, *, cache: AccountCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        changing = scope["type"] == "http" and scope["method"] not in ("GET", "HEAD")
        if changing:
            self.cache.clear()
        try:
            await self.app(scope, receive, send)
        finally:
            if changing:
                self.cache.clear()


async def _account(request: Request, person_id: int) -> AccountRecord | None:
    cache: AccountCache = request.app.state.accounts_seen
    reading = request.method in ("GET", "HEAD")
    if reading:
        known, account = cache.get(person_id)
        if known:
            return account
    async with uow(request) as work:
        account = await work.accounts.by_person(person_id)
    if reading:
        cache.put(person_id, account)
    return account


async def require_viewer(request: Request, who: OptionalViewer) -> Viewer:
    """The signed-in person; anyone else is sent to the login form (and back afterwards)."""
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return who


SignedIn = Annotated[Viewer, Depends(require_viewer)]


def require_role(role: Role) -> Any:
    """A dependency letting through only people holding `role` (or admins)."""

    async def check(who: SignedIn) -> Viewer:
        if not who.has_role(role):
            raise HTTPException(status_code=403, detail=f"This page is for the {role.value}s.")
        return who

    return Depends(check)


async def api_viewer(request: Request) -> Viewer | None:
    """The person behind an API request's bearer token, else the session's, else None.

    A token that is present but unknown is refused outright rather than read as anonymous.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        return await viewer(request)
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status_code=401,
            detail="use: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    async with uow(request) as work:
        clock = request.app.state.clock
        person_id = await work.accounts.person_for_token(digest(token.strip()), now=clock.now())
        account = None if person_id is None else await work.accounts.by_person(person_id)
        await work.commit()
    if account is None or account.disabled:
        raise HTTPException(
            status_code=401,
            detail="unknown or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Viewer(account.person_id, account.username, account.display_name, account.roles)


ApiViewer = Annotated[Viewer | None, Depends(api_viewer)]


async def require_api_writer(request: Request, who: ApiViewer) -> Viewer:
    """The person an API write is made as: the bearer token's, or the session's when the
    request also carries the session's CSRF token in the `X-CSRF-Token` header. A browser sends
    the cookie along with a POST another site makes it send; not a header or a token."""
    if who is None:
        raise HTTPException(
            status_code=401,
            detail="sign in or send a bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # With an Authorization header, `api_viewer` has read the viewer from its token alone.
    if request.headers.get("authorization") or _csrf_matches(
        request, request.headers.get(CSRF_HEADER)
    ):
        return who
    raise HTTPException(
        status_code=403,
        detail=f"send Authorization: Bearer <token>, or the session's CSRF token as {CSRF_HEADER}",
    )


ApiSignedIn = Annotated[Viewer, Depends(require_api_writer)]


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use; forms put it in a hidden field."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def _csrf_matches(request: Request, sent: object) -> bool:
    expected = request.session.get("csrf")
    return (
        isinstance(sent, str)
        and isinstance(expected, str)
        and hmac.compare_digest(sent.encode(), expected.encode())
    )


async def check_csrf(request: Request) -> None:
    """Refuse a form POST whose CSRF field does not match the session's token."""
    form = await request.form()
    if not _csrf_matches(request, form.get(CSRF_FIELD)):
        raise HTTPException(
            status_code=403,
            detail="This form has expired or did not come from this site. Reload the page "
            "and try again.",
        )


CsrfChecked = Depends(check_csrf)
