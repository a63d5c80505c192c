"""`deseo users ...` as an administrator runs it, through the `deseo` Typer app, on both
databases; what it does is checked in the store and through the web app."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from deseo.cli import app
from deseo.cli.common import CommandError, on_store
from flows.people.codes import digest
from flows.people.model import Role
from forum.security import verify_password
from storage import Database, SqlUnitOfWork
from storage.repositories.accounts import AccountRecord
from tests.deseo.cli_env import clean_cli_env
from tests.forum.helpers import client, log_in, make_app

PASSWORD = "a long enough password"
PUBLIC = "https://forum.example.org"


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    clean_cli_env(tmp_path, monkeypatch, database_url)
    monkeypatch.setenv("DESEO_PUBLIC_URL", PUBLIC + "/")
    return CliRunner()


def account(url: str, username: str) -> AccountRecord | None:
    async def read(database: Database) -> AccountRecord | None:
        async with SqlUnitOfWork(database) as uow:
            return await uow.accounts.by_username(username)

    return on_store(url, read)


def test_create_admin_asks_the_password_twice(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(app, ["users", "create-admin", "Boss"], input=f"{PASSWORD}\n" * 2)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "account Boss created as admin" in result.output
    found = account(database_url, "boss")
    assert found is not None and Role.ADMIN in found.roles
    assert verify_password(found.password_hash, PASSWORD)


def test_create_admin_from_stdin_and_mistakes(runner: CliRunner, database_url: str) -> None:
    made = runner.invoke(
        app, ["users", "create", "marta", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    found = account(database_url, "marta")
    assert found is not None and found.roles == {Role.MEMBER}

    promoted = runner.invoke(app, ["users", "create-admin", "MARTA"])
    assert promoted.exit_code == 0 and "it is now admin" in promoted.output
    found = account(database_url, "marta")
    assert found is not None and Role.ADMIN in found.roles

    for args, stdin, message in [
        (["users", "create", "marta", "--password-stdin"], PASSWORD, "is taken"),
        (["users", "create", "x y", "--password-stdin"], PASSWORD, "Spaces are not allowed"),
        (["users", "create", "newone", "--password-stdin"], "short", "at least 10"),
        (["users", "token", "nobody"], "", "no account is called 'nobody'"),
        (["users", "revoke", "marta", "member"], "", "everyone is a member"),
    ]:
        result = runner.invoke(app, args, input=stdin + "\n")
        assert isinstance(result.exception, CommandError), (args, result.output)
        assert message in str(result.exception), args


def test_reset_link_prints_the_public_url_and_works_once(
    runner: CliRunner, database_url: str
) -> None:
    runner.invoke(app, ["users", "create", "marta", "--password-stdin"], input=PASSWORD)
    result = runner.invoke(app, ["users", "reset-link", "marta"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith(f"{PUBLIC}/reset/") and "//reset" not in link
    path = link.removeprefix(PUBLIC)

    async def use(database: Database) -> tuple[int, int]:
        async with client(make_app(database)) as http:
            first = await http.get(path)
            token = first.text.split('name="csrf_token" value="')[1].split('"')[0]
            new = "another fine password"
            data = {"csrf_token": token, "password": new, "confirm": new}
            done = await http.post(path, data=data)
            again = await http.get(path)
            signed_in = await log_in(http, "marta", new)
        assert done.status_code == 303 and signed_in.status_code == 303
        return first.status_code, again.status_code

    assert on_store(database_url, use) == (200, 404)


def test_token_grant_revoke_list_disable_enable(runner: CliRunner, database_url: str) -> None:
    runner.invoke(app, ["users", "create", "marta", "--password-stdin"], input=PASSWORD)
    made = runner.invoke(app, ["users", "token", "marta", "--name", "laptop"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("deseo_") and len(secret) > 40

    async def tokens(database: Database) -> tuple[int | None, list[str]]:
        async with SqlUnitOfWork(database) as uow:
            found = await uow.accounts.by_username("marta")
            assert found is not None
            owner = await uow.accounts.person_for_token(digest(secret), now=found.created_at)
            names = [t.name for t in await uow.accounts.tokens(found.person_id)]
        return owner, names

    owner, names = on_store(database_url, tokens)
    found = account(database_url, "marta")
    assert found is not None and owner == found.person_id and names == ["laptop"]

    assert runner.invoke(app, ["users", "grant", "marta", "coordinator"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list"])
    assert "marta" in listed.output and "coordinator" in listed.output
    assert runner.invoke(app, ["users", "revoke", "marta", "coordinator"]).exit_code == 0
    found = account(database_url, "marta")
    assert found is not None and found.roles == {Role.MEMBER}

    bad_role = runner.invoke(app, ["users", "grant", "marta", "emperor"])
    assert bad_role.exit_code == 2

    assert "marta is disabled" in runner.invoke(app, ["users", "disable", "marta"]).output
    assert "[disabled]" in runner.invoke(app, ["users", "list", "MAR"]).output
    assert account(database_url, "marta").disabled  # type: ignore[union-attr]
    assert runner.invoke(app, ["users", "enable", "marta"]).exit_code == 0
    assert not account(database_url, "marta").disabled  # type: ignore[union-attr]
    assert "no accounts" not in runner.invoke(app, ["users", "list"]).output
