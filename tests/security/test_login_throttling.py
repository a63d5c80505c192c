"""Login throttling that password spraying and many addresses do not get round: failures are
counted per address across user names and per account across addresses, in the store (so
several web processes and a restart share the counts), and `X-Forwarded-For` is believed only
from the proxies the settings name."""

from __future__ import annotations

import httpx

from storage import Database
from tests.forum.helpers import client, create_account, csrf, log_in, make_app


async def _login(
    http: httpx.AsyncClient, username: str, password: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    token = await csrf(http)
    return await http.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password, "next": "/"},
        headers=headers or {},
    )


async def test_failures_spread_over_many_names_from_one_address_are_throttled(
    database: Database,
) -> None:
    await create_account(database, "victim")
    app = make_app(database)
    async with client(app, "10.1.1.1") as http:
        statuses = [(await _login(http, f"name{n}", "Winter2026!")).status_code for n in range(60)]
        assert 429 in statuses
        # Even the right password for a real account waits now, from that address.
        refused = await log_in(http, "victim")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    async with client(app, "10.2.2.2") as other:
        assert (await log_in(other, "victim")).status_code == 303


async def test_failures_on_one_account_from_many_addresses_are_throttled(
    database: Database,
) -> None:
    await create_account(database, "victim")
    app = make_app(database)
    statuses = []
    for n in range(60):
        async with client(app, f"10.3.{n // 200}.{n % 200 + 1}") as http:
            statuses.append((await _login(http, "victim", f"guess {n} guess")).status_code)
    assert 429 in statuses
    async with client(app, "10.4.4.4") as fresh:
        assert (await _login(fresh, "victim", "one more guess")).status_code == 429


async def test_a_new_app_on_the_same_store_still_throttles(database: Database) -> None:
    await create_account(database, "marta")
    async with client(make_app(database)) as http:
        for _ in range(10):
            assert (await log_in(http, "marta", "wrong password!")).status_code == 400
    # A restart, or another web process: the counts are in the store.
    async with client(make_app(database)) as http:
        assert (await log_in(http, "marta", "wrong password!")).status_code == 429


async def test_x_forwarded_for_from_an_untrusted_client_is_ignored(database: Database) -> None:
    await create_account(database, "marta")
    app = make_app(database)
    async with client(app, "127.0.0.1") as http:
        for n in range(10):
            forged = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
            assert (await _login(http, "marta", "wrong password!", forged)).status_code == 400
        forged = {"X-Forwarded-For": "198.51.100.99"}
        assert (await _login(http, "marta", "wrong password!", forged)).status_code == 429


async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(database: Database) -> None:
    await create_account(database, "marta")
    app = make_app(database, trusted_proxies=("127.0.0.1",))
    async with client(app, "127.0.0.1") as proxy:
        behind = {"X-Forwarded-For": "203.0.113.5"}
        for _ in range(10):
            assert (await _login(proxy, "marta", "wrong password!", behind)).status_code == 400
        assert (await _login(proxy, "marta", "wrong password!", behind)).status_code == 429
        # Another client behind the same proxy is counted apart.
        other = {"X-Forwarded-For": "203.0.113.6"}
        assert (await log_in_via(proxy, other)).status_code == 303


async def log_in_via(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    from tests.forum.helpers import PASSWORD

    return await _login(http, "marta", PASSWORD, headers)


def test_the_web_server_does_not_trust_forwarded_headers_itself() -> None:
    """uvicorn would rewrite the client address from `X-Forwarded-For` for any local client;
    the forum decides instead, from `DESEO_TRUSTED_PROXIES`."""
    from deseo.runtime import uvicorn_options

    assert uvicorn_options()["proxy_headers"] is False
