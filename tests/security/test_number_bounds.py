"""Item 7: a number too large for the store's integer columns (2**31 on PostgreSQL, 2**63 on
SQLite) is refused before it reaches the database: a 422 from the API, a page saying what is
wrong from the forms and the thread page, never a server error."""

from __future__ import annotations

import pytest

from flows.people.model import Role
from storage import Database
from tests.forum.discussion_support import make_board, start
from tests.forum.helpers import client, create_account, csrf, make_app, signed_in
from tests.forum.test_api import bearer, token_for

HUGE = [2**31, 2**63, 10**30, -(2**63) - 1]


@pytest.mark.parametrize("number", HUGE)
async def test_the_api_refuses_a_huge_quoted_post(database: Database, number: int) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Question", "Tuesday?")
    token = await token_for(database, "ben")
    async with client(app) as http:
        response = await http.post(
            f"/api/threads/{thread.id}/posts",
            json={"body": "Yes.", "quote_post_id": number},
            headers=bearer(token),
        )
    assert response.status_code == 422, response.text
    assert any("quote_post_id" in e["loc"] for e in response.json()["detail"])


@pytest.mark.parametrize("number", HUGE)
async def test_the_reply_form_refuses_a_huge_quoted_post(database: Database, number: int) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Question", "Tuesday?")
    async with client(app) as http:
        await signed_in(http, database, "ben")
        response = await http.post(
            f"/threads/{thread.id}/reply",
            data={
                "csrf_token": await csrf(http, f"/threads/{thread.id}"),
                "body": "Yes.",
                "quote_post_id": str(number),
            },
        )
    assert response.status_code == 422, response.text
    assert "quote" in response.text.lower()
    assert "Yes." in response.text


@pytest.mark.parametrize("number", HUGE)
async def test_the_thread_page_refuses_a_huge_quote(database: Database, number: int) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Question", "Tuesday?")
    async with client(app) as http:
        await signed_in(http, database, "ben")
        response = await http.get(f"/threads/{thread.id}", params={"quote": str(number)})
    assert response.status_code == 422, response.text
    assert "quote" in response.text


@pytest.mark.parametrize("number", HUGE)
async def test_moving_a_thread_to_a_huge_board_id_is_refused(
    database: Database, number: int
) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Question", "Tuesday?")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        response = await http.post(
            f"/moderation/threads/{thread.id}/move",
            data={
                "csrf_token": await csrf(http, f"/threads/{thread.id}"),
                "board_id": str(number),
            },
        )
    assert 400 <= response.status_code < 500, response.text
