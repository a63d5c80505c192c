"""Schemathesis against `/openapi.json`: requests generated from the schema, valid and not,
never make the app answer with a server error or with a body its schema does not describe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum import ForumConfig, create_app
from forum.security import digest
from storage import Database, SqlUnitOfWork, migrate
from storage.models import Board
from tests.forum.helpers import PASSWORD, START
from tests.services import services_for

TOKEN = "dst_schemathesis-token"


async def _seed(url: str) -> None:
    from forum.security import hash_password

    database = Database.from_url(url)
    try:
        async with SqlUnitOfWork(database) as uow:
            account = await uow.accounts.create("fuzzer", hash_password(PASSWORD))
            await uow.accounts.add_token(account.person_id, "fuzz", digest(TOKEN), now=START)
            uow.session.add(Board(slug="general", title="General", description="Talk"))
            await uow.commit()
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite+aiosqlite:///{folder / 'api.db'}"
    migrate.upgrade(url)
    asyncio.run(_seed(url))
    yield url


@pytest.fixture(scope="module")
def api_schema(app_url: str) -> schemathesis.schemas.BaseSchema:
    # The app owns its engine, so it lives on the event loop schemathesis runs the app on.
    app_database = Database.from_url(app_url)
    app = create_app(
        app_database, ForumConfig(secret_key="fuzz"), services_for(app_database), own_database=True
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_api_keeps_its_promises(api_schema: schemathesis.schemas.BaseSchema) -> None:
    # Hypothesis drives schemathesis' strategy directly: its pytest plugin does not run under
    # this pytest, and one strategy over every operation is all this test needs.
    @given(case=api_schema.as_strategy())
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {TOKEN}"},
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )

    call()
