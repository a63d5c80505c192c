"""The support-service directory as typed data: vocabulary, places, organisations and their
services, after the Open Referral Human Services Data Specification (HSDS 3.0).

Loaded from the bundled YAML in `flows/content/directory/` (or an import) and checked: every
need, stage, target group, sector and place a service names must exist, and a problem names the
file and the organisation or service.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.conversation import FileFault, load_yaml, read_text
from flows.web_addresses import web_address_problem

FOLDER = Path(__file__).parent.parent / "content" / "directory"
TAXONOMIES = ("stages", "needs", "target_groups", "sectors")
STATUSES = ("active", "planned", "historical")
LEVELS = ("network", "country", "region", "province", "city", "area")


class DirectoryError(ValueError):
    """A directory file with mistakes; every line names the file and the entry."""


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    level: str
    parent: str | None
    country_code: str | None = None


@dataclass(frozen=True)
class Service:
    slug: str
    organisation: str
    name: str
    description: str
    status: str = "active"
    needs: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    target_groups: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    url: str | None = None
    eligibility: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Organisation:
    slug: str
    name: str
    description: str
    place: str | None
    website: str | None = None
    alternate_name: str | None = None
    source: str | None = None
    services: tuple[Service, ...] = ()


@dataclass(frozen=True)
class Directory:
    """Everything the matcher needs, in memory."""

    vocabulary: dict[str, dict[str, Term]]
    places: dict[str, Place]
    organisations: tuple[Organisation, ...]
    _names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def services(self) -> Iterator[tuple[Organisation, Service]]:
        for organisation in self.organisations:
            for service in organisation.services:
                yield organisation, service

    def chain(self, slug: str) -> tuple[Place, ...]:
        """The place and every place containing it, up to the network: West Cork, County
        Cork, Ireland, Europe."""
        found: list[Place] = []
        current: str | None = slug
        while current is not None and current in self.places and len(found) < 12:
            place = self.places[current]
            found.append(place)
            current = place.parent
        return tuple(found)

    def label(self, taxonomy: str, term: str) -> str:
        found = self.vocabulary.get(taxonomy, {}).get(term)
        return found.label if found else term

    def find_place(self, text: str) -> Place | None:
        """A place by slug or name as people type it ("west cork", "Västra Götaland",
        "vastra gotaland"), or a unique place whose name starts with the text."""
        said = fold(text)
        if not said:
            return None
        if not self._names:
            for place in self.places.values():
                self._names[fold(place.name)] = place.slug
                self._names[fold(place.slug.replace("-", " "))] = place.slug
        if said in self._names:
            return self.places[self._names[said]]
        starts = {slug for name, slug in self._names.items() if name.startswith(said)}
        if len(starts) == 1 and len(said) >= 3:
            return self.places[starts.pop()]
        return None


def fold(text: str) -> str:
    """Lower case, no accents, single spaces, dashes as spaces: how place names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").replace("/", " ").split())


def _list(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def parse_directory(
    vocabulary: Any, territories: Any, organisations: Any, where: str = "directory"
) -> Directory:
    """Check the three parts of a directory and build it; raise `DirectoryError` listing
    every problem."""
    problems: list[str] = []
    terms: dict[str, dict[str, Term]] = {t: {} for t in TAXONOMIES}
    for taxonomy in TAXONOMIES:
        for item in _list((vocabulary or {}).get(taxonomy)):
            if not isinstance(item, dict) or not item.get("id") or not item.get("label"):
                problems.append(
                    f"{where}/vocabulary.yaml: {taxonomy}: every term needs id and label"
                )
                continue
            terms[taxonomy][str(item["id"])] = Term(
                str(item["id"]), str(item["label"]), str(item.get("description") or "")
            )
    places: dict[str, Place] = {}
    for item in _list(territories):
        slug = str(item.get("id", "")) if isinstance(item, dict) else ""
        if not slug or not item.get("name") or item.get("level") not in LEVELS:
            levels = ", ".join(LEVELS)
            problems.append(
                f"{where}/territories.yaml: {slug or item!r}: needs id, name, level ({levels})"
            )
            continue
        if slug in places:
            problems.append(f"{where}/territories.yaml: {slug}: listed twice")
        places[slug] = Place(
            slug,
            str(item["name"]),
            str(item["level"]),
            item.get("parent"),
            item.get("country_code"),
        )
    for place in places.values():
        if place.parent is not None and place.parent not in places:
            problems.append(
                f"{where}/territories.yaml: {place.slug}: parent {place.parent!r} is not a place"
            )
    built: list[Organisation] = []
    seen: set[str] = set()
    for item in _list(organisations):
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            problems.append(f"{where}/organizations.yaml: every organisation needs id and name")
            continue
        slug = str(item["id"])
        label = f"{where}/organizations.yaml: organisation {slug}"
        if slug in seen:
            problems.append(f"{label}: id used twice")
        seen.add(slug)
        if item.get("territory") is not None and item["territory"] not in places:
            problems.append(f"{label}: territory {item['territory']!r} is not a place")
        problems += _address_problems(label, "website", item.get("website"))
        services = []
        for raw in _list(item.get("services")):
            service_slug = str(raw.get("id", "")) if isinstance(raw, dict) else ""
            where_service = f"{where}/organizations.yaml: service {service_slug or '?'} of {slug}"
            if not service_slug or not raw.get("name"):
                problems.append(f"{where_service}: needs id and name")
                continue
            if service_slug in seen:
                problems.append(f"{where_service}: id used twice")
            seen.add(service_slug)
            status = str(raw.get("status") or "active")
            if status not in STATUSES:
                problems.append(
                    f"{where_service}: status {status!r} is not one of {', '.join(STATUSES)}"
                )
            problems += _address_problems(where_service, "url", raw.get("url"))
            sets: dict[str, frozenset[str]] = {}
            for taxonomy in TAXONOMIES:
                values = frozenset(str(v) for v in _list(raw.get(taxonomy)))
                unknown = sorted(values - set(terms[taxonomy]) - {"any"})
                if unknown:
                    problems.append(f"{where_service}: {taxonomy} {unknown} not in the vocabulary")
                sets[taxonomy] = values
            areas = frozenset(str(v) for v in _list(raw.get("service_areas")))
            for area in sorted(areas - set(places)):
                problems.append(f"{where_service}: service area {area!r} is not a place")
            services.append(
                Service(
                    slug=service_slug,
                    organisation=slug,
                    name=str(raw["name"]),
                    description=str(raw.get("description") or ""),
                    status=status,
                    needs=sets["needs"],
                    stages=sets["stages"],
                    target_groups=sets["target_groups"],
                    sectors=sets["sectors"] - {"any"},
                    areas=areas,
                    languages=frozenset(str(v) for v in _list(raw.get("languages"))),
                    url=raw.get("url"),
                    eligibility=raw.get("eligibility_description"),
                    source=raw.get("source"),
                )
            )
        built.append(
            Organisation(
                slug=slug,
                name=str(item["name"]),
                description=str(item.get("description") or ""),
                place=item.get("territory"),
                website=item.get("website"),
                alternate_name=item.get("alternate_name"),
                source=item.get("source"),
                services=tuple(services),
            )
        )
    if problems:
        raise DirectoryError("\n".join(problems))
    return Directory(terms, places, tuple(built))


def _address_problems(where: str, name: str, address: Any) -> list[str]:
    # It becomes a link on the coordinators' pages: `javascript:` would run in their session.
    problem = web_address_problem(str(address)) if address else None
    return [] if problem is None else [f"{where}: {name}: {problem}"]


def load_directory(folder: Path = FOLDER) -> Directory:
    """The directory in `folder` (vocabulary.yaml, territories.yaml, organizations.yaml)."""
    parts = []
    for name in ("vocabulary.yaml", "territories.yaml", "organizations.yaml"):
        path = folder / name
        try:
            parts.append(load_yaml(read_text(path)))
        except FileFault as exc:
            raise DirectoryError(f"{path}: {exc}") from None
    vocabulary, territories, organisations = parts
    return parse_directory(vocabulary, territories, organisations, where=str(folder))
