"""`deseo referrals ...`: referrals from the terminal, acting as a person known by their
Telegram or Discord account, with the same permissions as in the chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from deseo.cli.common import fail, on_services, out, require_current_schema, settings

if TYPE_CHECKING:
    from flows.conversation import Sender
    from flows.referrals import ReferralService

T = TypeVar("T")
app = typer.Typer(
    help="Referrals to services, and the people who answer them.", no_args_is_help=True
)
AsTelegram = typer.Option(None, "--as-telegram", help="Act as this Telegram user id.")
AsDiscord = typer.Option(None, "--as-discord", help="Act as this Discord user id.")


def _who(telegram: str | None, discord: str | None) -> Sender:
    from bot import DISCORD, TELEGRAM
    from flows.conversation import Sender

    if bool(telegram) == bool(discord):
        fail("give one of --as-telegram ID or --as-discord ID", 2)
    platform, external = (TELEGRAM, telegram) if telegram else (DISCORD, discord)
    assert external is not None
    return Sender(platform, external, f"{platform.value} {external}")


def _with(work: Callable[[ReferralService], Awaitable[T]]) -> T:
    from flows.referrals import ReferralError

    url = settings().database
    require_current_schema(url)
    try:
        # The services read the store's directory: a service only an import added is there.
        return on_services(url, lambda services, _: work(services.referrals))
    except ReferralError as exc:
        fail(str(exc))


@app.command("add-provider")
def add_provider(
    organisation: str = typer.Argument(
        ..., help="The organisation's directory id, e.g. clann-credo."
    ),
    telegram: str = typer.Option(None, "--telegram", help="The person's Telegram user id."),
    discord: str = typer.Option(None, "--discord", help="The person's Discord user id."),
) -> None:
    """Let a person see and answer the referrals made to an organisation."""
    who = _who(telegram, discord)
    new = _with(lambda s: s.add_provider(organisation, who))
    out.print(
        f"{who.display_name} {'now answers' if new else 'already answered'} for {organisation}"
    )


@app.command("list")
def list_referrals(telegram: str = AsTelegram, discord: str = AsDiscord) -> None:
    """The referrals this person may see: to their organisations, and their own."""
    from flows.referrals import STATUS_WORDS

    who = _who(telegram, discord)

    async def work(s: ReferralService) -> list[str]:
        to_answer, own = await s.visible_to(who)
        lines = [
            f"#{r.id:<4} to answer  {s.name_of(r)}: {STATUS_WORDS[r.status]}" for r in to_answer
        ]
        lines += [f"#{r.id:<4} own        {s.name_of(r)}: {STATUS_WORDS[r.status]}" for r in own]
        return lines

    lines = _with(work)
    out.print("\n".join(lines) if lines else "no referrals", markup=False)


@app.command("update")
def update(
    referral_id: int = typer.Argument(...),
    status: str = typer.Option(..., "--status", help="accepted, declined, in-progress, closed"),
    outcome: str = typer.Option(
        None, "--outcome", help="When closing: got-help, not-eligible, ..."
    ),
    note: str = typer.Option(None, "--note"),
    telegram: str = AsTelegram,
    discord: str = AsDiscord,
) -> None:
    """Move a referral on; the entrepreneur is told by bot."""
    from flows.referrals import STATUS_WORDS

    who = _who(telegram, discord)
    moved = _with(lambda s: s.move(who, referral_id, status, outcome, note))
    out.print(f"#{moved.id} is now {STATUS_WORDS[moved.status]}")


@app.command("history")
def history(
    referral_id: int = typer.Argument(...), telegram: str = AsTelegram, discord: str = AsDiscord
) -> None:
    """A referral's history."""
    who = _who(telegram, discord)
    events = _with(lambda s: s.history(who, referral_id))
    for event in events:
        extra = f" ({event.outcome})" if event.outcome else ""
        note = f": {event.note}" if event.note else ""
        out.print(f"{event.at:%Y-%m-%d %H:%M}  {event.status}{extra}{note}", markup=False)
