"""The front page's boards, a board's threads page by page, and starting a thread, including
every refusal: not signed in, the wrong role, no CSRF token, too many posts, a bad form."""

from __future__ import annotations

from datetime import timedelta

from flows.clock import FixedClock
from flows.people.model import Role
from storage import Database
from tests.forum.discussion_support import head, limit, links, make_board, start
from tests.forum.helpers import START, client, create_account, make_app, post_form, signed_in


async def test_front_page_lists_boards_in_order_with_activity(database: Database) -> None:
    app = make_app(database)
    news = await make_board(database, "news", "Announcements", description="From coordinators")
    general = await make_board(database, "general", "General discussion", position=-1)
    author = await create_account(database, "ana")
    await start(app, author, news, "Meeting in Cork", "See you there")
    async with client(app) as http:
        page = (await http.get("/")).text
    assert "<h1>deseo</h1>" in page
    assert page.index(general.title) < page.index(news.title)
    assert "From coordinators" in page
    assert "1 thread," in page and "Meeting in Cork" in page
    assert "/docs" in page and "/healthz" in page
    assert "/moderation" not in page


async def test_moderators_see_the_queue_from_the_front_page(database: Database) -> None:
    app = make_app(database)
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        page = (await http.get("/")).text
    assert 'href="/moderation"' in page and "0 flagged" in page


async def test_a_board_pages_its_threads_with_rel_next_and_prev(database: Database) -> None:
    clock = FixedClock(START)
    app = make_app(database, clock)
    board = await make_board(database, "general", description="Anything at all")
    author = await create_account(database, "ana")
    for n in range(30):
        clock.advance(timedelta(minutes=1))
        await start(app, author, board, f"Thread {n:02}", "body")
    async with client(app) as http:
        first = await http.get("/boards/general")
        second = await http.get("/boards/general?page=2")
        beyond = await http.get("/boards/general?page=3")
        zero = await http.get("/boards/general?page=0")
        missing = await http.get("/boards/nowhere")
    assert first.status_code == 200
    assert links(head(first.text), "next") == ["/boards/general?page=2"]
    assert links(head(first.text), "prev") == []
    assert "/boards/general?page=2" in links(first.text, "next")
    assert "Page 1 of 2" in first.text and "Anything at all" in first.text
    # The latest activity first: thread 29 at the top of page one, thread 00 on page two.
    assert first.text.index("Thread 29") < first.text.index("Thread 05")
    assert "Thread 04" not in first.text and "Thread 04" in second.text
    assert links(head(second.text), "prev") == ["/boards/general"]
    assert links(head(second.text), "next") == []
    assert 'href="/boards/general/feed.atom"' in head(first.text)
    assert beyond.status_code == 404 and missing.status_code == 404
    assert zero.status_code == 422


async def test_pinned_threads_come_first(database: Database) -> None:
    clock = FixedClock(START)
    app = make_app(database, clock)
    board = await make_board(database, "general")
    author = await create_account(database, "ana")
    old = await start(app, author, board, "Read me first", "rules")
    clock.advance(timedelta(hours=1))
    await start(app, author, board, "Newer thread", "hello")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        pinned = await post_form(
            http, f"/moderation/threads/{old.id}/pin", {"next": "/boards/general"}, page="/"
        )
        page = (await http.get("/boards/general")).text
    assert pinned.status_code == 303 and pinned.headers["location"] == "/boards/general"
    assert page.index("Read me first") < page.index("Newer thread")
    assert "Pinned" in page


async def test_starting_a_thread(database: Database) -> None:
    app = make_app(database)
    await make_board(database, "general", "General discussion")
    async with client(app) as http:
        anonymous = await http.get("/boards/general/new")
        await signed_in(http, database, "ana")
        form = await http.get("/boards/general/new")
        started = await post_form(
            http,
            "/boards/general/new",
            {"title": "Cooperative housing", "body": "Who has *experience*?"},
            page="/boards/general/new",
        )
        thread = await http.get(started.headers["location"])
        listed = await http.get("/boards/general")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/boards/general/new"
    assert form.status_code == 200
    assert '<label for="title">' in form.text and '<label for="body">' in form.text
    assert started.status_code == 303 and started.headers["location"].startswith("/threads/")
    assert "<h1><bdi>Cooperative housing</bdi></h1>" in thread.text
    assert "<em>experience</em>" in thread.text
    assert "Cooperative housing" in listed.text


async def test_a_bad_form_comes_back_with_what_was_written(database: Database) -> None:
    app = make_app(database)
    await make_board(database, "general")
    async with client(app) as http:
        await signed_in(http, database, "ana")
        no_title = await post_form(
            http, "/boards/general/new", {"title": " \x00 ", "body": "kept text"}, page="/"
        )
        too_long = await post_form(
            http, "/boards/general/new", {"title": "t", "body": "x" * 50_001}, page="/"
        )
    assert no_title.status_code == 422
    assert "Give the thread a title." in no_title.text and "kept text" in no_title.text
    assert too_long.status_code == 422 and "under 50,000 characters" in too_long.text


async def test_starting_a_thread_is_refused_without_csrf_or_role(database: Database) -> None:
    app = make_app(database)
    await make_board(database, "news", "Announcements", thread_role="coordinator")
    await make_board(database, "general")
    async with client(app) as http:
        anonymous_post = await http.post("/boards/general/new", data={"title": "t", "body": "b"})
        await signed_in(http, database, "ana")
        no_csrf = await http.post("/boards/general/new", data={"title": "t", "body": "b"})
        wrong_csrf = await http.post(
            "/boards/general/new", data={"title": "t", "body": "b", "csrf_token": "forged"}
        )
        member_form = await http.get("/boards/news/new")
        member_post = await post_form(
            http, "/boards/news/new", {"title": "t", "body": "b"}, page="/"
        )
        board_page = await http.get("/boards/news")
    assert anonymous_post.status_code == 303
    assert anonymous_post.headers["location"].startswith("/login")
    assert no_csrf.status_code == 403 and wrong_csrf.status_code == 403
    assert member_form.status_code == 403 and member_post.status_code == 403
    assert "Only coordinators start threads here" in board_page.text
    assert "/boards/news/new" not in board_page.text

    async with client(app) as http:
        await signed_in(http, database, "cora", roles=[Role.COORDINATOR])
        allowed = await post_form(
            http, "/boards/news/new", {"title": "News", "body": "b"}, page="/"
        )
    assert allowed.status_code == 303


async def test_too_many_new_threads_are_refused(database: Database) -> None:
    app = make_app(database)
    limit(app, "post", 2)
    await make_board(database, "general")
    async with client(app) as http:
        await signed_in(http, database, "ana")
        answers = [
            await post_form(http, "/boards/general/new", {"title": f"T{n}", "body": "b"}, page="/")
            for n in range(3)
        ]
    assert [a.status_code for a in answers] == [303, 303, 429]
    assert "retry-after" in answers[2].headers


async def test_a_new_members_thread_waits_for_approval(database: Database) -> None:
    app = make_app(database)
    await make_board(database, "welcome", approve_first_posts=True)
    async with client(app) as http:
        await signed_in(http, database, "newbie")
        started = await post_form(
            http, "/boards/welcome/new", {"title": "Hello from Messina", "body": "hi"}, page="/"
        )
        own = await http.get(started.headers["location"])
        own_list = await http.get("/boards/welcome")
    async with client(app) as http:
        others = await http.get("/boards/welcome")
        direct = await http.get(started.headers["location"])
        front = await http.get("/")
    assert started.status_code == 303
    assert own.status_code == 200 and "Waiting for approval" in own.text
    assert "Hello from Messina" in own_list.text
    assert "Hello from Messina" not in others.text and direct.status_code == 404
    assert "Hello from Messina" not in front.text
