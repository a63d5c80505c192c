"""Matching an entrepreneur's profile to the directory's services, with the reasons why.

A good match offers at least one thing the person needs and serves their place (the place
itself or anything containing it: West Cork within County Cork within Ireland within the whole
network). The score adds up what fits: how many of the needs it covers, how close its service
area is, the stage, whom it is for, the sector, the language; each adds a reason in words.
When nothing fits, the nearest services are offered instead and the needs are reported unmet.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from flows.directory.model import Directory, Organisation, Place, Service

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "it": "Italian",
    "es": "Spanish",
    "ca": "Catalan",
    "sv": "Swedish",
    "de": "German",
    "nl": "Dutch",
    "ar": "Arabic",
}


@dataclass(frozen=True)
class Profile:
    """What the entrepreneur told us."""

    needs: frozenset[str]
    stage: str | None = None
    place: str | None = None
    target_groups: frozenset[str] = frozenset()
    sector: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Match:
    organisation: Organisation
    service: Service
    score: int
    reasons: tuple[str, ...]
    covers: frozenset[str]

    @property
    def next_step(self) -> str:
        link = self.service.url or self.organisation.website
        if link:
            return f"Next: see {link}, or ask me to put you in touch."
        return "Next: ask me to put you in touch."


@dataclass(frozen=True)
class Result:
    matches: tuple[Match, ...]
    # True when nothing fitted and `matches` are only the nearest services.
    nearest: bool = False
    unmet: frozenset[str] = field(default_factory=frozenset)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _points(
    profile: Profile, service: Service, distances: dict[str, int]
) -> tuple[int, int | None, bool] | None:
    """The score of a service, the distance of the nearest place it serves (None: no place
    asked, or none of its areas), and whether it serves the place; None if it offers nothing
    the person needs. Kept free of text, since it runs for every service."""
    covered = len(service.needs & profile.needs)
    if not covered:
        return None
    points = round(40 * covered / max(len(profile.needs), 1))
    serves = True
    distance: int | None = None
    if distances:
        near = [distances[a] for a in service.areas if a in distances]
        if near:
            distance = min(near)
            points += max(30 - 5 * distance, 5)
        elif service.areas:
            serves = False
    if profile.stage and service.stages:
        points += 10 if profile.stage in service.stages else -10
    if profile.target_groups and service.target_groups:
        points += 10 if profile.target_groups & service.target_groups else -5
    if profile.sector and service.sectors:
        points += 5 if profile.sector in service.sectors else -3
    if profile.language and service.languages:
        points += 5 if profile.language in service.languages else -5
    return points, distance, serves


def reasons(
    directory: Directory,
    profile: Profile,
    service: Service,
    chain: tuple[Place, ...],
    distance: int | None,
) -> tuple[str, ...]:
    """Why a service was chosen, in words, in the order that matters to the person."""
    covered = service.needs & profile.needs
    said = ["offers " + _and(sorted(directory.label("needs", n).lower() for n in covered))]
    if distance is not None:
        said.append(f"serves {chain[distance].name}")
    elif chain and service.areas:
        names = sorted(directory.places[a].name for a in service.areas if a in directory.places)
        said.append("outside your area: serves " + _and(names[:3]))
    if profile.stage and profile.stage in service.stages:
        said.append(f"for the {directory.label('stages', profile.stage).lower()} stage")
    for_whom = profile.target_groups & service.target_groups
    if for_whom:
        labels = sorted(directory.label("target_groups", t).lower() for t in for_whom)
        said.append("for " + _and(labels))
    if profile.sector and profile.sector in service.sectors:
        said.append(f"works in {directory.label('sectors', profile.sector).lower()}")
    if profile.language and profile.language in service.languages:
        said.append(f"in {LANGUAGE_NAMES.get(profile.language, profile.language)}")
    return tuple(said)


def match(
    directory: Directory, profile: Profile, *, limit: int = 5, include_inactive: bool = False
) -> Result:
    """The best services for the profile, best first, each with its reasons."""
    chain = directory.chain(profile.place) if profile.place else ()
    distances = {place.slug: n for n, place in enumerate(chain)}
    good: list[tuple[int, str, Organisation, Service, int | None]] = []
    near: list[tuple[int, str, Organisation, Service, int | None]] = []
    for organisation, service in directory.services():
        if service.status != "active" and not include_inactive:
            continue
        scored = _points(profile, service, distances)
        if scored is None:
            continue
        points, distance, serves = scored
        (good if serves else near).append((-points, service.name, organisation, service, distance))
    # Words are made only for the few shown, not for every candidate.
    chosen = heapq.nsmallest(limit, good or near, key=lambda c: (c[0], c[1]))
    matches = tuple(
        Match(
            organisation,
            service,
            -negative,
            reasons(directory, profile, service, chain, distance),
            service.needs & profile.needs,
        )
        for negative, _, organisation, service, distance in chosen
    )
    if good:
        covered = frozenset().union(*(m.covers for m in matches))
        return Result(matches, nearest=False, unmet=profile.needs - covered)
    return Result(matches, nearest=True, unmet=profile.needs)
