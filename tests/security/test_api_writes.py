"""API writes with a session cookie: a signed-in browser could be made to send a JSON POST
from another site's page (the cookie goes along for a same-site or top-level request), so the
API writes only with a bearer token, or with the session's CSRF token in a header. A bearer
token the store does not know is refused on reads as on writes."""

from __future__ import annotations

import httpx

from storage import Database
from tests.forum.helpers import client, csrf, make_app, signed_in
from tests.forum.test_api import bearer, board, token_for

NEW_THREAD = {"title": "Forged", "body": "Sent by another site"}


def _refused(response: httpx.Response) -> None:
    assert response.status_code in (401, 403), response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"]


async def test_a_cookie_alone_writes_nothing(database: Database) -> None:
    board_id = await board(database)
    async with client(make_app(database)) as http:
        await signed_in(http, database, "ana")
        made = await http.post(f"/api/boards/{board_id}/threads", json=NEW_THREAD)
        _refused(made)
        listed = (await http.get(f"/api/boards/{board_id}/threads")).json()
        assert listed["total"] == 0

        # A thread made properly, then a forged reply to it.
        token = await csrf(http, "/")
        thread = await http.post(
            f"/api/boards/{board_id}/threads",
            json={"title": "Real", "body": "Mine"},
            headers={"X-CSRF-Token": token},
        )
        assert thread.status_code == 201, thread.text
        reply = await http.post(f"/api/threads/{thread.json()['id']}/posts", json={"body": "x"})
        _refused(reply)
        wrong = await http.post(
            f"/api/threads/{thread.json()['id']}/posts",
            json={"body": "x"},
            headers={"X-CSRF-Token": token + "x"},
        )
        _refused(wrong)
        posts = (await http.get(f"/api/threads/{thread.json()['id']}")).json()["posts"]
        assert [p["body"] for p in posts] == ["Mine"]


async def test_a_bearer_token_still_writes_without_a_session(database: Database) -> None:
    board_id = await board(database)
    token = await token_for(database, "ben")
    async with client(make_app(database)) as http:
        made = await http.post(
            f"/api/boards/{board_id}/threads", json=NEW_THREAD, headers=bearer(token)
        )
    assert made.status_code == 201, made.text


async def test_an_unknown_bearer_token_is_refused_on_reads(database: Database) -> None:
    board_id = await board(database)
    async with client(make_app(database)) as http:
        for path in ("/api/boards", f"/api/boards/{board_id}/threads", "/api/threads/1"):
            response = await http.get(path, headers=bearer("dst_not-a-token"))
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["detail"]
        assert (await http.get("/api/boards")).status_code == 200
