"""The coordinators' pages of survey campaigns: who may list and read them, each campaign's
own results and downloads, closing one, and an anonymous campaign that names nobody. Campaigns
and responses are made through the services the bots and the CLI use."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from bot import DISCORD, TELEGRAM
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.loading import parse_flow
from flows.conversation.messages import Reply
from flows.conversation.service import Sender
from flows.people.model import Role
from flows.surveys.model import Campaign
from forum import ForumConfig, create_app
from storage import Database
from tests.bot.platforms import registered
from tests.forum.helpers import SECRET, client, create_account, csrf_of, log_in
from tests.services import services_for

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ANN = Sender(TELEGRAM, "2001", "Annabel Respondent", "en")
BOB = Sender(TELEGRAM, "2002", "Bobby Respondent", "en")
CAT = Sender(DISCORD, "2003", "Catriona Respondent", "en")
EVE = Sender(TELEGRAM, "2005", "Evelyn Outsider", "en")
RESPONDENTS = ("Annabel", "Bobby", "Catriona", "Evelyn")
FLOW = parse_flow(
    {
        "id": "colours",
        "version": 1,
        "kind": "survey",
        "title": "Favourite colours",
        "languages": ["en"],
        "phases": [
            {
                "id": "only",
                "title": "Colours",
                "steps": [
                    {
                        "id": "colour",
                        "kind": "single",
                        "text": "Which colour do you like best?",
                        "choices": [
                            {"id": "red", "label": "Red"},
                            {"id": "blue", "label": "Blue"},
                        ],
                    },
                    {"id": "why", "kind": "text", "text": "Why?", "required": False},
                ],
            }
        ],
    }
)


class World:
    """The forum and the services of a running deseo over one store and one clock."""

    def __init__(self, database: Database) -> None:
        self.clock = FixedClock(NOW)
        self.database = database
        services = services_for(
            database, clock=self.clock, flows=FlowCatalog([FLOW]), platforms=registered("deseo_bot")
        )
        self.conversations = services.conversations
        self.campaigns = services.campaigns
        self.app: FastAPI = create_app(database, ForumConfig(secret_key=SECRET), services)

    async def person(self, who: Sender) -> int:
        return (await self.conversations.whois(who)).id

    async def create(self, title: str, **extra: Any) -> Campaign:
        return await self.campaigns.create(
            FLOW, title, NOW, NOW + timedelta(days=10), timezone="Europe/Rome", **extra
        )

    async def respond(
        self, campaign: Campaign, who: Sender, colour: str, why: str | None = None
    ) -> None:
        """Invite `who` and answer: the colour, then why (or stop half-way without `why`)."""
        await self.campaigns.invite_people(campaign.slug, [await self.person(who)])
        started = await self.campaigns.start(who, campaign.slug)
        assert started.status == "open", started.messages
        for value in (colour, why) if why is not None else (colour,):
            outcome = await self.conversations.handle(who, Reply(value))
            assert all(m.kind != "error" for m in outcome.messages), outcome.messages


async def signed_in(world: World, http: httpx.AsyncClient, username: str, *roles: Role) -> int:
    account = await create_account(world.database, username, roles=roles)
    assert (await log_in(http, username)).status_code == 303
    return account.person_id


async def test_a_member_is_refused_and_a_stranger_sent_to_log_in(database: Database) -> None:
    world = World(database)
    campaign = await world.create("Colours in Rome")
    async with client(world.app) as http:
        for path in ("/coordinate/campaigns", f"/coordinate/campaigns/{campaign.slug}"):
            response = await http.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=/coordinate/campaigns")
        await signed_in(world, http, "mem")
        for path in (
            "/coordinate/campaigns",
            f"/coordinate/campaigns/{campaign.slug}",
            f"/coordinate/campaigns/{campaign.slug}/responses.csv",
            f"/coordinate/campaigns/{campaign.slug}/responses.xlsx",
        ):
            assert (await http.get(path)).status_code == 403, path
        token = csrf_of((await http.get("/login")).text)
        refused = await http.post(
            f"/coordinate/campaigns/{campaign.slug}/close", data={"csrf_token": token}
        )
        assert refused.status_code == 403
    assert (await world.campaigns.campaign(campaign.slug))[0].closed_at is None


async def test_a_coordinator_follows_a_campaign_and_its_own_results(database: Database) -> None:
    world = World(database)
    campaign = await world.create("Colours in Rome")
    other = await world.create("Colours in Cork")
    await world.respond(campaign, ANN, "red", "Warm")
    await world.respond(campaign, BOB, "blue")  # half-way
    await world.respond(other, CAT, "blue", "Calm")
    await world.conversations.begin(EVE, FLOW.id)  # the survey outside any campaign
    await world.conversations.handle(EVE, Reply("blue"))
    await world.campaigns.open_link(campaign.slug)

    async with client(world.app) as http:
        await signed_in(world, http, "cora", Role.COORDINATOR)
        assert 'href="/coordinate/campaigns"' in (await http.get("/coordinate")).text
        assert 'href="/coordinate/campaigns"' in (await http.get("/coordinate/surveys")).text

        listing = await http.get("/coordinate/campaigns")
        assert listing.status_code == 200
        assert "Colours in Rome" in listing.text and "Colours in Cork" in listing.text
        assert "<td>open</td>" in listing.text
        assert "30 November 2026, 10:00 CET" in listing.text  # opening, in Rome's zone
        assert "<td>2</td>" in listing.text and "<td>50.0%</td>" in listing.text

        page = await http.get(f"/coordinate/campaigns/{campaign.slug}")
        assert page.status_code == 200
        assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page.text
        assert "Which colour do you like best?" in page.text
        # Only this campaign's two responses: Cat's and Eve's are elsewhere.
        assert "2 responses:\n    1 completed, 1 in progress." in page.text
        assert "Response rate: 1 of 2 invited" in page.text
        assert "<li>Warm</li>" in page.text and "Calm" not in page.text
        assert f"https://t.me/deseo_bot?start=c_{campaign.token}" in page.text
        assert f"/survey c_{campaign.token}" in page.text
        assert f'href="/coordinate/campaigns/{campaign.slug}/responses.csv"' in page.text
        assert 'name="invited"' not in page.text

        filtered = await http.get(
            f"/coordinate/campaigns/{campaign.slug}", params={"by": "colour", "value": "red"}
        )
        assert "Showing only the responses that answered" in filtered.text
        assert "1 response:" in filtered.text
        wrong = await http.get(
            f"/coordinate/campaigns/{campaign.slug}", params={"by": "colour", "value": "green"}
        )
        assert wrong.status_code == 400
        assert (await http.get("/coordinate/campaigns/no-such-thing")).status_code == 404
        # The link is shown only once it is open.
        assert "t.me/deseo_bot" not in (await http.get(f"/coordinate/campaigns/{other.slug}")).text

        download = await http.get(f"/coordinate/campaigns/{campaign.slug}/responses.csv")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert (
            f'filename="{campaign.slug}-responses.csv"' in download.headers["content-disposition"]
        )
        rows = list(csv.DictReader(io.StringIO(download.text)))
        assert sorted((r["colour"], r["why"]) for r in rows) == [("blue", ""), ("red", "Warm")]
        sheet = await http.get(f"/coordinate/campaigns/{campaign.slug}/responses.xlsx")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


async def test_a_campaigns_named_coordinators_and_nobody_else(database: Database) -> None:
    world = World(database)
    async with client(world.app) as members, client(world.app) as coordinators:
        mia = await signed_in(world, members, "mia")
        await signed_in(world, coordinators, "cora", Role.COORDINATOR)
        mine = await world.create("Mia's colours", coordinators=[mia])
        everyone = await world.create("Everyone's colours")
        await world.respond(mine, ANN, "red", "Warm")

        # Mia is no coordinator, yet named on one campaign: she sees that one, and only it.
        listing = await members.get("/coordinate/campaigns")
        assert listing.status_code == 200
        assert "Mia&#39;s colours" in listing.text and "Everyone" not in listing.text
        assert 'href="/coordinate/surveys"' not in listing.text
        page = await members.get(f"/coordinate/campaigns/{mine.slug}")
        assert page.status_code == 200 and "<li>Warm</li>" in page.text
        assert "Coordinators, who read the results: mia." in page.text
        assert (await members.get(f"/coordinate/campaigns/{mine.slug}/responses.csv")).is_success
        assert (await members.get(f"/coordinate/campaigns/{everyone.slug}")).status_code == 403
        assert (await members.get("/coordinate/surveys")).status_code == 403

        # Cora coordinates, but not Mia's campaign: not listed, and refused.
        listing = await coordinators.get("/coordinate/campaigns")
        assert "Everyone&#39;s colours" in listing.text and "Mia" not in listing.text
        for path in ("", "/responses.csv", "/responses.xlsx"):
            refused = await coordinators.get(f"/coordinate/campaigns/{mine.slug}{path}")
            assert refused.status_code == 403, path
        token = csrf_of((await coordinators.get("/coordinate/campaigns")).text)
        refused = await coordinators.post(
            f"/coordinate/campaigns/{mine.slug}/close", data={"csrf_token": token}
        )
        assert refused.status_code == 403
    assert (await world.campaigns.campaign(mine.slug))[0].closed_at is None


async def test_closing_a_campaign(database: Database) -> None:
    world = World(database)
    campaign = await world.create("Colours in Rome")
    path = f"/coordinate/campaigns/{campaign.slug}"
    async with client(world.app) as http:
        await signed_in(world, http, "cora", Role.COORDINATOR)
        page = await http.get(path)
        assert f'action="{path}/close"' in page.text
        assert (await http.post(f"{path}/close", data={})).status_code == 403
        assert (await http.post(f"{path}/close", data={"csrf_token": "forged"})).status_code == 403
        assert (await world.campaigns.campaign(campaign.slug))[0].closed_at is None

        world.clock.advance(timedelta(hours=2))
        closed = await http.post(f"{path}/close", data={"csrf_token": csrf_of(page.text)})
        assert closed.status_code == 303
        assert closed.headers["location"] == f"{path}?done=closed"
        assert (await world.campaigns.campaign(campaign.slug))[0].closed_at == world.clock.now()
        after = await http.get(closed.headers["location"])
        assert "The campaign is closed" in after.text
        assert "<dd>closed</dd>" in after.text and f'action="{path}/close"' not in after.text
        assert "<dt>Closed</dt><dd>30 November 2026, 12:00 CET</dd>" in after.text
        again = await http.post(f"{path}/close", data={"csrf_token": csrf_of(page.text)})
        assert again.headers["location"] == f"{path}?done=already-closed"
        listing = await http.get("/coordinate/campaigns")
        assert "<td>closed</td>" in listing.text


async def test_an_anonymous_campaign_names_nobody(database: Database) -> None:
    world = World(database)
    campaign = await world.create("Quiet colours", anonymous=True)
    await world.respond(campaign, ANN, "red", "Warm")
    await world.respond(campaign, BOB, "blue")
    await world.respond(campaign, CAT, "blue", "Calm")
    await world.conversations.begin(EVE, FLOW.id)
    async with client(world.app) as http:
        await signed_in(world, http, "cora", Role.COORDINATOR)
        path = f"/coordinate/campaigns/{campaign.slug}"
        pages = [
            await http.get("/coordinate/campaigns"),
            await http.get(path),
            await http.get(path, params={"by": "colour", "value": "blue"}),
            await http.get(f"{path}/responses.csv"),
        ]
        closed = await http.post(f"{path}/close", data={"csrf_token": csrf_of(pages[1].text)})
        pages.append(await http.get(closed.headers["location"]))
    assert all(p.status_code == 200 for p in pages)
    assert "anonymously" in pages[1].text and "3 responses:" in pages[1].text
    for page in pages:
        for name in RESPONDENTS:
            assert name not in page.text
    for sender in (ANN, BOB, CAT):
        assert sender.user_id not in pages[-2].text.split("\n", 1)[1]
