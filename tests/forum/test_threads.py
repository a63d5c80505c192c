"""A thread's pages, replying (with quotes), a post's address, editing with its history, and
flagging; hostile posts come out harmless on the page; every refusal answers as it should."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flows.clock import FixedClock
from flows.people.model import Role
from storage import Database
from tests.forum.discussion_support import (
    head,
    limit,
    links,
    make_board,
    reply,
    start,
    tags,
)
from tests.forum.helpers import (
    START,
    client,
    create_account,
    csrf,
    log_in,
    make_app,
    post_form,
    signed_in,
)
from tests.forum.test_markdown import HOSTILE


async def test_a_thread_pages_its_posts_twenty_at_a_time(database: Database) -> None:
    clock = FixedClock(START)
    app = make_app(database, clock)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Long one", "post 00")
    for n in range(1, 25):
        clock.advance(timedelta(minutes=1))
        await reply(app, ana, thread.id, f"post {n:02}")
    base = f"/threads/{thread.id}"
    async with client(app) as http:
        first = await http.get(base)
        second = await http.get(f"{base}?page=2")
        beyond = await http.get(f"{base}?page=3")
        missing = await http.get("/threads/9999")
    assert first.status_code == 200
    assert first.text.count('<article class="post"') == 20
    assert "post 19" in first.text and "post 20" not in first.text
    assert second.text.count('<article class="post"') == 5 and "post 24" in second.text
    assert links(head(first.text), "next") == [f"{base}?page=2"]
    assert links(head(second.text), "prev") == [base]
    assert f"{base}?page=2" in links(first.text, "next")
    assert beyond.status_code == 404 and missing.status_code == 404
    # The reply form sits under the last page's posts, for signed-in readers only.
    assert f"/login?next={base}" in second.text and 'name="body"' not in second.text


async def test_replying_lands_on_the_new_posts_page(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Busy", "first")
    for n in range(20):
        await reply(app, ana, thread.id, f"reply {n}")
    async with client(app) as http:
        await signed_in(http, database, "ben")
        page = await http.get(f"/threads/{thread.id}?page=2")
        sent = await post_form(
            http,
            f"/threads/{thread.id}/reply",
            {"body": "Ben's **answer**"},
            page=f"/threads/{thread.id}",
        )
        landed = await http.get(sent.headers["location"])
    assert '<label for="reply-body">' in page.text
    assert sent.status_code == 303
    match = re.fullmatch(rf"/threads/{thread.id}\?page=2#post-(\d+)", sent.headers["location"])
    assert match is not None
    assert f'id="post-{match.group(1)}"' in landed.text
    assert "<strong>answer</strong>" in landed.text


async def test_quoting_prefills_the_reply_and_links_back(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana", display_name="Ana")
    thread = await start(app, ana, board, "Question", "Is it **Tuesday**?\nOr Wednesday?")
    async with client(app) as http:
        await signed_in(http, database, "ben")
        page = await http.get(f"/threads/{thread.id}")
        quote_link = next(h for h in links_with_text(page.text, "Quote"))
        quoting = await http.get(quote_link)
        first_post = re.search(r'id="post-(\d+)"', page.text)
        assert first_post is not None
        sent = await http.post(
            f"/threads/{thread.id}/reply",
            data={
                "csrf_token": await csrf(http, f"/threads/{thread.id}"),
                "body": "> Is it **Tuesday**?\n\nYes.",
                "quote_post_id": first_post.group(1),
            },
        )
        after = await http.get(sent.headers["location"])
        foreign = await http.post(
            f"/threads/{thread.id}/reply",
            data={
                "csrf_token": await csrf(http, f"/threads/{thread.id}"),
                "body": "x",
                "quote_post_id": "9999",
            },
        )
    assert quote_link == f"/threads/{thread.id}?page=1&quote={first_post.group(1)}#reply"
    assert "&gt; Is it **Tuesday**?\n&gt; Or Wednesday?\n\n</textarea>" in quoting.text
    assert f'name="quote_post_id" value="{first_post.group(1)}"' in quoting.text
    assert f'In reply to <a href="/posts/{first_post.group(1)}"><bdi>Ana</bdi>' in after.text
    assert "<blockquote" in after.text
    assert foreign.status_code == 422 and "not in this thread" in foreign.text


def links_with_text(page: str, text: str) -> list[str]:
    return [
        html.unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
        if label == text
    ]


async def test_reply_refusals(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Topic", "first")
    path = f"/threads/{thread.id}/reply"
    async with client(app) as http:
        anonymous = await http.post(path, data={"body": "hi"})
        await signed_in(http, database, "ben")
        no_csrf = await http.post(path, data={"body": "hi"})
        empty = await post_form(http, path, {"body": "  \n "}, page="/")
        nowhere = await post_form(http, "/threads/9999/reply", {"body": "hi"}, page="/")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert no_csrf.status_code == 403
    assert empty.status_code == 422 and "Write something first." in empty.text
    assert nowhere.status_code == 404


async def test_a_locked_thread_refuses_replies(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Closed topic", "first")
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        locked = await post_form(
            http, f"/moderation/threads/{thread.id}/lock", {}, page=f"/threads/{thread.id}"
        )
        moderator_reply = await post_form(
            http, f"/threads/{thread.id}/reply", {"body": "closing note"}, page="/"
        )
    async with client(app) as http:
        await signed_in(http, database, "ben")
        page = await http.get(f"/threads/{thread.id}")
        refused = await post_form(http, f"/threads/{thread.id}/reply", {"body": "me too"}, page="/")
    assert locked.status_code == 303 and locked.headers["location"] == f"/threads/{thread.id}"
    assert moderator_reply.status_code == 303
    assert "This thread is locked" in page.text and 'id="reply-body"' not in page.text
    assert "Locked" in page.text
    assert refused.status_code == 403 and "locked" in refused.text


async def test_too_many_replies_are_refused(database: Database) -> None:
    app = make_app(database)
    limit(app, "post", 1)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Topic", "first")
    async with client(app) as http:
        await signed_in(http, database, "ben")
        token = await csrf(http, f"/threads/{thread.id}")
        answers = [
            await http.post(
                f"/threads/{thread.id}/reply", data={"csrf_token": token, "body": f"r{n}"}
            )
            for n in range(2)
        ]
    assert [a.status_code for a in answers] == [303, 429]


async def test_hostile_posts_are_harmless_on_the_page(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "<script>alert('title')</script>", "hello")
    extra = [
        "x" * 10_240,
        "control\x00chars\x1b[2J and \u202egnp.exe",
        "مرحبا — שלום",
    ]
    for body in [*HOSTILE, *extra]:
        await reply(app, ana, thread.id, body)
    async with client(app) as http:
        pages = [(await http.get(f"/threads/{thread.id}?page={n}")).text for n in (1, 2)]
        front = (await http.get("/")).text
        listing = (await http.get("/boards/general")).text
    for page in [*pages, front, listing]:
        assert "<script" not in page.lower()
        for tag, attrs in tags(page):
            assert tag not in {"script", "svg", "iframe", "img", "object", "embed", "math"}
            assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
            href = (attrs.get("href") or "").strip().lower()
            assert not href.startswith(("javascript:", "vbscript:", "data:")), href
    joined = "".join(pages)
    assert "x" * 10_240 in joined
    assert "\x00" not in joined and "\x1b" not in joined
    assert '<p dir="auto">control' in joined and "\u202egnp.exe" in joined
    assert '<p dir="auto">مرحبا — שלום</p>' in joined
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in pages[0]


async def test_a_posts_address_leads_to_its_page(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Topic", "first")
    posts = [await reply(app, ana, thread.id, f"r{n}") for n in range(20)]
    async with client(app) as http:
        last = await http.get(f"/posts/{posts[-1].id}")
        early = await http.get(f"/posts/{posts[0].id}")
        missing = await http.get("/posts/9999")
    assert last.status_code == 303
    assert last.headers["location"] == f"/threads/{thread.id}?page=2#post-{posts[-1].id}"
    assert early.headers["location"] == f"/threads/{thread.id}#post-{posts[0].id}"
    assert missing.status_code == 404


async def test_editing_keeps_a_visible_history(database: Database) -> None:
    clock = FixedClock(START)
    app = make_app(database, clock)
    await make_board(database, "general")
    async with client(app) as http:
        await signed_in(http, database, "ana")
        started = await post_form(
            http, "/boards/general/new", {"title": "Draft", "body": "First version"}, page="/"
        )
        page = await http.get(started.headers["location"])
        found = re.search(r'href="/posts/(\d+)/edit"', page.text)
        assert found is not None
        post_id = found.group(1)
        form = await http.get(f"/posts/{post_id}/edit")
        clock.advance(timedelta(hours=1))
        saved = await post_form(
            http,
            f"/posts/{post_id}/edit",
            {"title": "Final title", "body": "Second version"},
            page=f"/posts/{post_id}/edit",
        )
        after = await http.get(saved.headers["location"])
        history = await http.get(f"/posts/{post_id}/history")
        empty = await post_form(http, f"/posts/{post_id}/edit", {"body": ""}, page="/")
    assert '<label for="title">' in form.text and "First version</textarea>" in form.text
    assert saved.status_code == 303
    assert "Second version" in after.text and "<bdi>Final title</bdi>" in after.text
    assert f'href="/posts/{post_id}/history"' in after.text
    assert history.status_code == 200
    assert "Second version" in history.text and "First version" in history.text
    assert history.text.index("Second version") < history.text.index("First version")
    assert empty.status_code == 422

    async with client(app) as http:
        await signed_in(http, database, "ben")
        other_form = await http.get(f"/posts/{post_id}/edit")
        other_post = await post_form(http, f"/posts/{post_id}/edit", {"body": "mine now"}, page="/")
        readable = await http.get(f"/posts/{post_id}/history")
    assert other_form.status_code == 403 and other_post.status_code == 403
    assert readable.status_code == 200

    # Past the edit window the author may no longer change it.
    clock.advance(timedelta(days=31))
    async with client(app) as http:
        await log_in(http, "ana")
        late = await http.get(f"/posts/{post_id}/edit")
    assert late.status_code == 403


async def test_flagging_a_post(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Topic", "buy cheap watches")
    async with client(app) as http:
        page = await http.get(f"/threads/{thread.id}")
        found = re.search(r'id="post-(\d+)"', page.text)
        assert found is not None
        path = f"/posts/{found.group(1)}/flag"
        anonymous = await http.get(path)
        await signed_in(http, database, "ben")
        form = await http.get(path)
        no_reason = await post_form(http, path, {"reason": " "}, page=path)
        sent = await post_form(http, path, {"reason": "spam"}, page=path)
        landed = await http.get(sent.headers["location"])
        again = await post_form(http, path, {"reason": "spam!"}, page=path)
        no_csrf = await http.post(path, data={"reason": "spam"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert '<label for="reason">' in form.text
    assert no_reason.status_code == 422
    assert sent.status_code == 303 and "the moderators will look" in landed.text
    assert again.status_code == 303
    assert no_csrf.status_code == 403

    async with client(app) as http:
        await log_in(http, "ana")
        own = await http.get(path)
    assert own.status_code == 403


async def test_too_many_flags_are_refused(database: Database) -> None:
    app = make_app(database)
    limit(app, "flag", 1)
    board = await make_board(database, "general")
    ana = await create_account(database, "ana")
    thread = await start(app, ana, board, "Topic", "one")
    second = await reply(app, ana, thread.id, "two")
    first = second.id - 1
    async with client(app) as http:
        await signed_in(http, database, "ben")
        answers = [
            await post_form(http, f"/posts/{post}/flag", {"reason": "spam"}, page="/")
            for post in (first, second.id)
        ]
    assert [a.status_code for a in answers] == [303, 429]


async def test_a_pending_reply_shows_only_to_its_author(database: Database) -> None:
    app = make_app(database)
    board = await make_board(database, "welcome", approve_first_posts=True)
    mod = await create_account(database, "mod", roles=[Role.MODERATOR])
    thread = await start(app, mod, board, "Introduce yourself", "Hello all")
    async with client(app) as http:
        await signed_in(http, database, "newbie")
        sent = await post_form(
            http, f"/threads/{thread.id}/reply", {"body": "I am new here"}, page="/"
        )
        own = await http.get(sent.headers["location"])
    async with client(app) as http:
        others = await http.get(f"/threads/{thread.id}")
    assert sent.status_code == 303
    assert "once a moderator has approved it" in own.text and "I am new here" in own.text
    assert "Waiting for approval" in own.text
    assert "I am new here" not in others.text
