"""`deseo services ...`: the support-service directory from the terminal, for coordinators and
matchmakers: the same ranking the orientation chat gives, and the needs nothing met."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum

import typer

from deseo.cli.common import fail, out, require_current_schema, settings
from deseo.compose import directory
from flows.directory import DirectoryError
from flows.matching import Profile, match
from storage import Database, SqlUnitOfWork

app = typer.Typer(
    help="The support-service directory: matching and unmet needs.", no_args_is_help=True
)


class Format(StrEnum):
    table = "table"
    json = "json"


@app.command("match")
def match_services(
    need: list[str] = typer.Option(..., "--need", help="A need id (repeatable), e.g. financing."),
    stage: str = typer.Option(None, "--stage", help="ideation, start-up, development, ..."),
    where: str = typer.Option(None, "--where", help="A place: West Cork, Messina, ireland, ..."),
    target: list[str] = typer.Option(None, "--target", help="A target group id (repeatable)."),
    sector: str = typer.Option(None, "--sector", help="A sector id, e.g. crafts."),
    lang: str = typer.Option(None, "--lang", help="A language code, e.g. en."),
    limit: int = typer.Option(5, "--limit", min=1, max=100),
    format: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Rank the directory's services for a profile, with the reasons for each."""
    try:
        found = directory()
    except DirectoryError as exc:
        fail(str(exc).splitlines()[0])
    vocabulary = found.vocabulary
    for value, taxonomy, option in (
        *((n, "needs", "--need") for n in need),
        *((t, "target_groups", "--target") for t in target or ()),
        *(((stage, "stages", "--stage"),) if stage else ()),
        *(((sector, "sectors", "--sector"),) if sector else ()),
    ):
        if value not in vocabulary[taxonomy]:
            known = ", ".join(sorted(vocabulary[taxonomy]))
            fail(f"{option}: {value!r} is not one of: {known}", 2)
    place = found.find_place(where) if where else None
    if where and place is None:
        fail(f"--where: I do not know the place {where!r}", 2)
    profile = Profile(
        needs=frozenset(need),
        stage=stage,
        place=place.slug if place else None,
        target_groups=frozenset(target or ()),
        sector=sector,
        language=lang,
    )
    result = match(found, profile, limit=limit)
    if format is Format.json:
        data = {
            "nearest_only": result.nearest,
            "unmet": sorted(result.unmet),
            "matches": [
                {
                    "organization": {"id": m.organisation.slug, "name": m.organisation.name},
                    "service": {"id": m.service.slug, "name": m.service.name},
                    "score": m.score,
                    "reasons": list(m.reasons),
                    "next_step": m.next_step,
                }
                for m in result.matches
            ],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not result.matches:
        out.print("no service offers that yet")
    elif result.nearest:
        out.print("nothing serves that place; the nearest:")
    for number, m in enumerate(result.matches, start=1):
        out.print(f"{number}. [{m.score}] {m.service.name} ({m.organisation.name})", markup=False)
        out.print(f"   {'; '.join(m.reasons)}", markup=False)
    if result.unmet:
        out.print(f"unmet: {', '.join(sorted(result.unmet))}")


@app.command("unmet")
def unmet() -> None:
    """Needs that entrepreneurs asked about and no service in their area met, by place."""
    url = settings().database
    require_current_schema(url)

    async def load() -> list[tuple[str | None, str, int]]:
        database = Database.from_url(url)
        try:
            async with SqlUnitOfWork(database) as uow:
                return await uow.needs.summary()
        finally:
            await database.dispose()

    rows = asyncio.run(load())
    if not rows:
        out.print("no unmet needs recorded")
    places = directory().places
    for place, need, count in rows:
        name = places[place].name if place in places else (place or "place not recognised")
        out.print(f"{count:>4}  {name:<28} {directory().label('needs', need)}", markup=False)
