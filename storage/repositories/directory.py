"""The support-service directory in SQL, as `flows.directory.ports.DirectoryRepository` promises.

A replace keeps the rows that other tables hold on to: territories and organisations are
matched by slug and updated in place, so an organisation's members survive an import; an
organisation the new directory leaves out is unlisted, not deleted. Services and the
vocabulary are written anew.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.directory import (
    TAXONOMIES,
    Directory,
    DirectoryError,
    Organisation,
    Place,
    Service,
    Term,
)
from storage.models import Organisation as OrganisationRow
from storage.models import (
    ServiceArea,
    ServiceAttribute,
    ServiceLanguage,
    ServiceRecord,
    TaxonomyTerm,
    Territory,
)


def _too_long(model: Any, values: dict[str, Any], where: str) -> list[str]:
    """Texts longer than their column allows, named for the person importing them."""
    problems = []
    for key, value in values.items():
        length = getattr(model.__table__.c[key].type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            problems.append(f"{where}: {key} is {len(value)} characters long, at most {length}")
    return problems


class SqlDirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_empty(self) -> bool:
        listed = await self._session.scalar(
            select(OrganisationRow.id)
            .where(OrganisationRow.directory_position.is_not(None))
            .limit(1)
        )
        term = await self._session.scalar(select(TaxonomyTerm.id).limit(1))
        return listed is None and term is None

    async def replace(self, directory: Directory) -> None:
        _check(directory)
        session = self._session
        for table in (ServiceAttribute, ServiceLanguage, ServiceArea, ServiceRecord, TaxonomyTerm):
            await session.execute(delete(table))
        terms = [
            {"taxonomy": taxonomy, "code": t.id, "label": t.label, "description": t.description}
            for taxonomy in TAXONOMIES
            for t in directory.vocabulary.get(taxonomy, {}).values()
        ]
        if terms:
            await session.execute(insert(TaxonomyTerm), terms)
        territory_ids = await self._territories(directory.places)
        organisation_ids = await self._organisations(directory.organisations, territory_ids)
        for organisation in directory.organisations:
            for service in organisation.services:
                await self._service(service, organisation_ids[organisation.slug], territory_ids)
        await session.flush()

    async def _territories(self, places: dict[str, Place]) -> dict[str, int]:
        session = self._session
        existing = {t.slug: t for t in await session.scalars(select(Territory))}
        for place in places.values():
            row = existing.get(place.slug)
            if row is None:
                row = Territory(slug=place.slug)
                session.add(row)
                existing[place.slug] = row
            row.name = place.name
            row.level = place.level
            row.country_code = place.country_code
        # Parents are set once every place has a row, whatever order the places come in.
        await session.flush()
        for place in places.values():
            existing[place.slug].parent_id = existing[place.parent].id if place.parent else None
        gone = [row.id for slug, row in existing.items() if slug not in places]
        if gone:
            await session.execute(
                update(Territory).where(Territory.id.in_(gone)).values(parent_id=None)
            )
            await session.execute(
                update(OrganisationRow)
                .where(OrganisationRow.territory_id.in_(gone))
                .values(territory_id=None)
            )
            await session.flush()
            await session.execute(delete(Territory).where(Territory.id.in_(gone)))
        await session.flush()
        return {slug: row.id for slug, row in existing.items() if slug in places}

    async def _organisations(
        self, organisations: Iterable[Organisation], territory_ids: dict[str, int]
    ) -> dict[str, int]:
        session = self._session
        await session.execute(
            update(OrganisationRow)
            .where(OrganisationRow.directory_position.is_not(None))
            .values(directory_position=None)
        )
        existing = {o.slug: o for o in await session.scalars(select(OrganisationRow))}
        for position, organisation in enumerate(organisations):
            row = existing.get(organisation.slug)
            if row is None:
                row = OrganisationRow(slug=organisation.slug)
                session.add(row)
                existing[organisation.slug] = row
            row.name = organisation.name
            row.alternate_name = organisation.alternate_name
            row.description = organisation.description
            row.website = organisation.website
            row.source = organisation.source
            row.territory_id = territory_ids[organisation.place] if organisation.place else None
            row.directory_position = position
        await session.flush()
        return {slug: row.id for slug, row in existing.items()}

    async def _service(
        self, service: Service, organisation_id: int, territory_ids: dict[str, int]
    ) -> None:
        row = ServiceRecord(
            slug=service.slug,
            organisation_id=organisation_id,
            name=service.name,
            description=service.description,
            status=service.status,
            url=service.url,
            eligibility_description=service.eligibility,
            source=service.source,
        )
        self._session.add(row)
        await self._session.flush()
        areas = [{"service_id": row.id, "territory_id": territory_ids[a]} for a in service.areas]
        languages = [{"service_id": row.id, "code": code} for code in service.languages]
        attributes = [
            {"service_id": row.id, "taxonomy": taxonomy, "term": term}
            for taxonomy in TAXONOMIES
            for term in getattr(service, taxonomy)
        ]
        for model, rows in (
            (ServiceArea, areas),
            (ServiceLanguage, languages),
            (ServiceAttribute, attributes),
        ):
            if rows:
                await self._session.execute(insert(model), rows)

    async def load(self) -> Directory | None:
        if await self.is_empty():
            return None
        session = self._session
        vocabulary: dict[str, dict[str, Term]] = {taxonomy: {} for taxonomy in TAXONOMIES}
        for term in await session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.id)):
            vocabulary[term.taxonomy][term.code] = Term(term.code, term.label, term.description)
        territories = list(await session.scalars(select(Territory).order_by(Territory.id)))
        slugs = {t.id: t.slug for t in territories}
        places = {
            t.slug: Place(
                t.slug,
                t.name,
                t.level,
                slugs[t.parent_id] if t.parent_id is not None else None,
                t.country_code,
            )
            for t in territories
        }
        areas: dict[int, set[str]] = {}
        for service_id, territory_id in await session.execute(
            select(ServiceArea.service_id, ServiceArea.territory_id)
        ):
            areas.setdefault(service_id, set()).add(slugs[territory_id])
        languages: dict[int, set[str]] = {}
        for service_id, code in await session.execute(
            select(ServiceLanguage.service_id, ServiceLanguage.code)
        ):
            languages.setdefault(service_id, set()).add(code)
        attributes: dict[tuple[int, str], set[str]] = {}
        for service_id, taxonomy, term_code in await session.execute(
            select(ServiceAttribute.service_id, ServiceAttribute.taxonomy, ServiceAttribute.term)
        ):
            attributes.setdefault((service_id, taxonomy), set()).add(term_code)
        rows = await session.scalars(
            select(OrganisationRow)
            .where(OrganisationRow.directory_position.is_not(None))
            .order_by(OrganisationRow.directory_position)
        )
        organisations = {row.id: row for row in rows}

        def terms(service_id: int, taxonomy: str) -> frozenset[str]:
            return frozenset(attributes.get((service_id, taxonomy), ()))

        services: dict[int, list[Service]] = {}
        for record in await session.scalars(select(ServiceRecord).order_by(ServiceRecord.id)):
            owner = organisations.get(record.organisation_id)
            if owner is None:
                continue
            services.setdefault(record.organisation_id, []).append(
                Service(
                    slug=record.slug,
                    organisation=owner.slug,
                    name=record.name,
                    description=record.description,
                    status=record.status,
                    needs=terms(record.id, "needs"),
                    stages=terms(record.id, "stages"),
                    target_groups=terms(record.id, "target_groups"),
                    sectors=terms(record.id, "sectors"),
                    areas=frozenset(areas.get(record.id, ())),
                    languages=frozenset(languages.get(record.id, ())),
                    url=record.url,
                    eligibility=record.eligibility_description,
                    source=record.source,
                )
            )
        built = tuple(
            Organisation(
                slug=row.slug,
                name=row.name,
                description=row.description or "",
                place=slugs[row.territory_id] if row.territory_id is not None else None,
                website=row.website,
                alternate_name=row.alternate_name,
                source=row.source,
                services=tuple(services.get(row.id, ())),
            )
            for row in organisations.values()
        )
        return Directory(vocabulary, places, built)


def _check(directory: Directory) -> None:
    """Refuse, before writing anything, what the tables cannot hold; name every problem."""
    problems: list[str] = []
    for taxonomy in TAXONOMIES:
        for term in directory.vocabulary.get(taxonomy, {}).values():
            problems += _too_long(
                TaxonomyTerm, {"code": term.id, "label": term.label}, f"{taxonomy} term {term.id}"
            )
    for place in directory.places.values():
        where = f"place {place.slug}"
        problems += _too_long(
            Territory,
            {"slug": place.slug, "name": place.name, "country_code": place.country_code},
            where,
        )
        if place.parent is not None and place.parent not in directory.places:
            problems.append(f"{where}: parent {place.parent!r} is not a place")
    seen: set[tuple[str, str]] = set()
    for organisation in directory.organisations:
        where = f"organisation {organisation.slug}"
        if ("organisation", organisation.slug) in seen:
            problems.append(f"{where}: listed twice")
        seen.add(("organisation", organisation.slug))
        problems += _too_long(
            OrganisationRow,
            {
                "slug": organisation.slug,
                "name": organisation.name,
                "alternate_name": organisation.alternate_name,
                "website": organisation.website,
                "source": organisation.source,
            },
            where,
        )
        if organisation.place is not None and organisation.place not in directory.places:
            problems.append(f"{where}: territory {organisation.place!r} is not a place")
        for service in organisation.services:
            where = f"service {service.slug} of {organisation.slug}"
            if ("service", service.slug) in seen:
                problems.append(f"{where}: a service with this id is listed twice")
            seen.add(("service", service.slug))
            problems += _too_long(
                ServiceRecord,
                {
                    "slug": service.slug,
                    "name": service.name,
                    "url": service.url,
                    "source": service.source,
                },
                where,
            )
            for code in service.languages:
                problems += _too_long(ServiceLanguage, {"code": code}, where)
            for area in sorted(service.areas - set(directory.places)):
                problems.append(f"{where}: service area {area!r} is not a place")
            for taxonomy in TAXONOMIES:
                known = directory.vocabulary.get(taxonomy, {})
                for term in sorted(getattr(service, taxonomy) - set(known)):
                    problems.append(f"{where}: {taxonomy} {term!r} is not in the vocabulary")
    if problems:
        raise DirectoryError("\n".join(problems))
