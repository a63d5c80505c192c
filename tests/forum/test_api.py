"""The JSON API: reading boards, threads and posts; writing with a bearer token; refusals."""

from __future__ import annotations

from flows.people.model import Role
from forum.security import digest, new_token
from storage import Database, SqlUnitOfWork
from storage.models import Board
from tests.forum.discussion_support import tags
from tests.forum.helpers import START, client, create_account, make_app


async def board(database: Database, slug: str = "general", thread_role: str = "member") -> int:
    async with SqlUnitOfWork(database) as uow:
        row = Board(slug=slug, title=slug.title(), description="Talk", thread_role=thread_role)
        uow.session.add(row)
        await uow.commit()
        return row.id


async def token_for(database: Database, username: str, *roles: Role) -> str:
    account = await create_account(database, username, roles=roles)
    token = new_token("dst_")
    async with SqlUnitOfWork(database) as uow:
        await uow.accounts.add_token(account.person_id, "test", digest(token), now=START)
        await uow.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_starts_a_thread_and_replies(database: Database) -> None:
    board_id = await board(database)
    token = await token_for(database, "ana")
    async with client(make_app(database)) as http:
        made = await http.post(
            f"/api/boards/{board_id}/threads",
            json={"title": "Cork meeting", "body": "Who *comes*?"},
            headers=bearer(token),
        )
        assert made.status_code == 201, made.text
        thread = made.json()
        assert made.headers["location"] == thread["url"]
        assert thread["title"] == "Cork meeting" and thread["author"] == "ana"

        reply = await http.post(
            f"/api/threads/{thread['id']}/posts", json={"body": "I do."}, headers=bearer(token)
        )
        assert reply.status_code == 201

        read = await http.get(f"/api/threads/{thread['id']}")
        assert read.status_code == 200
        posts = read.json()["posts"]
        assert [p["body"] for p in posts] == ["Who *comes*?", "I do."]
        assert "<em>comes</em>" in posts[0]["html"]

        listed = (await http.get(f"/api/boards/{board_id}/threads")).json()
        assert listed["total"] == 1 and listed["threads"][0]["post_count"] == 2
        boards = (await http.get("/api/boards")).json()
        assert boards[0]["slug"] == "general" and boards[0]["posts"] == 2


async def test_writing_needs_a_valid_token(database: Database) -> None:
    board_id = await board(database)
    async with client(make_app(database)) as http:
        none = await http.post(f"/api/boards/{board_id}/threads", json={"title": "x", "body": "y"})
        wrong = await http.post(
            f"/api/boards/{board_id}/threads",
            json={"title": "x", "body": "y"},
            headers=bearer("dst_not-a-token"),
        )
        basic = await http.post(
            f"/api/boards/{board_id}/threads",
            json={"title": "x", "body": "y"},
            headers={"Authorization": "Basic YTpi"},
        )
    for response in (none, wrong, basic):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "detail" in response.json()


async def test_refusals_are_json_with_the_reason(database: Database) -> None:
    announcements = await board(database, "announcements", thread_role="coordinator")
    token = await token_for(database, "ben")
    async with client(make_app(database)) as http:
        forbidden = await http.post(
            f"/api/boards/{announcements}/threads",
            json={"title": "Hello", "body": "Hi"},
            headers=bearer(token),
        )
        missing = await http.post(
            "/api/threads/999/posts", json={"body": "Hi"}, headers=bearer(token)
        )
        empty = await http.post(
            f"/api/boards/{announcements}/threads",
            json={"title": "", "body": "Hi"},
            headers=bearer(token),
        )
        unknown = await http.get("/api/threads/12345")
    assert forbidden.status_code == 403 and "coordinator" in forbidden.json()["detail"]
    assert missing.status_code == 404
    assert empty.status_code == 422
    assert unknown.status_code == 404 and unknown.json() == {"detail": "There is no such thread."}


async def test_a_revoked_token_stops_working(database: Database) -> None:
    board_id = await board(database)
    token = await token_for(database, "cara")
    async with SqlUnitOfWork(database) as uow:
        account = await uow.accounts.by_username("cara")
        assert account is not None
        await uow.accounts.revoke_tokens(account.person_id, now=START)
        await uow.commit()
    async with client(make_app(database)) as http:
        response = await http.post(
            f"/api/boards/{board_id}/threads",
            json={"title": "x", "body": "y"},
            headers=bearer(token),
        )
    assert response.status_code == 401


async def test_hostile_markdown_comes_back_sanitised(database: Database) -> None:
    board_id = await board(database)
    token = await token_for(database, "dan")
    body = '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">'
    async with client(make_app(database)) as http:
        made = await http.post(
            f"/api/boards/{board_id}/threads",
            json={"title": "<b>hi</b>", "body": body},
            headers=bearer(token),
        )
        thread = made.json()
        posts = (await http.get(f"/api/threads/{thread['id']}")).json()["posts"]
    html = posts[0]["html"]
    # Raw HTML is off: the hostile parts survive only as escaped text, never as markup.
    found = tags(html)
    assert all(tag not in ("script", "img") for tag, _ in found)
    assert all(not name.startswith("on") for _, attrs in found for name in attrs)
    assert all(not (attrs.get("href") or "").lower().startswith("javascript") for _, attrs in found)
    assert posts[0]["body"] == body  # the source is kept as written


async def test_the_api_is_described_by_openapi(database: Database) -> None:
    async with client(make_app(database)) as http:
        schema = (await http.get("/openapi.json")).json()
    paths = schema["paths"]
    assert "post" in paths["/api/boards/{board_id}/threads"]
    assert "post" in paths["/api/threads/{thread_id}/posts"]
    assert "get" in paths["/api/boards"]
