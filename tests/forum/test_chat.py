"""The web chat: the bots' flows as server-rendered forms, for guests and signed-in members."""

from __future__ import annotations

import re
from typing import Any

import httpx

from flows.conversation.catalog import FlowCatalog
from flows.conversation.definitions import Flow
from flows.conversation.loading import parse_flow
from forum import ForumConfig, create_app
from forum.routes.chat import MOVED_ON
from storage import Database
from tests.forum.helpers import (
    client,
    create_account,
    csrf_of,
    hidden_fields,
    log_in,
    make_chat_app,
)
from tests.services import services_for

HOSTILE = "<script>alert(1)</script>"


async def start(http: httpx.AsyncClient, flow: str) -> str:
    """Start a flow from /chat; the conversation's address."""
    page = await http.get("/chat")
    assert page.status_code == 200
    response = await http.post("/chat/start", data={"csrf_token": csrf_of(page.text), "flow": flow})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/chat/\d+", location)
    return location


async def send(
    http: httpx.AsyncClient, where: str, page: str | None = None, **fields: Any
) -> httpx.Response:
    """Submit the prompt form of `page` (the conversation as it is now, by default) with
    `fields`; returns the conversation page after the redirect."""
    if page is None:
        page = (await http.get(where)).text
    data: dict[str, Any] = {**hidden_fields(page), "action": "answer", **fields}
    response = await http.post(where, data=data)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == where
    return await http.get(where)


async def test_a_guest_finds_support_through_the_orientation_forms(database: Database) -> None:
    app = make_chat_app(database)
    async with client(app) as http:
        index = await http.get("/chat")
        assert "Find support for your enterprise" in index.text
        assert "CitESS self-assessment" in index.text and "Work-life balance" in index.text
        assert "Sign in</a> to keep them across devices" in index.text
        where = await start(http, "orientation")

        page = await http.get(where)
        assert page.status_code == 200
        assert "<fieldset>" in page.text and "<legend>Where is your enterprise now?" in page.text
        assert 'type="radio" name="choice"' in page.text
        page = await send(http, where, choice="start-up")
        assert "You: <strong>Starting up</strong>" in page.text
        assert 'type="checkbox" name="choice"' in page.text
        page = await send(http, where, choice=["financing", "training"])
        assert "Finance (loans, funding), Training" in page.text
        page = await send(http, where, choice="any")
        assert '<label for="answer">Where are you based?' in page.text
        page = await send(http, where, text=HOSTILE)
        assert HOSTILE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        # An optional question offers Skip.
        assert 'name="action" value="skip"' in page.text
        page = await send(http, where, action="skip")
        page = await send(http, where, choice="en")

        assert "<h2>Finished</h2>" in page.text
        assert "Support that fits" in page.text
        assert HOSTILE not in page.text
        assert "<form" in page.text and 'action="' + where + '/refer"' in page.text
        service = re.search(r'name="service" value="([^"]+)"', page.text)
        assert service is not None
        asked = await http.post(
            f"{where}/refer",
            data={"csrf_token": csrf_of(page.text), "service": service.group(1)},
        )
        assert asked.status_code == 303
        page = await http.get(where)
        assert "I have asked" in page.text
        report = await http.get(f"{where}/report?format=md")
        assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]

    # Another visitor (another session) cannot see it, nor answer it.
    async with client(app) as other:
        assert (await other.get(where)).status_code == 404
        token = csrf_of((await other.get("/chat")).text)
        refused = await other.post(where, data={"csrf_token": token, "choice": "en"})
        assert refused.status_code == 404


async def test_a_member_assesses_goes_back_and_is_reasked(database: Database) -> None:
    await create_account(database, "maria", display_name="María")
    app = make_chat_app(database)
    async with client(app) as http:
        assert (await log_in(http, "maria")).status_code == 303
        index = await http.get("/chat")
        assert "chat as a guest" not in index.text
        where = await start(http, "citess")
        first = await http.get(where)
        assert "Phase 0: your starting point" in first.text
        assert "Are there social and solidarity economy organisations" in first.text
        assert "Phase 1 of 5 · question 1 of 6" in first.text

        second = await send(http, where, first.text, choice="yes")
        assert "You: <strong>Yes</strong>" in second.text
        assert "question 2 of 6" in second.text
        # The page is never kept by the browser, so its back button shows the page anew.
        assert second.headers["cache-control"] == "no-store"
        other_tab = (await http.get(where)).text

        # Back: the first question again, with the earlier answer.
        again = await send(http, where, second.text, action="back")
        assert "question 1 of 6" in again.text
        assert "Your earlier answer: Yes" in again.text

        # A form left open on the second question in another tab has moved on.
        stale = await send(http, where, other_tab, choice="no")
        assert MOVED_ON.split(" (")[0] in stale.text
        assert "question 1 of 6" in stale.text

        # Nothing picked: the engine's reason, and the same question again.
        wrong = await send(http, where, stale.text)
        assert "Please answer yes, partly, no or don&#x27;t know." in wrong.text
        assert "question 1 of 6" in wrong.text

        # Partly asks for a note; a hostile one is shown as text.
        noting = await send(http, where, wrong.text, choice="partly")
        assert '<label for="answer">Would you like to add a note' in noting.text
        noted = await send(http, where, noting.text, text=HOSTILE)
        assert HOSTILE not in noted.text
        assert "Note: &lt;script&gt;alert(1)&lt;/script&gt;" in noted.text
        assert "question 2 of 6" in noted.text

        # The same form sent twice (a double click) answers once.
        fields = {**hidden_fields(noted.text), "action": "answer", "choice": "yes"}
        for _ in range(2):
            assert (await http.post(where, data=fields)).status_code == 303
        after = await http.get(where)
        assert "question 3 of 6" in after.text
        assert MOVED_ON.split(" (")[0] not in after.text

        # Stopping keeps the answers; /chat lists the conversation to pick up again.
        stopped = await send(http, where, after.text, action="cancel")
        assert "You stopped here" in stopped.text
        index = await http.get("/chat")
        assert "In progress" in index.text and f'href="{where}"' in index.text
        token = csrf_of(stopped.text)
        fields = hidden_fields(stopped.text)
        resumed = await http.post(
            where, data={"csrf_token": token, "event": fields["event"], "action": "resume"}
        )
        assert resumed.status_code == 303
        assert "question 3 of 6" in (await http.get(where)).text


async def test_forms_without_a_csrf_token_are_refused(database: Database) -> None:
    app = make_chat_app(database)
    async with client(app) as http:
        where = await start(http, "orientation")
        page = await http.get(where)
        fields = {k: v for k, v in hidden_fields(page.text).items() if k != "csrf_token"}
        refused = await http.post(where, data={**fields, "choice": "start-up"})
        assert refused.status_code == 403
        assert (await http.post("/chat/start", data={"flow": "citess"})).status_code == 403
        # The question was not answered.
        assert "You: <strong>" not in (await http.get(where)).text


async def test_starting_conversations_is_rate_limited(database: Database) -> None:
    app = make_chat_app(database)
    async with client(app, address="10.0.0.9") as http:
        token = csrf_of((await http.get("/chat")).text)
        statuses = [
            (
                await http.post("/chat/start", data={"csrf_token": token, "flow": "messina"})
            ).status_code
            for _ in range(31)
        ]
    assert statuses[:30] == [303] * 30
    assert statuses[30] == 429


async def test_unknown_flows_and_conversations(database: Database) -> None:
    app = make_chat_app(database)
    async with client(app) as http:
        token = csrf_of((await http.get("/chat")).text)
        missing = await http.post("/chat/start", data={"csrf_token": token, "flow": "nothing"})
        assert missing.status_code == 404
        assert (await http.get("/chat/999999")).status_code == 404


def tiny_assessment() -> Flow:
    """Two phases of one rating each."""
    phases = [
        {
            "id": f"p{n}",
            "title": f"Phase {n}",
            "steps": [
                {
                    "id": f"q{n}",
                    "kind": "rating",
                    "source": f"tiny:{n}",
                    "text": f"Ready {n}?",
                    "advice": f"Do {n}.",
                }
            ],
        }
        for n in (1, 2)
    ]
    raw = {
        "id": "tiny",
        "version": 1,
        "kind": "assessment",
        "title": "Tiny check",
        "languages": ["en"],
        "phases": phases,
    }
    return parse_flow(raw)


async def test_a_phase_break_and_the_report_at_the_end(database: Database) -> None:
    app = create_app(
        database,
        ForumConfig(secret_key="test"),
        services_for(database, flows=FlowCatalog([tiny_assessment()])),
    )
    async with client(app) as http:
        where = await start(http, "tiny")
        page = await send(http, where, choice="yes")
        assert "That is the end of Phase 1." in page.text
        assert '<button type="submit" name="choice" value="continue">Continue</button>' in page.text
        assert page.text.count("Stop for now") == 1
        page = await send(http, where, page.text, choice="continue")
        assert "Ready 2?" in page.text
        page = await send(http, where, page.text, choice="no")
        assert "<h2>Finished</h2>" in page.text
        assert '<h2 id="report-heading">Your report</h2>' in page.text
        assert "<h3>Phase 2</h3>" in page.text and "Do 2." in page.text
        report = await http.get(f"{where}/report")
        assert report.status_code == 200
        assert report.text.startswith("<!doctype html>") and "Do 2." in report.text


async def test_a_finished_report_is_shared_as_a_thread(database: Database) -> None:
    from storage.models import Board

    async with database.sessions() as session:
        session.add(Board(slug="self-assessment", title="Self-assessment", description=""))
        await session.commit()
    await create_account(database, "rosa", display_name="Rosa")
    app = create_app(
        database,
        ForumConfig(secret_key="test", page_cache_seconds=0),
        services_for(database, flows=FlowCatalog([tiny_assessment()])),
    )
    async with client(app) as guest:
        where = await start(guest, "tiny")
        page = await send(guest, where, choice="yes")
        page = await send(guest, where, page.text, choice="continue")
        page = await send(guest, where, page.text, choice="no")
        assert "Share this report on the forum" not in page.text  # guests have no name to post
        token = csrf_of((await guest.get("/chat")).text)
        refused = await guest.post(f"{where}/share", data={"csrf_token": token})
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    async with client(app) as http:
        await log_in(http, "rosa")
        where = await start(http, "tiny")
        page = await send(http, where, choice="yes")
        not_yet = await http.post(f"{where}/share", data={"csrf_token": csrf_of(page.text)})
        assert not_yet.status_code == 404
        page = await send(http, where, page.text, choice="continue")
        page = await send(http, where, page.text, choice="no")
        shared = await http.post(f"{where}/share", data={"csrf_token": csrf_of(page.text)})
        assert shared.status_code == 303
        thread = await http.get(shared.headers["location"])
    assert "Tiny check: Rosa" in thread.text and "Do 2." in thread.text


async def test_signing_in_keeps_what_was_answered_as_a_guest(database: Database) -> None:
    await create_account(database, "pia")
    app = make_chat_app(database)
    async with client(app) as http:
        where = await start(http, "orientation")
        assert (await http.get("/chat")).text.count(f'href="{where}"') == 1
        await log_in(http, "pia")
        mine = await http.get("/chat")
        assert f'href="{where}"' in mine.text  # the guest's conversation is now the account's
        assert (await http.get(where)).status_code == 200
