"""What forum tests share: an app on a test store, a client for it, accounts made through the
repository, signing in through the real login form, and the CSRF token of a page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from flows.clock import FixedClock
from flows.people.model import Role
from forum import ForumConfig, create_app
from forum.security import hash_password
from storage import Database, SqlUnitOfWork
from storage.repositories.accounts import AccountRecord
from tests.services import services_for

SECRET = "test-secret"
PASSWORD = "correct horse battery"
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(database: Database, clock: FixedClock | None = None, **config: Any) -> FastAPI:
    """The forum on `database`, with a clock the test can move (9:00 UTC, 22 Nov 2026)."""
    # Tests change the store behind the app's back; the page cache has tests of its own.
    config.setdefault("page_cache_seconds", 0)
    services = services_for(database, clock=clock or FixedClock(START))
    return create_app(database, ForumConfig(secret_key=SECRET, **config), services, web_chat=False)


def client(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """An in-process client of `app`, coming from `address` (rate limits count per address)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def csrf_of(page: str) -> str:
    """The CSRF token in a page's forms."""
    found = _CSRF.search(page)
    assert found is not None, "no CSRF field on this page"
    return html.unescape(found.group(1))


async def csrf(http: httpx.AsyncClient, path: str = "/login") -> str:
    """This client's session's CSRF token, read from a page."""
    response = await http.get(path)
    return csrf_of(response.text)


async def create_account(
    database: Database,
    username: str,
    password: str = PASSWORD,
    *,
    roles: Iterable[Role] = (),
    display_name: str | None = None,
) -> AccountRecord:
    """An account made straight through the repository, with the roles asked for."""
    async with SqlUnitOfWork(database) as uow:
        account = await uow.accounts.create(
            username, hash_password(password), display_name=display_name
        )
        for role in roles:
            await uow.people.grant(account.person_id, role)
        await uow.commit()
        found = await uow.accounts.by_person(account.person_id)
    assert found is not None
    return found


async def log_in(
    http: httpx.AsyncClient, username: str, password: str = PASSWORD, next_url: str = "/"
) -> httpx.Response:
    """Sign in through the login form; the client keeps the session cookie."""
    token = await csrf(http)
    return await http.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password, "next": next_url},
    )


async def post_form(
    http: httpx.AsyncClient, path: str, data: dict[str, Any], *, page: str = "/login"
) -> httpx.Response:
    """POST a form with the session's CSRF token (read from `page`)."""
    token = await csrf(http, page)
    return await http.post(path, data={"csrf_token": token, **data})


def make_chat_app(database: Database, clock: FixedClock | None = None) -> FastAPI:
    """The forum with its web chat, whose conversation service is built as `deseo web` builds
    it (the bundled flows; the orientation matched against the store's directory)."""
    return create_app(
        database,
        ForumConfig(secret_key=SECRET),
        services_for(database, clock=clock or FixedClock(START)),
    )


_FIELD = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden fields of a page's forms by name (the last form's value wins)."""
    return {name: html.unescape(value) for name, value in _FIELD.findall(page)}


async def signed_in(
    http: httpx.AsyncClient,
    database: Database,
    username: str,
    *,
    roles: Iterable[Role] = (),
) -> AccountRecord:
    """Make an account (with `roles`) and sign `http` in as it through the login form."""
    account = await create_account(database, username, roles=roles)
    response = await log_in(http, username)
    assert response.status_code == 303, response.text
    return account
