"""Accounts on the web: registering, signing in and out, the account page, passwords, reset
links, linking a chat, and the admins' page of roles, through an in-process client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.people.codes import RESET, RESET_LIFETIME, LinkCodes, digest, new_token
from flows.people.model import Role
from forum.security import needs_rehash
from storage import Database, SqlUnitOfWork, unit_of_work_factory
from tests.forum.helpers import (
    PASSWORD,
    START,
    client,
    create_account,
    csrf,
    log_in,
    make_app,
    post_form,
)

NEW_PASSWORD = "a brand new passphrase"


def register_data(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "username": "Giulia",
        "display_name": "Giulia Rossi",
        "password": PASSWORD,
        "confirm": PASSWORD,
    } | changes


async def test_register_sign_in_account_page_and_sign_out(database: Database) -> None:
    async with client(make_app(database)) as http:
        token = await csrf(http, "/register")
        registered = await http.post("/register", data=register_data(token))
        assert registered.status_code == 303 and registered.headers["location"] == "/account"

        page = await http.get("/account")
        assert page.status_code == 200
        assert "<h1>Your account</h1>" in page.text
        assert "Giulia Rossi" in page.text and "member" in page.text
        assert "your account is ready" in page.text

        out = await post_form(http, "/logout", {}, page="/account")
        assert out.status_code == 303 and out.headers["location"] == "/"
        gone = await http.get("/account")
        assert gone.status_code == 303 and gone.headers["location"] == "/login?next=/account"

        signed_in = await log_in(http, "giulia", next_url="/account")
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/account"
        assert (await http.get("/account")).status_code == 200
    async with SqlUnitOfWork(database) as uow:
        account = await uow.accounts.by_username("GIULIA")
        assert account is not None and account.roles == frozenset({Role.MEMBER})
        assert account.last_login_at == START


async def test_the_first_account_is_not_made_admin(database: Database) -> None:
    async with client(make_app(database)) as http:
        await http.post("/register", data=register_data(await csrf(http, "/register")))
    async with SqlUnitOfWork(database) as uow:
        account = await uow.accounts.by_username("giulia")
    assert account is not None and Role.ADMIN not in account.roles


async def test_a_wrong_form_comes_back_with_its_values_and_a_message_per_field(
    database: Database,
) -> None:
    async with client(make_app(database)) as http:
        token = await csrf(http, "/register")
        response = await http.post(
            "/register",
            data=register_data(token, username="no spaces", password="short", confirm="x"),
        )
    assert response.status_code == 400
    text = response.text
    assert 'value="no spaces"' in text and 'value="Giulia Rossi"' in text
    assert 'value="short"' not in text and 'value="x"' not in text
    assert 'id="username-error"' in text and "Spaces are not allowed" in text
    assert 'aria-describedby="username-hint username-error"' in text
    assert 'id="password-error"' in text and "at least 10 characters" in text


@pytest.mark.parametrize(
    "name", ["ab", " giulia", "giu\u200blia", "раураl", "a" * 41, "giulia@home"]
)
async def test_user_names_that_are_refused(database: Database, name: str) -> None:
    async with client(make_app(database)) as http:
        token = await csrf(http, "/register")
        response = await http.post("/register", data=register_data(token, username=name))
    assert response.status_code == 400
    assert 'id="username-error"' in response.text


async def test_a_user_name_is_taken_whatever_its_case(database: Database) -> None:
    await create_account(database, "Marta")
    async with client(make_app(database)) as http:
        token = await csrf(http, "/register")
        response = await http.post("/register", data=register_data(token, username="mARTA"))
    assert response.status_code == 400
    assert "That user name is taken" in response.text


async def test_a_wrong_password_and_an_unknown_name_read_the_same(database: Database) -> None:
    await create_account(database, "marta")
    async with client(make_app(database)) as http:
        wrong = await log_in(http, "marta", "not the password")
        unknown = await log_in(http, "nobody", PASSWORD)
        assert (await http.get("/account")).status_code == 303
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "The user name or password is wrong." in response.text


async def test_a_disabled_account_cannot_sign_in(database: Database) -> None:
    account = await create_account(database, "marta")
    async with SqlUnitOfWork(database) as uow:
        await uow.accounts.set_disabled(account.person_id, START)
        await uow.commit()
    async with client(make_app(database)) as http:
        response = await log_in(http, "marta")
        assert response.status_code == 400 and "disabled" in response.text
        assert (await http.get("/account")).status_code == 303


async def test_forms_without_the_csrf_token_are_refused(database: Database) -> None:
    await create_account(database, "marta")
    async with client(make_app(database)) as http:
        no_token = await http.post("/login", data={"username": "marta", "password": PASSWORD})
        assert no_token.status_code == 403
        wrong = await http.post("/register", data=register_data("forged") | {"username": "someone"})
        assert wrong.status_code == 403
        await log_in(http, "marta")
        for path in ("/logout", "/account/password", "/account/link"):
            assert (await http.post(path, data={})).status_code == 403, path
        assert (await http.get("/account")).status_code == 200


@pytest.mark.parametrize(
    "target", ["//evil.com", "https://evil.com/", "/\\evil.com", "evil.com", "/\t/evil.com"]
)
async def test_next_never_leaves_the_site(database: Database, target: str) -> None:
    await create_account(database, "marta")
    async with client(make_app(database)) as http:
        form = await http.get("/login", params={"next": target})
        assert 'name="next" value="/"' in form.text
        response = await log_in(http, "marta", next_url=target)
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_next_leads_back_to_a_local_page(database: Database) -> None:
    await create_account(database, "marta")
    async with client(make_app(database)) as http:
        response = await log_in(http, "marta", next_url="/account?tab=1")
    assert response.headers["location"] == "/account?tab=1"


async def test_too_many_logins_are_refused_with_retry_after(database: Database) -> None:
    await create_account(database, "marta")
    app = make_app(database)
    async with client(app) as http:
        for _ in range(10):
            assert (await log_in(http, "marta", "wrong password!")).status_code == 400
        refused = await log_in(http, "marta")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
    # Another address is counted apart.
    async with client(app, "10.0.0.2") as other:
        assert (await log_in(other, "marta")).status_code == 303


async def test_too_many_registrations_from_one_address(database: Database) -> None:
    async with client(make_app(database)) as http:
        for number in range(5):
            token = await csrf(http, "/register")
            data = register_data(token, username=f"user{number}")
            assert (await http.post("/register", data=data)).status_code == 303
            await post_form(http, "/logout", {}, page="/account")
        token = await csrf(http, "/register")
        refused = await http.post("/register", data=register_data(token, username="user9"))
    assert refused.status_code == 429 and "Retry-After" in refused.headers


async def reset_code(database: Database, person_id: int) -> str:
    """A reset code as `deseo users reset-link` makes one."""
    code = new_token()
    async with SqlUnitOfWork(database) as uow:
        await uow.accounts.issue_code(
            RESET, person_id, digest(code), now=START, expires_at=START + RESET_LIFETIME
        )
        await uow.commit()
    return code


async def test_a_reset_link_sets_a_new_password_once(database: Database) -> None:
    account = await create_account(database, "marta")
    code = await reset_code(database, account.person_id)
    async with client(make_app(database)) as http:
        page = await http.get(f"/reset/{code}")
        assert page.status_code == 200 and "marta" in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
        data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        done = await post_form(http, f"/reset/{code}", data, page=f"/reset/{code}")
        assert done.status_code == 303 and done.headers["location"] == "/login"
        again = await post_form(http, f"/reset/{code}", data)
        assert again.status_code == 404 and "does not work" in again.text
        assert (await http.get(f"/reset/{code}")).status_code == 404
        assert (await log_in(http, "marta")).status_code == 400
        assert (await log_in(http, "marta", NEW_PASSWORD)).status_code == 303


async def test_a_reset_link_expires_after_a_day(database: Database) -> None:
    account = await create_account(database, "marta")
    code = await reset_code(database, account.person_id)
    clock = FixedClock(START)
    async with client(make_app(database, clock)) as http:
        clock.advance(RESET_LIFETIME - timedelta(minutes=1))
        assert (await http.get(f"/reset/{code}")).status_code == 200
        clock.advance(timedelta(minutes=2))
        assert (await http.get(f"/reset/{code}")).status_code == 404
        data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert (await post_form(http, f"/reset/{code}", data)).status_code == 404


async def test_a_reset_with_a_weak_password_keeps_the_link(database: Database) -> None:
    account = await create_account(database, "marta")
    code = await reset_code(database, account.person_id)
    async with client(make_app(database)) as http:
        weak = await post_form(http, f"/reset/{code}", {"password": "x", "confirm": "x"})
        assert weak.status_code == 400 and 'id="password-error"' in weak.text
        assert (await http.get(f"/reset/{code}")).status_code == 200


async def test_a_new_password_ends_the_other_sessions(database: Database) -> None:
    await create_account(database, "marta")
    app = make_app(database)
    async with client(app) as here, client(app) as elsewhere:
        await log_in(here, "marta")
        await log_in(elsewhere, "marta")
        wrong = await post_form(
            here,
            "/account/password",
            {"current": "not it", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            page="/account",
        )
        assert wrong.status_code == 400 and "not your current password" in wrong.text
        changed = await post_form(
            here,
            "/account/password",
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            page="/account",
        )
        assert changed.status_code == 303
        still = await here.get("/account")
        assert still.status_code == 200 and "signed out everywhere else" in still.text
        assert (await elsewhere.get("/account")).status_code == 303
        assert (await log_in(elsewhere, "marta", NEW_PASSWORD)).status_code == 303


async def test_the_people_page_is_for_admins(database: Database) -> None:
    await create_account(database, "member1")
    admin = await create_account(database, "boss", roles=[Role.ADMIN])
    app = make_app(database)
    async with client(app) as anonymous:
        response = await anonymous.get("/admin/people")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/admin/people"
    async with client(app) as member:
        await log_in(member, "member1")
        assert (await member.get("/admin/people")).status_code == 403
        forged = await post_form(
            member, f"/admin/people/{admin.person_id}/roles", {"role": []}, page="/account"
        )
        assert forged.status_code == 403
    async with client(app) as boss:
        await log_in(boss, "boss")
        page = await boss.get("/admin/people", params={"q": "MEMB"})
        assert page.status_code == 200
        assert "member1" in page.text and "Save the roles of boss" not in page.text
        assert 'role="search"' in page.text


async def test_an_admin_grants_and_takes_roles(database: Database) -> None:
    member = await create_account(database, "member1")
    admin = await create_account(database, "boss", roles=[Role.ADMIN])
    async with client(make_app(database)) as boss:
        await log_in(boss, "boss")
        granted = await post_form(
            boss,
            f"/admin/people/{member.person_id}/roles",
            {"role": ["coordinator", "moderator"], "q": "mem"},
            page="/admin/people",
        )
        assert granted.status_code == 303
        assert granted.headers["location"] == "/admin/people?q=mem"
        assert "Roles of member1 saved." in (await boss.get("/admin/people")).text
        # Unticking everything on one's own row leaves one's own admin role alone.
        await post_form(boss, f"/admin/people/{admin.person_id}/roles", {}, page="/admin/people")
        missing = await post_form(boss, "/admin/people/999999/roles", {}, page="/admin/people")
        assert missing.status_code == 404
    async with SqlUnitOfWork(database) as uow:
        changed = await uow.accounts.by_person(member.person_id)
        still = await uow.accounts.by_person(admin.person_id)
    assert changed is not None
    assert changed.roles == {Role.MEMBER, Role.COORDINATOR, Role.MODERATOR}
    assert still is not None and Role.ADMIN in still.roles
    async with client(make_app(database)) as boss:
        await log_in(boss, "boss")
        await post_form(
            boss,
            f"/admin/people/{member.person_id}/roles",
            {"role": "moderator"},
            page="/admin/people",
        )
    async with SqlUnitOfWork(database) as uow:
        changed = await uow.accounts.by_person(member.person_id)
    assert changed is not None and changed.roles == {Role.MEMBER, Role.MODERATOR}


async def test_a_code_from_the_bot_joins_the_chat_to_the_account(database: Database) -> None:
    account = await create_account(database, "giulia")
    async with SqlUnitOfWork(database) as uow:
        chat_person = await uow.people.identify(TELEGRAM, "4242", display_name="G")
        await uow.people.grant(chat_person.id, Role.PARTNER)
        await uow.commit()
    clock = FixedClock(START)
    code = await LinkCodes(unit_of_work_factory(database), clock).issue(TELEGRAM, "4242", "G")
    async with client(make_app(database, clock)) as http:
        await log_in(http, "giulia")
        typed = f"{code[:4].lower()} {code[4:]}"
        linked = await post_form(http, "/account/link", {"code": typed}, page="/account")
        assert linked.status_code == 303
        page = await http.get("/account")
        assert "Linked: your Telegram account" in page.text
        assert "Telegram (user 4242)" in page.text and "partner" in page.text
        again = await post_form(http, "/account/link", {"code": code}, page="/account")
        assert again.status_code == 400 and "unknown, used or expired" in again.text
        junk = await post_form(http, "/account/link", {"code": "hello"}, page="/account")
        assert junk.status_code == 400 and 'id="code-error"' in junk.text
    async with SqlUnitOfWork(database) as uow:
        same = await uow.people.identify(TELEGRAM, "4242", display_name="G")
        assert same.id == account.person_id
        assert await uow.people.get(chat_person.id) is None


async def test_a_link_code_expires_after_fifteen_minutes(database: Database) -> None:
    await create_account(database, "giulia")
    clock = FixedClock(START)
    code = await LinkCodes(unit_of_work_factory(database), clock).issue(DISCORD, "77", "G")
    clock.advance(timedelta(minutes=16))
    async with client(make_app(database, clock)) as http:
        await log_in(http, "giulia")
        late = await post_form(http, "/account/link", {"code": code}, page="/account")
    assert late.status_code == 400 and "unknown, used or expired" in late.text


async def test_a_chat_of_another_web_account_is_not_taken(database: Database) -> None:
    await create_account(database, "giulia")
    other = await create_account(database, "marta")
    async with SqlUnitOfWork(database) as uow:
        await uow.people.identify(TELEGRAM, "1", display_name="M")
        await uow.commit()
    clock = FixedClock(START)
    links = LinkCodes(unit_of_work_factory(database), clock)
    async with client(make_app(database, clock)) as http:
        await log_in(http, "marta")
        code = await links.issue(TELEGRAM, "1", "M")
        await post_form(http, "/account/link", {"code": code}, page="/account")
        await post_form(http, "/logout", {}, page="/account")
        await log_in(http, "giulia")
        # Marta's chat asks for a new code, which somebody else types in.
        code = await links.issue(TELEGRAM, "1", "M")
        taken = await post_form(http, "/account/link", {"code": code}, page="/account")
    assert taken.status_code == 400 and "another web account" in taken.text
    async with SqlUnitOfWork(database) as uow:
        owner = await uow.people.identify(TELEGRAM, "1", display_name="M")
    assert owner.id == other.person_id


async def test_tokens_are_listed_and_revoked_by_their_owner(database: Database) -> None:
    account = await create_account(database, "marta")
    async with SqlUnitOfWork(database) as uow:
        token_id = await uow.accounts.add_token(
            account.person_id, "laptop", digest("secret"), now=START
        )
        await uow.commit()
    async with client(make_app(database)) as http:
        await log_in(http, "marta")
        page = await http.get("/account")
        assert "laptop" in page.text and "Revoke laptop" in page.text
        revoked = await post_form(http, f"/account/tokens/{token_id}/revoke", {}, page="/account")
        assert revoked.status_code == 303
        assert "The token is revoked." in (await http.get("/account")).text
    async with SqlUnitOfWork(database) as uow:
        assert await uow.accounts.person_for_token(digest("secret"), now=START) is None


async def test_signing_in_rehashes_a_weak_hash(database: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    async with SqlUnitOfWork(database) as uow:
        account = await uow.accounts.create("marta", weak)
        await uow.commit()
    async with client(make_app(database)) as http:
        assert (await log_in(http, "marta")).status_code == 303
        assert (await http.get("/account")).status_code == 200
    async with SqlUnitOfWork(database) as uow:
        found = await uow.accounts.by_person(account.person_id)
    assert found is not None and found.password_hash != weak
    assert not needs_rehash(found.password_hash)
    # The same password, so sessions stay valid.
    assert found.session_epoch == account.session_epoch


async def test_an_account_read_for_a_session_is_reused_until_a_change_goes_through(
    database: Database,
) -> None:
    await create_account(database, "ines")
    app = make_app(database)
    async with client(app) as http:
        await log_in(http, "ines")
        assert (await http.get("/moderation")).status_code == 403
        # Another process (the CLI) makes her a moderator: this one keeps what it read for a
        # few seconds...
        async with SqlUnitOfWork(database) as uow:
            account = await uow.accounts.by_username("ines")
            assert account is not None
            await uow.people.grant(account.person_id, Role.MODERATOR)
            await uow.commit()
        assert (await http.get("/moderation")).status_code == 403
        # ...until any change goes through this process, after which all read afresh.
        await http.post("/logout", data={"csrf_token": "wrong"})
        assert (await http.get("/moderation")).status_code == 200
