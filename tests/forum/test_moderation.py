"""The moderators' queue and actions: flags in and out of the queue, first posts approved,
posts hidden, deleted and restored, threads locked, pinned and moved; each action returns to
where the moderator was, and nobody else may take it."""

from __future__ import annotations

import re

from sqlalchemy import select

from flows.people.model import Role
from storage import Database, SqlUnitOfWork
from storage.models import SearchDocument
from tests.forum.discussion_support import (
    make_board,
    opening_post,
    reply,
    service,
    start,
    viewer,
)
from tests.forum.helpers import client, create_account, log_in, make_app, post_form, signed_in


async def searchable(database: Database) -> set[int]:
    async with database.sessions() as session:
        return set(await session.scalars(select(SearchDocument.post_id)))


async def test_the_queue_is_for_moderators(database: Database) -> None:
    app = make_app(database)
    async with client(app) as http:
        anonymous = await http.get("/moderation")
        await signed_in(http, database, "ben")
        member = await http.get("/moderation")
        member_post = await post_form(http, "/moderation/posts/1/hide", {}, page="/")
        member_thread = await post_form(http, "/moderation/threads/1/lock", {}, page="/")
        member_flags = await post_form(http, "/moderation/flags/1/resolve", {}, page="/")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        moderator = await http.get("/moderation")
        no_csrf = await http.post("/moderation/posts/1/hide", data={})
        unknown_action = await post_form(http, "/moderation/posts/1/explode", {}, page="/")
        missing = await post_form(http, "/moderation/posts/9999/hide", {}, page="/")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == (
        "/login?next=/moderation"
    )
    assert member.status_code == 403
    assert {r.status_code for r in (member_post, member_thread, member_flags)} == {403}
    assert moderator.status_code == 200 and "<h1>Moderation</h1>" in moderator.text
    assert "No open flags." in moderator.text
    assert no_csrf.status_code == 403
    assert unknown_action.status_code == 422 and missing.status_code == 404


async def test_a_flag_reaches_the_queue_and_dismissing_it_clears_it(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    ben = await create_account(database, "ben")
    thread = await start(app, ana, board, "Watches", "buy cheap watches")
    first = await opening_post(app, thread.id)
    await service(app).flag(viewer(ben), first.id, "spam, clearly")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        queue = await http.get("/moderation")
        dismissed = await post_form(
            http,
            f"/moderation/flags/{first.id}/resolve",
            {"next": "/moderation"},
            page="/moderation",
        )
        after = await http.get("/moderation")
        post_page = await http.get(f"/threads/{thread.id}")
    assert "Flagged posts (1)" in queue.text
    assert "spam, clearly" in queue.text and "buy cheap watches" in queue.text
    assert dismissed.status_code == 303 and dismissed.headers["location"] == "/moderation"
    assert "1 flag(s) dismissed" in after.text and "No open flags." in after.text
    assert "buy cheap watches" in post_page.text


async def test_hiding_a_flagged_post_takes_it_from_readers_and_the_queue(
    database: Database,
) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    ben = await create_account(database, "ben")
    thread = await start(app, ana, board, "Topic", "hello")
    rude = await reply(app, ben, thread.id, "something rude")
    await service(app).flag(viewer(ana), rude.id, "rude")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        hidden = await post_form(
            http,
            f"/moderation/posts/{rude.id}/hide",
            {"next": "/moderation", "note": "insulting"},
            page="/moderation",
        )
        queue = await http.get("/moderation")
        as_moderator = await http.get(f"/threads/{thread.id}")
    async with client(app) as http:
        as_reader = await http.get(f"/threads/{thread.id}")
    assert hidden.status_code == 303 and hidden.headers["location"] == "/moderation"
    assert "The post is hidden." in queue.text and "No open flags." in queue.text
    assert "something rude" in as_moderator.text and "Hidden by a moderator" in as_moderator.text
    assert "insulting" in as_moderator.text
    assert "something rude" not in as_reader.text and "1 post" in as_reader.text
    assert rude.id not in await searchable(database)

    async with client(app) as http:
        await signed_in(http, database, "mod2", roles=[Role.MODERATOR])
        back = f"/threads/{thread.id}#post-{rude.id}"
        restored = await post_form(
            http, f"/moderation/posts/{rude.id}/restore", {"next": back}, page="/"
        )
        again = await post_form(
            http, f"/moderation/posts/{rude.id}/restore", {"next": back}, page="/"
        )
    async with client(app) as http:
        as_reader = await http.get(f"/threads/{thread.id}")
    assert restored.status_code == 303 and restored.headers["location"] == back
    assert again.status_code == 422
    assert "something rude" in as_reader.text and rude.id in await searchable(database)


async def test_a_first_post_is_held_then_visible_after_approval(database: Database) -> None:
    app = make_app(database)
    await make_board(database, "welcome", approve_first_posts=True)
    async with client(app) as http:
        await signed_in(http, database, "newbie")
        started = await post_form(
            http, "/boards/welcome/new", {"title": "Hello from Cork", "body": "first!"}, page="/"
        )
    thread_path = started.headers["location"]
    async with client(app) as http:
        before = await http.get(thread_path)
        listed_before = await http.get("/boards/welcome")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        queue = await http.get("/moderation")
        found = re.search(r'action="/moderation/posts/(\d+)/approve"', queue.text)
        assert found is not None
        approved = await post_form(
            http,
            f"/moderation/posts/{found.group(1)}/approve",
            {"next": "/moderation"},
            page="/moderation",
        )
        after_queue = await http.get("/moderation")
    async with client(app) as http:
        after = await http.get(thread_path)
        listed_after = await http.get("/boards/welcome")
    assert before.status_code == 404 and "Hello from Cork" not in listed_before.text
    assert "Waiting for approval (1)" in queue.text and "opening a new thread" in queue.text
    assert approved.status_code == 303
    assert "Nothing is waiting for approval." in after_queue.text
    assert after.status_code == 200 and "first!" in after.text
    assert "Hello from Cork" in listed_after.text
    assert int(found.group(1)) in await searchable(database)

    # Once one post is visible, the member's next posts need no approval.
    async with client(app) as http:
        await log_in(http, "newbie")
        second = await post_form(
            http, "/boards/welcome/new", {"title": "Second", "body": "straight in"}, page="/"
        )
    async with client(app) as http:
        assert (await http.get(second.headers["location"])).status_code == 200


async def test_deleting_the_first_post_hides_the_thread(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Spam thread", "spam")
    opening = await opening_post(app, thread.id)
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        deleted = await post_form(
            http, f"/moderation/posts/{opening.id}/delete", {"next": "/"}, page="/"
        )
        moderator_view = await http.get(f"/threads/{thread.id}")
    async with client(app) as http:
        reader = await http.get(f"/threads/{thread.id}")
        board_page = await http.get("/boards/general")
    assert deleted.status_code == 303 and deleted.headers["location"] == "/"
    assert moderator_view.status_code == 200 and "Deleted by a moderator" in moderator_view.text
    assert reader.status_code == 404 and "Spam thread" not in board_page.text
    assert await searchable(database) == set()


async def test_lock_pin_and_move_return_to_where_the_moderator_was(database: Database) -> None:
    app = make_app(database)
    general = await make_board(database, "general")
    events = await make_board(database, "meetings", "Meetings")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, general, "Partners meeting in May", "agenda")
    here = f"/threads/{thread.id}"
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        page = await http.get(here)
        answers = [
            await post_form(http, f"/moderation/threads/{thread.id}/{action}", {"next": here})
            for action in ("lock", "pin", "unlock", "unpin")
        ]
        moved = await post_form(
            http,
            f"/moderation/threads/{thread.id}/move",
            {"board_id": str(events.id), "next": here},
        )
        after = await http.get(here)
        bad_board = await post_form(
            http, f"/moderation/threads/{thread.id}/move", {"board_id": "9999"}
        )
        elsewhere = await post_form(
            http, f"/moderation/threads/{thread.id}/lock", {"next": "//evil.example/x"}
        )
    assert '<label for="move-board">Move to board</label>' in page.text
    assert [a.status_code for a in answers] == [303] * 4
    assert {a.headers["location"] for a in answers} == {here}
    assert moved.status_code == 303 and "The thread is now on Meetings." in after.text
    assert 'href="/boards/meetings">Meetings</a>' in after.text
    assert bad_board.status_code == 422
    assert elsewhere.headers["location"] == here
    async with SqlUnitOfWork(database) as work:
        found = await work.forum.thread(thread.id)
    assert found is not None and found.locked and not found.pinned
    assert found.board_id == events.id
