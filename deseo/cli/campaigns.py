"""`deseo survey campaign ...`: run a survey as a campaign from the terminal. Create it, invite
people, chats or anyone with a link, follow its progress, close it, read its results. Every
change goes through the same service the bots and the worker use.

Times are local wall-clock times (2026-12-01T09:00) in `--tz` (default: DESEO_TIMEZONE).
Reminders: `--remind 3d,1d-before-close,every-7d` (after opening, before closing, a series
until closing; units s m h d w); only invitees who have not completed get them.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from deseo.cli.common import (
    chat_in_terminal,
    chat_option,
    fail,
    on_services,
    out,
    require_current_schema,
    settings,
)
from deseo.cli.results import FileFormat, ResultsFormat, print_results

if TYPE_CHECKING:
    from deseo.settings import Settings
    from flows.surveys import Campaign, CampaignCounts, CampaignService, SurveyResults
    from storage import Database, ExportFormat

T = TypeVar("T")
app = typer.Typer(
    help="Survey campaigns: invitations, reminders, closing, results.", no_args_is_help=True
)
TelegramBot = typer.Option(
    None,
    "--telegram-bot",
    envvar="DESEO_TELEGRAM_BOT",
    help="The Telegram bot's username, to write t.me links (env DESEO_TELEGRAM_BOT).",
)


def _with(work: Callable[[CampaignService, Database], Awaitable[T]], bot: str | None = None) -> T:
    from flows.surveys import CampaignError

    config = _with_bot(settings(), bot)
    url = config.database
    require_current_schema(url)
    try:
        return on_services(
            url, lambda services, database: work(services.campaigns, database), config
        )
    except CampaignError as exc:
        fail(str(exc))


def _with_bot(config: Settings, bot: str | None) -> Settings:
    """The settings, with the Telegram bot's username for start links when one is given."""
    return config.model_copy(update={"telegram_bot": bot}) if bot else config


def _instant(text: str, tz: str, option: str) -> datetime:
    from flows.times import TimeInputError, parse_local, to_utc

    try:
        return to_utc(parse_local(text), tz)
    except TimeInputError as exc:
        fail(f"{option}: {exc}", 2)


def link_lines(campaign: Campaign, bot: str | None) -> list[str]:
    """Where anyone may start a response while the campaign's link is open."""
    from bot import chat_platforms
    from flows.surveys import link_lines as open_link_lines

    found = open_link_lines(campaign, chat_platforms(_with_bot(settings(), bot)))
    return [f"  {where}: {what}" for where, what in found]


def _counts(counts: CampaignCounts) -> str:
    rate = counts.response_rate
    text = (
        f"invited {counts.invited}, started {counts.started}, completed {counts.completed}, "
        f"in progress {counts.in_progress}"
    )
    return text + (f", response rate {rate:.1f}%" if rate is not None else "")


def _status(campaign: Campaign) -> str:
    return campaign.status(datetime.now().astimezone())


@app.command("create")
def create(
    flow_id: str = typer.Argument(..., help="The survey flow, e.g. messina."),
    title: str = typer.Option(..., "--title", help="What invitees are asked to answer."),
    opens: str = typer.Option(
        None, "--opens", help="Local opening, e.g. 2026-12-01T09:00 (default: now)."
    ),
    closes: str = typer.Option(None, "--closes", help="Local closing, e.g. 2026-12-15T18:00."),
    tz: str = typer.Option(None, "--tz", help="IANA time zone (default: DESEO_TIMEZONE)."),
    anonymous: bool = typer.Option(
        False, "--anonymous", help="Keep no link from a completed response to its person."
    ),
    remind: str = typer.Option(
        "", "--remind", help="Reminders, e.g. 3d,1d-before-close or every-7d."
    ),
    slug: str = typer.Option(None, "--slug", help="Short name for commands (default: title)."),
    coordinator: list[int] = typer.Option(
        None, "--coordinator", help="A person (number) who sees the results (repeatable)."
    ),
) -> None:
    """Create a campaign of a survey; nobody is invited yet."""
    from deseo.services import catalog
    from flows.conversation import FlowFileError, UnknownFlow
    from flows.surveys import CampaignError, Reminders, when

    timezone = tz or settings().timezone
    try:
        flow = catalog(settings()).get(flow_id)
    except (UnknownFlow, FlowFileError) as exc:
        fail(str(exc))
    try:
        reminders = Reminders.parse(remind)
    except CampaignError as exc:
        fail(f"--remind: {exc}", 2)
    opens_at = _instant(opens, timezone, "--opens") if opens else datetime.now().astimezone()
    closes_at = _instant(closes, timezone, "--closes") if closes else None
    campaign = _with(
        lambda s, _: s.create(
            flow,
            title,
            opens_at,
            closes_at,
            timezone=timezone,
            anonymous=anonymous,
            reminders=reminders,
            slug=slug,
            coordinators=coordinator or (),
        )
    )
    closing = when(campaign.closes_at, timezone) if campaign.closes_at else "when closed by hand"
    out.print(
        f"campaign {campaign.slug} created: {flow.id}, "
        f"{'anonymous' if campaign.anonymous else 'named'}, "
        f"opens {when(campaign.opens_at, timezone)}, closes {closing}, "
        f"reminders {campaign.reminders.text()}",
        markup=False,
    )
    out.print(f"invite with: deseo survey campaign invite {campaign.slug} --person ID ...")


@app.command("invite")
def invite(
    ref: str = typer.Argument(..., help="The campaign's slug or number."),
    person: list[int] = typer.Option(None, "--person", help="A person's number (repeatable)."),
    telegram: list[str] = typer.Option(
        None, "--telegram", help="A person by Telegram user id (repeatable)."
    ),
    discord: list[str] = typer.Option(
        None, "--discord", help="A person by Discord user id (repeatable)."
    ),
    chat: list[str] = typer.Option(
        None, "--chat", help="A chat: telegram:CHAT_ID or discord:CHANNEL_ID (repeatable)."
    ),
    link: bool = typer.Option(False, "--link", help="Open the link: anyone with it may answer."),
    bot: str = TelegramBot,
) -> None:
    """Invite people, chats or anyone with the link; the worker sends the invitations.

    A person is written to privately; a chat gets one message whose link lets each member
    answer privately, once."""
    from bot import DISCORD, TELEGRAM
    from storage import SqlUnitOfWork

    chats = [chat_option(c) for c in chat or ()]
    if not (person or telegram or discord or chats or link):
        fail("say whom to invite: --person, --telegram, --discord, --chat or --link", 2)

    async def work(s: CampaignService, database: Database) -> list[str]:
        ids = list(person or ())
        by_platform = [(TELEGRAM, t) for t in telegram or ()]
        by_platform += [(DISCORD, d) for d in discord or ()]
        if by_platform:
            async with SqlUnitOfWork(database) as uow:
                for platform, external in by_platform:
                    found = await uow.people.identify(
                        platform, external, display_name=f"{platform.value} {external}"
                    )
                    ids.append(found.id)
                await uow.commit()
        lines = []
        for person_id, invitation, new in await s.invite_people(ref, ids):
            if not new:
                lines.append(f"person {person_id} was invited already ({invitation.status})")
            elif invitation.chat is None:
                lines.append(f"person {person_id} invited; no chat reaches them: tell them")
            else:
                lines.append(f"person {person_id} invited; the bot writes to {invitation.chat.key}")
        for invited, new in await s.invite_chats(ref, [(c, None) for c in chats]):
            said = "invited; one message goes there" if new else "was invited already"
            lines.append(f"chat {invited.chat.key} {said}")
        if link:
            campaign = await s.open_link(ref)
            lines.append("the link is open: anyone with it may answer, once")
            lines += link_lines(campaign, bot)
        return lines

    for line in _with(work, bot):
        out.print(line, markup=False)


@app.command("list")
def list_campaigns() -> None:
    """Every campaign with its state and counts, newest first."""
    found = _with(lambda s, _: s.campaigns())
    if not found:
        out.print("no campaigns yet: deseo survey campaign create FLOW --title ...")
    for campaign, counts in found:
        out.print(
            f"{campaign.id:>4}  {campaign.slug:<24} {_status(campaign):<9} {campaign.flow_id:<12} "
            f"{campaign.title}  ({_counts(counts)})",
            markup=False,
        )


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="The campaign's slug or number."),
    bot: str = TelegramBot,
) -> None:
    """One campaign: its times, audience, reminders and how far it has come."""
    from flows.surveys import when

    campaign, counts, chats, coordinators = _with(lambda s, _: s.campaign(ref), bot)
    tz = campaign.timezone
    lines = [
        f"{campaign.title} ({campaign.slug}, number {campaign.id})",
        f"survey: {campaign.flow_id}; {'anonymous' if campaign.anonymous else 'named'}",
        f"status: {_status(campaign)}",
        f"opens: {when(campaign.opens_at, tz)}",
        "closes: " + (when(campaign.closes_at, tz) if campaign.closes_at else "when closed"),
    ]
    if campaign.closed_at is not None:
        lines.append(f"closed: {when(campaign.closed_at, tz)}")
    lines.append(f"reminders: {campaign.reminders.text()}")
    lines.append(_counts(counts))
    if counts.unreachable:
        lines.append(f"{counts.unreachable} invitee(s) have no chat the bot can write to")
    for chat in chats:
        lines.append(f"chat: {chat.chat.key}" + (f" ({chat.title})" if chat.title else ""))
    if coordinators:
        lines.append("coordinators: " + ", ".join(f"person {p}" for p in coordinators))
    if campaign.open_link:
        lines.append("open link:")
        lines += link_lines(campaign, bot)
    for line in lines:
        out.print(line, markup=False)


@app.command("close")
def close(ref: str = typer.Argument(..., help="The campaign's slug or number.")) -> None:
    """Stop taking answers now; pending invitations and reminders are cancelled."""
    campaign = _with(lambda s, _: s.close(ref))
    out.print(f"campaign {campaign.slug} closed; its pending messages are cancelled")


@app.command("coordinator")
def coordinator(
    ref: str = typer.Argument(..., help="The campaign's slug or number."),
    person: int = typer.Argument(..., help="The person's number."),
) -> None:
    """Let a person see the campaign's results."""
    new = _with(lambda s, _: s.add_coordinator(ref, person))
    out.print(f"person {person} {'now coordinates' if new else 'already coordinated'} {ref}")


def _readable(
    ref: str, viewer: int | None
) -> Callable[[CampaignService, Database], Awaitable[Campaign]]:
    """The campaign, checked against what `viewer` may see (everything without one: whoever
    runs the CLI holds the store)."""

    async def work(s: CampaignService, _: Database) -> Campaign:
        if viewer is not None:
            return await s.results_for(ref, viewer)
        found = await s.campaign(ref)
        return found[0]

    return work


@app.command("results")
def results(
    ref: str = typer.Argument(..., help="The campaign's slug or number."),
    filter: str = typer.Option(
        None, "--filter", help="Only responses with this answer: STEP=VALUE, e.g. gender=woman."
    ),
    format: ResultsFormat = typer.Option(
        ResultsFormat.text, "--format", "-f", help="text or json."
    ),
    completed_only: bool = typer.Option(
        False, "--completed-only", help="Leave out responses still in progress."
    ),
    lang: str = typer.Option(None, "--lang", help="Questions and choices in this language."),
    viewer: int = typer.Option(
        None, "--as", help="Refuse unless this person (number) may see the results."
    ),
) -> None:
    """The campaign's results: only its own responses, with its response rate."""
    from flows.surveys import AnswerFilter, FilterError
    from storage import ResultsReader

    try:
        answer_filter = AnswerFilter.parse(filter) if filter else None
    except FilterError as exc:
        fail(f"--filter: {exc}", 2)

    async def work(s: CampaignService, database: Database) -> SurveyResults:
        campaign = await _readable(ref, viewer)(s, database)
        _, counts, _, _ = await s.campaign(ref)
        return await ResultsReader(database, campaign_id=campaign.id).results(
            campaign.flow_id,
            answer_filter=answer_filter,
            invited=counts.invited or None,
            completed_only=completed_only,
            language=lang,
        )

    print_results(lambda: _with(work), format)


@app.command("export")
def export(
    ref: str = typer.Argument(..., help="The campaign's slug or number."),
    format: FileFormat = typer.Option(..., "--format", "-f", help="csv or xlsx."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
    completed_only: bool = typer.Option(
        False, "--completed-only", help="Leave out responses still in progress."
    ),
    viewer: int = typer.Option(
        None, "--as", help="Refuse unless this person (number) may see the results."
    ),
) -> None:
    """Write the campaign's responses, one row each; no column names a person."""
    from storage import UnknownSurvey

    async def work(s: CampaignService, database: Database) -> int:
        campaign = await _readable(ref, viewer)(s, database)
        return await export_campaign(
            database, campaign, format.export_format(), output, completed_only
        )

    try:
        rows = _with(work)
    except UnknownSurvey as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    out.print(f"wrote {rows} responses to {output}", markup=False)


async def export_campaign(
    database: Database,
    campaign: Campaign,
    format: ExportFormat,
    output: Path,
    completed_only: bool = False,
) -> int:
    """Write a campaign's responses to `output`, whole or not at all; returns how many."""
    from storage import export_responses

    return await export_responses(
        database,
        campaign.flow_id,
        format,
        output,
        completed_only=completed_only,
        campaign_id=campaign.id,
        sheet=campaign.slug,
    )


@app.command("answer")
def answer(
    ref: str = typer.Argument(..., help="The campaign's slug, or its link's c_<token>."),
) -> None:
    """Answer a campaign's survey in the terminal, as the person you are logged in as."""
    from bot import ConsoleChat
    from deseo.services import build_services
    from flows.conversation import Sender
    from flows.people import Platform

    config = settings()
    url = config.database
    require_current_schema(url)
    user = getpass.getuser()
    who = Sender(Platform.CONSOLE, user, user, config.language)

    async def run(database: Database) -> int:
        services = await build_services(config, database)
        chat = services.conversations
        started = await services.campaigns.start(who, ref)
        if started.status != "open":
            for message in started.messages:
                sys.stdout.write(message.text.replace("*", "") + "\n")
            return 1
        # The intro; the question itself comes again when the console picks the response up.
        for message in started.messages:
            if message.kind != "question":
                sys.stdout.write(message.text.replace("*", "") + "\n\n")
        console = ConsoleChat(chat, who, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())
        return await console.run(None)

    chat_in_terminal(url, run)
