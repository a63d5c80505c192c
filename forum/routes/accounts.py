"""Accounts: register, sign in and out, the account page, a new password, reset links, and
linking a chat identity to the web account with a code from the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from flows.people import LINK, LINK_ALPHABET, LINK_LENGTH, RESET, Platform, normalise_link_code
from forum.addresses import client_address
from forum.auth import (
    CsrfChecked,
    OptionalViewer,
    SignedIn,
    sign_in,
    sign_out,
    sign_out_everywhere,
    uow,
)
from forum.login_throttle import check_login, login_failed, login_keys
from forum.pages import form_fields, notify, render, return_to, see_other, take_notice
from forum.params import RowId
from forum.security import (
    DUMMY_HASH,
    digest,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from forum.usernames import display_name_problem, normalise_username, username_problem
from storage import AccountRecord, SqlUnitOfWork, UsernameTaken

router = APIRouter(include_in_schema=False)

WRONG_LOGIN = "The user name or password is wrong."
DISABLED = "This account is disabled. Ask an administrator of the forum."
BAD_CODE = "This code is unknown, used or expired. Send /link to the bot for a new one."


def platform_label(request: Request, platform: Platform) -> str:
    """A platform as people call it ("Telegram"), as the bots describe it; its name otherwise."""
    known = request.app.state.platforms.get(platform)
    return str(known.label) if known is not None else platform.value.capitalize()


@dataclass
class Form:
    """What a form sent back (never its passwords) and a message per field that is wrong."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        return {"values": self.values, "errors": self.errors}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site ("//evil.com",
    "/\\evil.com" and "https://..." all become "/")."""
    return return_to(target, "/")


# --- registering ----------------------------------------------------------------------------


@router.get("/register", response_class=HTMLResponse)
async def register_form(request: Request, who: OptionalViewer) -> Response:
    if who is not None:
        return see_other("/account")
    return render(request, "accounts/register.html", Form().context(), title="Register")


@router.post("/register", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def register(request: Request, who: OptionalViewer) -> Response:
    request.app.state.limiter.hit("register", client_address(request))
    sent = await form_fields(request)
    username = normalise_username(sent.get("username", ""))
    display_name = sent.get("display_name", "").strip()
    password = sent.get("password", "")
    form = Form({"username": username, "display_name": display_name})
    if problem := username_problem(username):
        form.errors["username"] = problem
    if problem := display_name_problem(display_name):
        form.errors["display_name"] = problem
    if problem := password_problem(password, username):
        form.errors["password"] = problem
    elif sent.get("confirm", "") != password:
        form.errors["confirm"] = "The two passwords differ."
    if not form.errors:
        async with uow(request) as work:
            try:
                account = await work.accounts.create(
                    username, hash_password(password), display_name=display_name or None
                )
            except UsernameTaken:
                form.errors["username"] = "That user name is taken; choose another."
            else:
                await work.accounts.logged_in(account.person_id, request.app.state.clock.now())
                await adopt_guest(request, work, account.person_id)
                await work.commit()
                await sign_in(request, account.person_id, account.session_epoch)
                notify(request, f"Welcome, {account.display_name}: your account is ready.")
                return see_other("/account")
    return render(
        request, "accounts/register.html", form.context(), title="Register", status_code=400
    )


# --- signing in and out ---------------------------------------------------------------------


async def adopt_guest(request: Request, work: SqlUnitOfWork, person_id: int) -> None:
    """Give the account what this browser did as a guest in the web chat (its conversations,
    a referral asked for), so signing in loses none of it."""
    guest = request.session.get("guest")
    if not isinstance(guest, str):
        return
    found = await work.people.find(Platform.WEB, f"guest:{guest}")
    if found is not None and found != person_id:
        await work.people.merge(person_id, found)


def _login_page(request: Request, form: Form, next_url: str, status: int = 200) -> Response:
    context = form.context() | {"next": next_url, "notice": take_notice(request)}
    return render(request, "accounts/login.html", context, title="Sign in", status_code=status)


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, who: OptionalViewer, next_url: str = Query("/", alias="next")
) -> Response:
    return _login_page(request, Form(), safe_next(next_url))


@router.post("/login", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def login(request: Request, who: OptionalViewer) -> Response:
    sent = await form_fields(request)
    username = normalise_username(sent.get("username", ""))
    password = sent.get("password", "")
    next_url = safe_next(sent.get("next"))
    keys = login_keys(client_address(request), username)
    now = request.app.state.clock.now()
    form = Form({"username": username})
    async with uow(request) as work:
        await check_login(work, keys, now)
        account = await work.accounts.by_username(username) if username.strip() else None
        if account is None:
            # As slow as a wrong password, so the time taken does not tell who has an account.
            verify_password(DUMMY_HASH, password)
            form.errors["form"] = WRONG_LOGIN
        elif not verify_password(account.password_hash, password):
            form.errors["form"] = WRONG_LOGIN
        elif account.disabled:
            form.errors["form"] = DISABLED
        else:
            if needs_rehash(account.password_hash):
                await work.accounts.rehash(account.person_id, hash_password(password))
            await work.accounts.logged_in(account.person_id, request.app.state.clock.now())
            await adopt_guest(request, work, account.person_id)
            await work.commit()
            await sign_in(request, account.person_id, account.session_epoch)
            return see_other(next_url)
        # Failures only: a right password spends nothing.
        await login_failed(work, keys, now)
        await work.commit()
    return _login_page(request, form, next_url, status=400)


@router.post("/logout", dependencies=[CsrfChecked])
async def logout(request: Request) -> Response:
    await sign_out(request)
    return see_other("/")


@router.post("/account/sessions/end", dependencies=[CsrfChecked])
async def end_sessions(request: Request, who: SignedIn) -> Response:
    """Sign out everywhere: every browser signed in as this person, this one too."""
    await sign_out_everywhere(request, who.person_id)
    notify(request, "You are signed out everywhere. Sign in again here when you like.")
    return see_other("/login")


# --- the account page -------------------------------------------------------------------------


async def _account_page(
    request: Request, who: SignedIn, form: Form | None = None, status: int = 200
) -> Response:
    async with uow(request) as work:
        account = await work.accounts.by_person(who.person_id)
        identities = await work.people.identities(who.person_id)
        tokens = await work.accounts.tokens(who.person_id)
    chats = [
        (platform_label(request, platform), external)
        for platform, external in identities
        if platform != Platform.WEB
    ]
    context = (form or Form()).context() | {
        "account": account,
        "roles": sorted(role.value for role in who.roles),
        "chats": chats,
        "tokens": tokens,
        "notice": take_notice(request),
        "code_length": LINK_LENGTH,
    }
    return render(
        request, "accounts/account.html", context, title="Your account", status_code=status
    )


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, who: SignedIn) -> Response:
    return await _account_page(request, who)


@router.post("/account/password", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def change_password(request: Request, who: SignedIn) -> Response:
    sent = await form_fields(request)
    # Guessing the current password here is guessing a password: the same limits as signing in.
    keys = login_keys(client_address(request), who.username)
    now = request.app.state.clock.now()
    password = sent.get("password", "")
    form = Form()
    async with uow(request) as work:
        await check_login(work, keys, now)
        account = await work.accounts.by_person(who.person_id)
        assert account is not None
        if not verify_password(account.password_hash, sent.get("current", "")):
            form.errors["current"] = "This is not your current password."
            await login_failed(work, keys, now)
            await work.commit()
        elif problem := password_problem(password, account.username):
            form.errors["password"] = problem
        elif sent.get("confirm", "") != password:
            form.errors["confirm"] = "The two passwords differ."
        else:
            await work.accounts.set_password(who.person_id, hash_password(password))
            changed = await work.accounts.by_person(who.person_id)
            await work.commit()
            assert changed is not None
            # Every other session ends with the old epoch; this one carries on with the new.
            await sign_in(request, who.person_id, changed.session_epoch)
            notify(request, "Your password is changed; you are signed out everywhere else.")
            return see_other("/account")
    return await _account_page(request, who, form, status=400)


@router.post("/account/link", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def link_chat(request: Request, who: SignedIn) -> Response:
    request.app.state.limiter.hit("link", client_address(request))
    sent = await form_fields(request)
    code = normalise_link_code(sent.get("code", ""))
    form = Form({"code": code})
    if len(code) != LINK_LENGTH or any(c not in LINK_ALPHABET for c in code):
        form.errors["code"] = f"A link code is {LINK_LENGTH} letters and digits, from the bot."
        return await _account_page(request, who, form, status=400)
    async with uow(request) as work:
        now = request.app.state.clock.now()
        chat_person = await work.accounts.redeem_code(LINK, digest(code), now=now)
        if chat_person is None:
            form.errors["code"] = BAD_CODE
        elif chat_person == who.person_id:
            await work.commit()
            notify(request, "That chat is already linked to this account.")
            return see_other("/account")
        elif await work.accounts.by_person(chat_person) is not None:
            form.errors["code"] = (
                "That chat belongs to another web account already. Sign in with that account."
            )
        else:
            joined = await work.people.identities(chat_person)
            # The web account's person stays, so that its forum posts keep their author.
            await work.people.merge(who.person_id, chat_person)
            await work.commit()
            names = ", ".join(platform_label(request, p) for p, _ in joined) or "chat"
            notify(request, f"Linked: your {names} account and this one are now one.")
            return see_other("/account")
    return await _account_page(request, who, form, status=400)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfChecked])
async def revoke_token(request: Request, token_id: RowId, who: SignedIn) -> Response:
    async with uow(request) as work:
        now = request.app.state.clock.now()
        revoked = await work.accounts.revoke_token(who.person_id, token_id, now=now)
        await work.commit()
    notify(request, "The token is revoked." if revoked else "No such token to revoke.")
    return see_other("/account")


# --- reset links ------------------------------------------------------------------------------


async def _reset_account(request: Request, token: str) -> AccountRecord | None:
    async with uow(request) as work:
        now = request.app.state.clock.now()
        person_id = await work.accounts.peek_code(RESET, digest(token), now=now)
        return None if person_id is None else await work.accounts.by_person(person_id)


def _reset_page(
    request: Request, account: AccountRecord | None, form: Form, status: int = 200
) -> Response:
    response = render(
        request,
        "accounts/reset.html",
        form.context() | {"account": account},
        title="Choose a new password",
        status_code=status if account is not None else 404,
    )
    # The link's secret is in the address: no page it leads to may learn it.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/reset/{token}", response_class=HTMLResponse)
async def reset_form(request: Request, token: str, who: OptionalViewer) -> Response:
    return _reset_page(request, await _reset_account(request, token), Form())


@router.post("/reset/{token}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def reset(request: Request, token: str, who: OptionalViewer) -> Response:
    request.app.state.limiter.hit("reset", client_address(request))
    account = await _reset_account(request, token)
    if account is None:
        return _reset_page(request, None, Form())
    sent = await form_fields(request)
    password = sent.get("password", "")
    form = Form()
    if problem := password_problem(password, account.username):
        form.errors["password"] = problem
    elif sent.get("confirm", "") != password:
        form.errors["confirm"] = "The two passwords differ."
    if form.errors:
        return _reset_page(request, account, form, status=400)
    async with uow(request) as work:
        now = request.app.state.clock.now()
        person_id = await work.accounts.redeem_code(RESET, digest(token), now=now)
        if person_id != account.person_id:
            # Used a moment ago by someone else.
            return _reset_page(request, None, Form())
        await work.accounts.set_password(person_id, hash_password(password))
        await work.commit()
    await sign_out(request)
    notify(request, "Your password is changed. Sign in with it now.")
    return see_other("/login")
