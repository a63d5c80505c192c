"""Sessions end on the server: a cookie copied before logging out is refused after it, "Sign
out everywhere" ends every other browser's session, and a session left unused ends by itself.
A signed cookie alone cannot do any of this: it stays valid until it expires."""

from __future__ import annotations

from datetime import timedelta

import httpx

from flows.clock import FixedClock
from storage import Database
from tests.forum.helpers import START, client, log_in, make_app, post_form, signed_in

IDLE = timedelta(days=7)  # the default of DESEO_SESSION_IDLE_MINUTES


def _copy(cookies: httpx.Cookies) -> httpx.Cookies:
    copied = httpx.Cookies()
    for cookie in cookies.jar:
        copied.set(cookie.name, cookie.value or "", domain=cookie.domain, path=cookie.path)
    return copied


async def _signed_in(http: httpx.AsyncClient) -> bool:
    response = await http.get("/account")
    return response.status_code == 200


async def test_a_cookie_copied_before_logout_is_refused_after_it(database: Database) -> None:
    app = make_app(database)
    async with client(app) as http:
        await signed_in(http, database, "ana")
        stolen = _copy(http.cookies)
        out = await post_form(http, "/logout", {}, page="/account")
        assert out.status_code == 303
    async with client(app, "10.9.9.9") as thief:
        thief.cookies = stolen
        assert not await _signed_in(thief)


async def test_sign_out_everywhere_ends_another_browsers_session(database: Database) -> None:
    app = make_app(database)
    async with client(app) as laptop, client(app, "10.0.0.7") as phone:
        await signed_in(laptop, database, "ana")
        assert (await log_in(phone, "ana")).status_code == 303
        assert await _signed_in(phone)
        page = (await laptop.get("/account")).text
        assert 'action="/account/sessions/end"' in page and "Sign out everywhere" in page
        out = await post_form(laptop, "/account/sessions/end", {}, page="/account")
        assert out.status_code == 303
        assert not await _signed_in(phone)
        assert not await _signed_in(laptop)
        # Signing in again works as before.
        assert (await log_in(phone, "ana")).status_code == 303
        assert await _signed_in(phone)


async def test_sign_out_everywhere_needs_the_csrf_token(database: Database) -> None:
    app = make_app(database)
    async with client(app) as laptop, client(app, "10.0.0.7") as phone:
        await signed_in(laptop, database, "ana")
        assert (await log_in(phone, "ana")).status_code == 303
        forged = await laptop.post("/account/sessions/end", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert await _signed_in(phone)


async def test_an_idle_session_ends_after_the_idle_time(database: Database) -> None:
    clock = FixedClock(START)
    app = make_app(database, clock=clock)
    async with client(app) as http:
        await signed_in(http, database, "ana")
        clock.advance(IDLE - timedelta(minutes=1))
        assert await _signed_in(http)
        # Used a moment ago: the idle time counts from there.
        clock.advance(IDLE - timedelta(minutes=1))
        assert await _signed_in(http)
        clock.advance(IDLE + timedelta(minutes=1))
        assert not await _signed_in(http)


async def test_the_idle_time_is_a_setting(database: Database) -> None:
    clock = FixedClock(START)
    app = make_app(database, clock=clock, session_idle_minutes=30)
    async with client(app) as http:
        await signed_in(http, database, "ana")
        clock.advance(timedelta(minutes=29))
        assert await _signed_in(http)
        clock.advance(timedelta(minutes=31))
        assert not await _signed_in(http)
