"""Every page a member or a coordinator reaches keeps the basic promises of accessibility: a
language, a title, one main heading, a label for every field, a name for every button and
link, no heading levels skipped, and a way to skip to the content."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from flows.people.model import Role
from storage import Database
from storage.models import Board
from tests.forum.helpers import client, csrf_of, make_chat_app, signed_in


class Page(HTMLParser):
    """What the checks need from a page: headings, fields, labels, buttons and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title = ""
        self.headings: list[int] = []
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.wrapped: list[dict[str, str | None]] = []
        self.buttons: list[tuple[dict[str, str | None], str]] = []
        self.links: list[tuple[dict[str, str | None], str]] = []
        self._open: list[tuple[str, dict[str, str | None], list[str]]] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "label":
            self.label_depth += 1
            if found.get("for"):
                self.label_for.add(found["for"] or "")
        elif tag in ("input", "select", "textarea") and not (
            # Hidden fields, and the `hidden` user name a password form keeps for password
            # managers, are not there for people.
            found.get("type") in ("hidden", "submit", "button") or "hidden" in found
        ):
            self.fields.append(found)
            if self.label_depth:
                self.wrapped.append(found)
        if tag in ("button", "a"):
            self._open.append((tag, found, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self.label_depth -= 1
        elif tag in ("button", "a") and self._open and self._open[-1][0] == tag:
            _, attrs, text = self._open.pop()
            (self.buttons if tag == "button" else self.links).append((attrs, "".join(text)))

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        for _, _, text in self._open:
            text.append(data)


def check(path: str, html: str) -> None:
    page = Page()
    page.feed(html)
    assert page.lang, f"{path}: <html> has no lang"
    assert page.title.strip(), f"{path}: no <title>"
    assert page.headings.count(1) == 1, f"{path}: {page.headings.count(1)} h1 elements"
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"{path}: heading h{before} is followed by h{after}"
    for field in page.fields:
        named = (
            field.get("aria-label")
            or field.get("aria-labelledby")
            or (field.get("id") in page.label_for)
            or field in page.wrapped
        )
        assert named, f"{path}: a field without a label: {field}"
    for attrs, text in page.buttons:
        assert text.strip() or attrs.get("aria-label"), f"{path}: a button without a name"
    for attrs, text in page.links:
        assert text.strip() or attrs.get("aria-label"), f"{path}: a link without text: {attrs}"
    assert any(a.get("href") == "#main" for a, _ in page.links), f"{path}: no skip link"


MEMBER_PAGES = [
    "/",
    "/boards/general",
    "/boards/general/new",
    "/search?q=budget",
    "/chat",
    "/account",
]
COORDINATOR_PAGES = [
    "/coordinate",
    "/coordinate/surveys",
    "/coordinate/surveys/messina",
    "/coordinate/campaigns",
    "/coordinate/meetings",
    "/coordinate/directory",
    "/coordinate/needs",
    "/coordinate/referrals",
    "/moderation",
    "/admin/people",
]


@pytest.mark.parametrize("who", ["guest", "member", "admin"])
async def test_pages_keep_the_basics_of_accessibility(database: Database, who: str) -> None:
    async with database.sessions() as session:
        session.add(Board(slug="general", title="General", description="Talk"))
        await session.commit()
    app = make_chat_app(database)
    async with client(app) as http:
        paths = ["/", "/boards/general", "/search?q=budget", "/chat", "/login", "/register"]
        if who != "guest":
            roles = (Role.ADMIN,) if who == "admin" else ()
            await signed_in(http, database, who, roles=roles)
            paths = MEMBER_PAGES + (COORDINATOR_PAGES if who == "admin" else [])
            # A thread, and a conversation in the web chat, to look at too.
            new = await http.get("/boards/general/new")
            made = await http.post(
                "/boards/general/new",
                data={"csrf_token": csrf_of(new.text), "title": "Budget", "body": "Budget *now*"},
            )
            paths.append(made.headers["location"].split("#")[0])
            chat = await http.get("/chat")
            started = await http.post(
                "/chat/start", data={"csrf_token": csrf_of(chat.text), "flow": "citess"}
            )
            paths.append(started.headers["location"])
        for path in paths:
            response = await http.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            check(path, response.text)
