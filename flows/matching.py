"""Matching an entrepreneur's profile to the directory's services, with the reasons why.

A good match offers at least one thing the person needs and serves their place (the place
itself or anything containing it: West Cork within County Cork within Ireland within the whole
network). The score adds up what fits: how many of the needs it covers, how close its service
area is, the stage, whom it is for, the sector, the language; each adds a reason in words.
When nothing fits, the nearest services are offered instead and the needs are reported unmet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.directory import Directory, Organisation, Place, Service

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


def score(
    directory: Directory,
    profile: Profile,
    organisation: Organisation,
    service: Service,
    chain: tuple[Place, ...],
) -> tuple[int, list[str], bool] | None:
    """The score, the reasons, and whether the service serves the place; None when it offers
    nothing the person needs."""
    covered = service.needs & profile.needs
    if not covered:
        return None
    reasons = ["offers " + _and(sorted(directory.label("needs", n).lower() for n in covered))]
    points = round(40 * len(covered) / max(len(profile.needs), 1))
    serves = True
    if chain:
        distance = next((i for i, place in enumerate(chain) if place.slug in service.areas), None)
        if distance is not None:
            points += max(30 - 5 * distance, 5)
            reasons.append(f"serves {chain[distance].name}")
        elif service.areas:
            serves = False
            names = sorted(directory.places[a].name for a in service.areas if a in directory.places)
            reasons.append("outside your area: serves " + _and(names[:3]))
    if profile.stage and service.stages:
        if profile.stage in service.stages:
            points += 10
            reasons.append(f"for the {directory.label('stages', profile.stage).lower()} stage")
        else:
            points -= 10
    for_whom = profile.target_groups & service.target_groups
    if for_whom:
        points += 10
        reasons.append(
            "for " + _and(sorted(directory.label("target_groups", t).lower() for t in for_whom))
        )
    elif profile.target_groups and service.target_groups:
        points -= 5
    if profile.sector and service.sectors:
        if profile.sector in service.sectors:
            points += 5
            reasons.append(f"works in {directory.label('sectors', profile.sector).lower()}")
        else:
            points -= 3
    if profile.language and service.languages:
        if profile.language in service.languages:
            points += 5
            reasons.append(f"in {LANGUAGE_NAMES.get(profile.language, profile.language)}")
        else:
            points -= 5
    return points, reasons, serves


def match(
    directory: Directory, profile: Profile, *, limit: int = 5, include_inactive: bool = False
) -> Result:
    """The best services for the profile, best first."""
    chain = directory.chain(profile.place) if profile.place else ()
    good: list[Match] = []
    near: list[Match] = []
    for organisation, service in directory.services():
        if service.status != "active" and not include_inactive:
            continue
        scored = score(directory, profile, organisation, service, chain)
        if scored is None:
            continue
        points, reasons, serves = scored
        found = Match(organisation, service, points, tuple(reasons), service.needs & profile.needs)
        (good if serves else near).append(found)
    ranked = sorted(good, key=lambda m: (-m.score, m.service.name))[:limit]
    covered = frozenset().union(*(m.covers for m in ranked)) if ranked else frozenset()
    unmet = profile.needs - covered
    if ranked:
        return Result(tuple(ranked), nearest=False, unmet=unmet)
    nearest = sorted(near, key=lambda m: (-m.score, m.service.name))[:limit]
    return Result(tuple(nearest), nearest=True, unmet=profile.needs)
