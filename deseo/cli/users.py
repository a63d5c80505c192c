"""`deseo users ...`: web accounts from the terminal: the first admin, reset links (no mail
server needed), API tokens, roles, and disabling an account."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from deseo.cli.common import err, fail, on_store, out, require_current_schema, settings
from flows.people import Role

if TYPE_CHECKING:
    from storage import AccountRecord, Database, SqlUnitOfWork

T = TypeVar("T")
app = typer.Typer(
    help="Web accounts: admins, reset links, API tokens, roles.", no_args_is_help=True
)

TOKEN_PREFIX = "deseo_"


def _work(work: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
    """Run `work` in one transaction on the configured store, committed if it returns."""
    from storage import SqlUnitOfWork

    url = settings().database
    require_current_schema(url)

    async def run(database: Database) -> T:
        async with SqlUnitOfWork(database) as uow:
            result = await work(uow)
            await uow.commit()
            return result

    return on_store(url, run)


async def _account(uow: SqlUnitOfWork, username: str) -> AccountRecord:
    from forum import normalise_username

    found = await uow.accounts.by_username(normalise_username(username))
    if found is None:
        fail(f"no account is called {username!r} (see `deseo users list`)")
    return found


def _new_password(username: str, from_stdin: bool) -> str:
    from forum import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
    if problem := password_problem(password, username):
        fail(f"password: {problem}", 2)
    return password


def _create(username: str, display_name: str | None, from_stdin: bool, *, admin: bool) -> None:
    from forum import display_name_problem, hash_password, normalise_username, username_problem
    from storage import UsernameTaken

    username = normalise_username(username)
    if problem := username_problem(username):
        fail(f"user name {username!r}: {problem}", 2)
    if display_name is not None and (problem := display_name_problem(display_name)):
        fail(f"display name: {problem}", 2)

    async def exists(uow: SqlUnitOfWork) -> AccountRecord | None:
        return await uow.accounts.by_username(username)

    found = _work(exists)
    if found is not None and not admin:
        fail(f"the user name {found.username!r} is taken")
    if found is not None:

        async def promote(uow: SqlUnitOfWork) -> None:
            await uow.people.grant(found.person_id, Role.ADMIN)

        _work(promote)
        out.print(f"{found.username} already had an account; it is now admin")
        return
    password_hash = hash_password(_new_password(username, from_stdin))

    async def create(uow: SqlUnitOfWork) -> AccountRecord:
        try:
            account = await uow.accounts.create(
                username, password_hash, display_name=display_name or None
            )
        except UsernameTaken:
            fail(f"the user name {username!r} is taken")
        if admin:
            await uow.people.grant(account.person_id, Role.ADMIN)
        return account

    account = _work(create)
    out.print(f"account {account.username} created{' as admin' if admin else ''}")


PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from the first line of standard input."
)
DISPLAY_NAME = typer.Option(None, "--display-name", help="The name others read (default: USER).")


@app.command("create-admin")
def create_admin(
    username: str = typer.Argument(..., metavar="USER"),
    display_name: str = DISPLAY_NAME,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create an admin account (asking its password twice), or make an existing account admin."""
    _create(username, display_name, password_stdin, admin=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., metavar="USER"),
    display_name: str = DISPLAY_NAME,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a member's account (asking its password twice)."""
    _create(username, display_name, password_stdin, admin=False)


@app.command("reset-link")
def reset_link(username: str = typer.Argument(..., metavar="USER")) -> None:
    """Print a link that sets a new password: it works once, within 24 hours."""
    from flows.clock import SystemClock
    from flows.people import RESET, RESET_LIFETIME, digest, new_token

    code = new_token()
    hours = int(RESET_LIFETIME.total_seconds() // 3600)

    async def issue(uow: SqlUnitOfWork) -> AccountRecord:
        account = await _account(uow, username)
        now = SystemClock().now()
        await uow.accounts.issue_code(
            RESET, account.person_id, digest(code), now=now, expires_at=now + RESET_LIFETIME
        )
        return account

    account = _work(issue)
    if account.disabled:
        err.print(f"note: {account.username}'s account is disabled; `deseo users enable` it too")
    out.print(f"{settings().public_url}/reset/{code}")
    err.print(f"Give this link to {account.username} only; it works once, within {hours} hours.")


@app.command("token")
def token(
    username: str = typer.Argument(..., metavar="USER"),
    name: str = typer.Option("cli", "--name", help="What the token is for, to tell it apart."),
) -> None:
    """Print a new API bearer token acting as USER (shown this once; only its digest is kept)."""
    from flows.clock import SystemClock
    from flows.people import digest, new_token

    secret = new_token(TOKEN_PREFIX)

    async def add(uow: SqlUnitOfWork) -> AccountRecord:
        account = await _account(uow, username)
        await uow.accounts.add_token(
            account.person_id, name, digest(secret), now=SystemClock().now()
        )
        return account

    account = _work(add)
    out.print(secret)
    err.print(f"API token {name!r} for {account.username}: send it as Authorization: Bearer ...")


def _change_role(username: str, role: Role, *, grant: bool) -> str:
    if role is Role.MEMBER:
        fail("everyone is a member: that role is neither granted nor taken", 2)

    async def change(uow: SqlUnitOfWork) -> str:
        account = await _account(uow, username)
        if grant:
            await uow.people.grant(account.person_id, role)
        else:
            await uow.people.revoke(account.person_id, role)
        return account.username

    return _work(change)


ROLE = typer.Argument(..., metavar="ROLE", help="partner, coordinator, moderator, admin, ...")


@app.command("grant")
def grant(username: str = typer.Argument(..., metavar="USER"), role: Role = ROLE) -> None:
    """Give USER a role."""
    out.print(f"{_change_role(username, role, grant=True)} is now {role.value}")


@app.command("revoke")
def revoke(username: str = typer.Argument(..., metavar="USER"), role: Role = ROLE) -> None:
    """Take a role from USER."""
    out.print(f"{_change_role(username, role, grant=False)} is no longer {role.value}")


@app.command("list")
def list_accounts(
    search: str = typer.Argument("", help="Only names containing this (any case)."),
) -> None:
    """List the web accounts with their roles."""

    async def read(uow: SqlUnitOfWork) -> list[AccountRecord]:
        return await uow.accounts.search(search, limit=None)

    accounts = _work(read)
    if not accounts:
        out.print("no accounts yet: `deseo users create-admin USER`")
    for account in accounts:
        roles = ", ".join(sorted(r.value for r in account.roles if r is not Role.MEMBER))
        seen = account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "-"
        state = "  [disabled]" if account.disabled else ""
        out.print(
            f"{account.username:<24} {account.display_name:<24} "
            f"{roles or 'member':<28} last login {seen}{state}",
            # Display names are the people's own words, not Rich markup.
            markup=False,
        )


def _set_disabled(username: str, disabled: bool) -> str:
    from flows.clock import SystemClock

    async def change(uow: SqlUnitOfWork) -> str:
        account = await _account(uow, username)
        at = SystemClock().now() if disabled else None
        await uow.accounts.set_disabled(account.person_id, at)
        return account.username

    return _work(change)


@app.command("disable")
def disable(username: str = typer.Argument(..., metavar="USER")) -> None:
    """Stop USER signing in; their sessions end at once. Their posts stay."""
    out.print(f"{_set_disabled(username, True)} is disabled")


@app.command("enable")
def enable(username: str = typer.Argument(..., metavar="USER")) -> None:
    """Let a disabled USER sign in again."""
    out.print(f"{_set_disabled(username, False)} can sign in again")
