"""`deseo services ...`: the support-service directory from the terminal, for coordinators and
matchmakers: the same ranking the orientation chat gives, the needs nothing met, and the
directory out to and in from Open Referral HSDS 3.0 (JSON, or a folder of CSV files)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from deseo.cli.common import err, fail, on_store, out, require_current_schema, settings

if TYPE_CHECKING:
    from flows.directory import Directory
    from storage import Database

app = typer.Typer(
    help="The support-service directory: matching, unmet needs, HSDS export and import.",
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    hsds_json = "hsds-json"
    csv = "csv"


async def _stored(database: Database) -> Directory | None:
    from storage import SqlUnitOfWork

    async with SqlUnitOfWork(database) as uow:
        return await uow.directory.load()


def _directory() -> tuple[Directory, bool]:
    """The store's directory, or the bundled one while the store has none (then True)."""
    from flows.directory import DirectoryError, load_directory

    url = settings().database
    require_current_schema(url)
    found = on_store(url, _stored)
    if found is not None:
        return found, False
    try:
        return load_directory(), True
    except DirectoryError as exc:
        fail(str(exc).splitlines()[0])


def _counts(directory: Directory) -> str:
    services = sum(1 for _ in directory.services())
    terms = sum(len(terms) for terms in directory.vocabulary.values())
    return (
        f"{len(directory.organisations)} organisations, {services} services, "
        f"{len(directory.places)} places, {terms} vocabulary terms"
    )


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
    """Rank the directory's services for a profile, with the reasons for each (the store's
    directory, or the bundled one while the store has none)."""
    from flows.directory import Profile, match

    found, _ = _directory()
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
    from storage import SqlUnitOfWork

    url = settings().database
    require_current_schema(url)

    async def load(database: Database) -> list[tuple[str | None, str, int]]:
        async with SqlUnitOfWork(database) as uow:
            return await uow.needs.summary()

    rows = on_store(url, load)
    if not rows:
        out.print("no unmet needs recorded")
        return
    found, _ = _directory()
    places = found.places
    for place, need, count in rows:
        name = places[place].name if place in places else (place or "place not recognised")
        out.print(f"{count:>4}  {name:<28} {found.label('needs', need)}", markup=False)


@app.command("export")
def export(
    format: ExportFormat = typer.Option(
        ExportFormat.hsds_json, "--format", help="hsds-json (one file) or csv (a folder)."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="The JSON file, or the folder for the CSV files."
    ),
) -> None:
    """Write the store's directory as Open Referral HSDS 3.0: a JSON file, or a folder of CSV
    files (organizations.csv, services.csv, ...)."""
    from flows.directory import DirectoryError, to_hsds_json, write_hsds_csv

    found, bundled = _directory()
    if bundled:
        err.print("the store has no directory yet: exporting the bundled one")
    try:
        if format is ExportFormat.csv:
            if output.exists() and not output.is_dir():
                fail(f"{output}: not a folder; csv needs a folder for its files", 2)
            write_hsds_csv(found, output)
        else:
            if output.is_dir():
                fail(f"{output}: is a folder; hsds-json needs a file name", 2)
            data = to_hsds_json(found)
            output.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            output.write_text(text, encoding="utf-8")
    except DirectoryError as exc:
        for line in str(exc).splitlines():
            err.print(line, markup=False)
        fail("the directory cannot be written as HSDS; nothing was exported")
    except OSError as exc:
        fail(f"{output}: cannot write it: {exc.strerror or exc}")
    out.print(f"wrote {_counts(found)} to {output}", markup=False)


def _read(path: Path) -> Directory:
    """The directory in an HSDS JSON file or a folder of HSDS CSV files."""
    from flows.conversation import FileFault, load_json, read_text
    from flows.directory import from_hsds_csv, from_hsds_json

    if path.is_dir():
        return from_hsds_csv(path)
    if not path.exists():
        fail(f"{path}: no such file or folder", 2)
    if path.suffix.lower() == ".csv":
        fail(f"{path}: give the folder that holds the HSDS CSV files, not one of them", 2)
    try:
        data = load_json(read_text(path))
    except FileFault as exc:
        fail(f"{path}: {exc}")
    return from_hsds_json(data, where=str(path))


@app.command("import")
def import_(
    path: Path = typer.Argument(
        ..., help="An HSDS JSON file, or a folder of HSDS CSV files (as `export` writes them)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check it only; change nothing."),
) -> None:
    """Check an Open Referral HSDS 3.0 directory and put it in place of the store's, whole.

    Running services go on with the directory they read at their start until they restart."""
    from flows.directory import DirectoryError
    from storage import SqlUnitOfWork

    url = settings().database
    require_current_schema(url)
    try:
        found = _read(path)
    except DirectoryError as exc:
        problems = str(exc).splitlines()
        for line in problems:
            err.print(line, markup=False)
        fail(f"{len(problems)} problem(s) in {path}; nothing was imported")
    if dry_run:
        out.print(f"{path}: {_counts(found)}; nothing was imported (--dry-run)", markup=False)
        return

    async def replace(database: Database) -> None:
        async with SqlUnitOfWork(database) as uow:
            await uow.directory.replace(found)
            await uow.commit()

    try:
        on_store(url, replace)
    except DirectoryError as exc:
        problems = str(exc).splitlines()
        for line in problems:
            err.print(line, markup=False)
        fail(f"{len(problems)} problem(s): the store cannot hold this directory; nothing changed")
    out.print(f"imported {_counts(found)} from {path}", markup=False)
