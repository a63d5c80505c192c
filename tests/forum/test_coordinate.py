"""The coordinators' pages: survey results with charts and downloads, meetings, the directory,
unmet needs and referrals; and who may not see them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from flows.people.model import Role
from forum.auth import Viewer
from forum.permissions import can_see_results
from storage import Database, SqlUnitOfWork
from tests.forum.helpers import client, create_account, csrf_of, log_in, make_chat_app
from tests.storage.test_results import messina_responses

PAGES = (
    "/coordinate",
    "/coordinate/surveys",
    "/coordinate/surveys/messina",
    "/coordinate/surveys/messina/responses.csv",
    "/coordinate/meetings",
    "/coordinate/directory",
    "/coordinate/needs",
    "/coordinate/referrals",
)


async def coordinator(database: Database, http: httpx.AsyncClient) -> None:
    await create_account(database, "cora", roles=[Role.COORDINATOR], display_name="Cora")
    assert (await log_in(http, "cora")).status_code == 303


async def test_only_coordinators_see_the_pages(database: Database) -> None:
    await create_account(database, "mem")
    app = make_chat_app(database)
    async with client(app) as http:
        for page in PAGES:
            response = await http.get(page)
            assert response.status_code == 303, page
            assert response.headers["location"].startswith("/login?next=/coordinate")
        await log_in(http, "mem")
        for page in PAGES:
            assert (await http.get(page)).status_code == 403, page
        token = csrf_of((await http.get("/chat")).text)
        refused = await http.post(
            "/coordinate/meetings",
            data={"csrf_token": token, "group": "x", "title": "t", "start": "2027-01-01T10:00"},
        )
        assert refused.status_code == 403


async def test_survey_results_with_charts_a_filter_and_downloads(database: Database) -> None:
    await messina_responses(database)
    app = make_chat_app(database)
    async with client(app) as http:
        await coordinator(database, http)
        index = await http.get("/coordinate")
        assert "Survey results" in index.text

        listing = await http.get("/coordinate/surveys")
        assert "Work-life balance questionnaire (Messina)" in listing.text
        assert "<td>4</td>" in listing.text and "<td>3</td>" in listing.text

        page = await http.get("/coordinate/surveys/messina", params={"invited": 8})
        assert page.status_code == 200
        assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 3
        assert "4 responses:\n    3 completed, 1 in progress." in page.text
        assert "Response rate: 3 of 8 invited\n    (37.5%)" in page.text
        assert "What is your gender?" in page.text
        assert "<li>Finding childcare, near work</li>" in page.text
        assert "Mean " in page.text and "median " in page.text
        assert "?by=gender&amp;value=woman" in page.text

        women = await http.get("/coordinate/surveys/messina?by=gender&value=woman")
        assert women.status_code == 200
        assert "Showing only the responses that answered" in women.text
        assert "2 responses:" in women.text

        wrong = await http.get("/coordinate/surveys/messina?by=gender&value=dragon")
        assert wrong.status_code == 400
        assert "That filter does not fit this survey" in wrong.text
        assert (await http.get("/coordinate/surveys/nothing-here")).status_code == 404

        download = await http.get("/coordinate/surveys/messina/responses.csv")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert "attachment" in download.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(download.text)))
        assert rows[0][:2] == ["_id", "_status"] and "gender" in rows[0]
        assert len(rows) == 5

        sheet = await http.get("/coordinate/surveys/messina/responses.xlsx")
        assert sheet.status_code == 200
        assert sheet.content[:2] == b"PK"


async def test_scheduling_and_cancelling_a_meeting(database: Database) -> None:
    app = make_chat_app(database)
    await app.state.meetings.create_group("Cork partners", slug="cork", timezone="Europe/Dublin")
    async with client(app) as http:
        await coordinator(database, http)
        page = await http.get("/coordinate/meetings")
        assert "Cork partners" in page.text
        assert 'href="/groups/cork/meetings.ics"' in page.text
        assert "No meetings are coming up." in page.text
        token = csrf_of(page.text)
        form = {
            "csrf_token": token,
            "group": "cork",
            "title": "Partners <b>review</b>",
            "start": "2027-01-14T10:00",
            "timezone": "",
            "agenda": "Budget\n\nNext steps\n",
        }
        done = await http.post("/coordinate/meetings", data=form)
        assert done.status_code == 303
        assert done.headers["location"] == "/coordinate/meetings?done=scheduled"
        page = await http.get(done.headers["location"])
        assert "Scheduled:" in page.text
        assert "Partners &lt;b&gt;review&lt;/b&gt;" in page.text
        assert "<li>Budget</li><li>Next steps</li>" in page.text
        assert "Thursday 14 January 2027, 10:00 GMT (Europe/Dublin)" in page.text
        assert "Going 0, maybe 0, not going 0." in page.text

        bad = await http.post("/coordinate/meetings", data={**form, "start": "soon"})
        assert bad.status_code == 422
        assert "is not a date and time" in bad.text
        assert 'value="Partners &lt;b&gt;review&lt;/b&gt;"' in bad.text
        no_csrf = await http.post("/coordinate/meetings", data={**form, "csrf_token": ""})
        assert no_csrf.status_code == 403

        upcoming = await app.state.meetings.meetings("cork")
        assert len(upcoming) == 1
        meeting_id = upcoming[0].meeting.id
        cancelled = await http.post(
            f"/coordinate/meetings/{meeting_id}/cancel", data={"csrf_token": token}
        )
        assert cancelled.status_code == 303
        page = await http.get(cancelled.headers["location"])
        assert "Cancelled:" in page.text and "No meetings are coming up." in page.text
        assert await app.state.meetings.meetings("cork") == []
        missing = await http.post("/coordinate/meetings/99999/cancel", data={"csrf_token": token})
        assert missing.status_code == 404


async def test_directory_needs_and_referrals(database: Database) -> None:
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    account = await create_account(database, "entre")
    async with SqlUnitOfWork(database) as uow:
        await uow.needs.record(
            account.person_id, "west-cork", "West Cork", ["incubation"], None, at
        )
        await uow.needs.record(None, None, "Atlantis", ["grant"], None, at)
        referral = await uow.referrals.create(
            account.person_id, "clann-credo-social-finance", "clann-credo", None, at
        )
        await uow.referrals.move(referral.id, "accepted", None, "We <will> call", None, at)
        await uow.commit()
    app = make_chat_app(database)
    async with client(app) as http:
        await coordinator(database, http)
        everything = await http.get("/coordinate/directory")
        assert everything.status_code == 200
        assert "Clann Credo" in everything.text
        financing = await http.get(
            "/coordinate/directory", params={"need": "financing", "territory": "west-cork"}
        )
        assert "Loans for social enterprises and community initiatives" in financing.text
        listed = re.findall(r"<dt>Needs</dt><dd>(.*?)</dd>", financing.text)
        assert listed and all("Financing" in needs for needs in listed)
        assert financing.text.count("<section") < everything.text.count("<section")

        needs = await http.get("/coordinate/needs")
        assert "<caption>West Cork</caption>" in needs.text
        assert "<caption>Place not recognised</caption>" in needs.text
        assert "2 needs recorded" in needs.text

        listing = await http.get("/coordinate/referrals")
        assert f'href="/coordinate/referrals/{referral.id}"' in listing.text
        assert "Loans for social enterprises and community initiatives" in listing.text
        assert "<td>accepted</td>" in listing.text
        requested = await http.get("/coordinate/referrals", params={"status": "requested"})
        assert "No referrals of that status." in requested.text
        one = await http.get(f"/coordinate/referrals/{referral.id}")
        assert "waiting for an answer" in one.text
        assert "<q>We &lt;will&gt; call</q>" in one.text
        assert (await http.get("/coordinate/referrals/99999")).status_code == 404


@pytest.mark.parametrize("path", ["/coordinate/surveys/messina/responses.csv"])
async def test_downloads_of_a_survey_nobody_answered(database: Database, path: str) -> None:
    app = make_chat_app(database)
    async with client(app) as http:
        await coordinator(database, http)
        download = await http.get(path)
    assert download.status_code == 200
    assert download.text.splitlines()[0].startswith("_id,_status,_version")
    assert len(download.text.splitlines()) == 1


def test_who_may_read_a_campaigns_results() -> None:
    @dataclass(frozen=True)
    class Campaign:
        created_by: int | None

    def viewer(person_id: int, *roles: Role) -> Viewer:
        return Viewer(person_id, f"p{person_id}", f"P{person_id}", frozenset({Role.MEMBER, *roles}))

    coordinator_1, coordinator_2 = viewer(1, Role.COORDINATOR), viewer(2, Role.COORDINATOR)
    member, admin = viewer(3), viewer(4, Role.ADMIN)
    assert can_see_results(coordinator_1, "messina")
    assert not can_see_results(member, "messina") and not can_see_results(None, "messina")
    # A campaign naming its coordinators is theirs (and its creator's, and admins').
    named = Campaign(created_by=1)
    assert can_see_results(coordinator_1, "messina", named, coordinators=[1])
    assert not can_see_results(coordinator_2, "messina", named, coordinators=[1])
    assert can_see_results(member, "messina", named, coordinators=[3])
    assert can_see_results(admin, "messina", named, coordinators=[1])
    # One naming nobody is for every coordinator.
    assert can_see_results(coordinator_2, "messina", Campaign(created_by=None))
    assert not can_see_results(member, "messina", Campaign(created_by=None))


async def test_a_meeting_can_open_its_agenda_thread(database: Database) -> None:
    from storage.models import Board

    app = make_chat_app(database)
    await app.state.meetings.create_group("Cork partners", slug="cork", timezone="Europe/Dublin")
    async with client(app) as http:
        await coordinator(database, http)
        page = await http.get("/coordinate/meetings")
        form = {
            "csrf_token": csrf_of(page.text),
            "group": "cork",
            "title": "Partners review",
            "start": "2027-01-14T10:00",
            "agenda": "Budget\nNext steps",
            "discuss": "yes",
        }
        without_board = await http.post("/coordinate/meetings", data=form)
        assert without_board.status_code == 422
        assert "deseo boards create meetings" in without_board.text
        assert await app.state.meetings.meetings("cork") == []

        async with SqlUnitOfWork(database) as uow:
            uow.session.add(Board(slug="meetings", title="Meetings", thread_role="coordinator"))
            await uow.commit()
        done = await http.post("/coordinate/meetings", data=form)
        assert done.status_code == 303
        board = await http.get("/boards/meetings")
        thread_id = re.search(r'href="/threads/(\d+)"', board.text)
        assert thread_id is not None
        thread = await http.get(f"/threads/{thread_id.group(1)}")
        assert "Partners review" in thread.text
        assert re.search(r"<li[^>]*>Budget</li>", thread.text)
    (upcoming,) = await app.state.meetings.meetings("cork")
    assert upcoming.meeting.agenda[-1].endswith(f"/threads/{thread_id.group(1)}")
