"""`/coordinate/directory` and `/coordinate/needs`: the support services of the network,
filtered by need and territory, and the needs entrepreneurs asked about that no service in
their area met (what `deseo services unmet` prints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from flows.directory import Directory, Organisation, Service
from flows.people import Role
from forum.auth import require_role, uow
from forum.directory import current_directory
from forum.pages import render

router = APIRouter(prefix="/coordinate", include_in_schema=False)
Coordinator = require_role(Role.COORDINATOR)


@dataclass(frozen=True)
class Listed:
    organisation: Organisation
    service: Service
    needs: tuple[str, ...]
    areas: tuple[str, ...]


def serves(directory: Directory, service: Service, place: str) -> bool:
    """Whether a service covers a place: an area of it is the place or contains it (a service
    for Ireland serves West Cork)."""
    return any(p.slug in service.areas for p in directory.chain(place))


def _listed(directory: Directory, organisation: Organisation, service: Service) -> Listed:
    places = directory.places
    return Listed(
        organisation,
        service,
        tuple(sorted(directory.label("needs", n) for n in service.needs)),
        tuple(sorted(places[a].name if a in places else a for a in service.areas)),
    )


@router.get("/directory", response_class=HTMLResponse, dependencies=[Coordinator])
async def directory_page(
    request: Request,
    need: Annotated[str, Query(max_length=100)] = "",
    territory: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Organisations and their services, optionally only those for a need in a territory."""
    found = await current_directory(request)
    need = need if need in found.vocabulary.get("needs", {}) else ""
    territory = territory if territory in found.places else ""
    services = [
        _listed(found, organisation, service)
        for organisation, service in found.services()
        if (not need or need in service.needs)
        and (not territory or serves(found, service, territory))
    ]
    context = {
        "services": services,
        "organisations": len({s.organisation.slug for s in services}),
        "needs": sorted(found.vocabulary.get("needs", {}).values(), key=lambda t: t.label),
        "places": sorted(found.places.values(), key=lambda p: p.name),
        "need": need,
        "territory": territory,
    }
    return render(request, "coordinate/directory.html", context, title="Directory")


@dataclass(frozen=True)
class Unmet:
    need: str
    count: int


@router.get("/needs", response_class=HTMLResponse, dependencies=[Coordinator])
async def needs_page(request: Request) -> HTMLResponse:
    """Unmet needs grouped by territory, the most asked first."""
    async with uow(request) as work:
        rows = await work.needs.summary()
    found = await current_directory(request)
    places = found.places
    by_place: dict[str, list[Unmet]] = {}
    for place, need, count in rows:
        name = places[place].name if place in places else (place or "Place not recognised")
        by_place.setdefault(name, []).append(Unmet(found.label("needs", need), count))
    territories = sorted(
        by_place.items(), key=lambda item: (-sum(u.count for u in item[1]), item[0])
    )
    return render(
        request,
        "coordinate/needs.html",
        {"territories": territories, "total": sum(count for _, _, count in rows)},
        title="Unmet needs",
    )
