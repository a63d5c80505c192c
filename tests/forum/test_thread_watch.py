"""The thread page tells how to follow a thread from a chat when a chat bot runs, and shows
moderators how many chats follow it; replies made on the web queue the chats' notices."""

from __future__ import annotations

from sqlalchemy import select

from bot import TELEGRAM
from flows.people.chats import ChatRef
from flows.people.model import Role
from storage import Database, SqlUnitOfWork
from storage.models import OutboxRow
from tests.forum.discussion_support import make_board, start
from tests.forum.helpers import START, client, create_account, make_app, post_form, signed_in

CHAT = ChatRef(TELEGRAM, "4242")
HINT = "Follow this thread in a chat"


async def followed_thread(database: Database, app: object) -> int:
    author = await create_account(database, "author")
    board = await make_board(database, "general")
    thread = await start(app, author, board, "Agenda for Messina", "Items")  # type: ignore[arg-type]
    async with SqlUnitOfWork(database) as uow:
        await uow.thread_followers.follow(thread.id, CHAT, START)
        await uow.commit()
    return thread.id


async def test_the_page_says_how_to_watch_when_a_bot_runs(database: Database) -> None:
    app = make_app(database, chat_bots=("Telegram",), public_url="http://forum.example")
    thread_id = await followed_thread(database, app)
    async with client(app) as http:
        page = (await http.get(f"/threads/{thread_id}")).text
        assert HINT in page and f"<code>/watch {thread_id}</code>" in page
        assert "Chats following this thread" not in page

        await signed_in(http, database, "member")
        page = (await http.get(f"/threads/{thread_id}")).text
        assert "Chats following this thread" not in page


async def test_no_hint_without_a_bot(database: Database) -> None:
    app = make_app(database)
    thread_id = await followed_thread(database, app)
    async with client(app) as http:
        assert HINT not in (await http.get(f"/threads/{thread_id}")).text


async def test_moderators_see_how_many_chats_follow(database: Database) -> None:
    app = make_app(database, chat_bots=("Discord",))
    thread_id = await followed_thread(database, app)
    async with client(app) as http:
        await signed_in(http, database, "mod", roles=[Role.MODERATOR])
        page = (await http.get(f"/threads/{thread_id}")).text
        assert "Chats following this thread: 1" in page and HINT in page


async def test_a_reply_on_the_web_queues_a_notice_with_the_sites_address(
    database: Database,
) -> None:
    app = make_app(database, chat_bots=("Telegram",), public_url="http://forum.example/")
    thread_id = await followed_thread(database, app)
    async with client(app) as http:
        await signed_in(http, database, "brid")
        page = f"/threads/{thread_id}"
        sent = await post_form(http, f"{page}/reply", {"body": "See you there"}, page=page)
        assert sent.status_code == 303
    async with SqlUnitOfWork(database) as uow:
        (row,) = (await uow.session.scalars(select(OutboxRow))).all()
        assert row.chat_id == "4242" and row.meeting_id is None
        text = row.payload["text"]
    assert text.startswith("New post in “Agenda for Messina” by brid: See you")
    assert "\nhttp://forum.example/posts/" in text
