"""The directory out to Open Referral HSDS 3.0: JSON and a folder of CSV tables.

An export reads back into an equal `Directory` (see `hsds_import`); how the records map onto
HSDS is told in `hsds_vocabulary`.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flows.directory.hsds_vocabulary import (
    COLUMNS,
    FIELD_TERMS,
    FIELDS,
    LINK_TYPES,
    PLACES,
    TAXONOMY_DESCRIPTIONS,
    TO_HSDS_STATUS,
    VOCABULARY_TAXONOMIES,
    Row,
    Tables,
)
from flows.directory.matching import LANGUAGE_NAMES
from flows.directory.model import TAXONOMIES, Directory, DirectoryError, Organisation, Service

# Never change it: every exported id is derived from it.
NAMESPACE = uuid.UUID("6f1d3c52-5d0e-5b0a-9a43-3e2f8c1b7d10")
# HSDS requires these keys in JSON even when the text is empty.
REQUIRED_JSON = {"organization": ("description",), "taxonomy_term": ("description",)}


def hsds_id(*parts: str) -> str:
    """The HSDS id of a deseo record: the same parts give the same UUID, export after export."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def with_scheme(address: str) -> str:
    """A web address as HSDS wants it (`format: uri`): `https://` added when it has no scheme."""
    return address if "://" in address else f"https://{address}"


class _Writer:
    """Collects the rows of every table while the directory is walked."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.tables: Tables = {name: [] for name in COLUMNS}
        self.problems: list[str] = []

    def add(self, table: str, **values: str | None) -> str:
        row = {column: values.get(column) or "" for column in COLUMNS[table]}
        self.tables[table].append(row)
        return row["id"]

    def attribute(
        self, link_entity: str, link_id: str, term_id: str, link_type: str, value: str = ""
    ) -> None:
        self.add(
            "attributes.csv",
            id=hsds_id("attribute", link_id, term_id),
            link_id=link_id,
            link_type=link_type,
            link_entity=link_entity,
            taxonomy_term_id=term_id,
            value=value,
        )

    def field(self, link_entity: str, link_id: str, name: str, value: str | None) -> None:
        if value is not None:
            self.attribute(link_entity, link_id, _term_id(FIELDS, name), "deseo", value)

    def taxonomies(self) -> None:
        for name in (*VOCABULARY_TAXONOMIES.values(), PLACES, FIELDS):
            self.add(
                "taxonomies.csv",
                id=hsds_id("taxonomy", name),
                name=name,
                description=TAXONOMY_DESCRIPTIONS[name],
            )

    def terms(self) -> None:
        for taxonomy in TAXONOMIES:
            name = VOCABULARY_TAXONOMIES[taxonomy]
            for term in self.directory.vocabulary.get(taxonomy, {}).values():
                self._term(name, term.id, term.label, term.description)
        for place in self.directory.places.values():
            place_id = self._term(
                PLACES,
                place.slug,
                place.name,
                "",
                parent_id=_term_id(PLACES, place.parent) if place.parent else None,
            )
            self.field("taxonomy_term", place_id, "level", place.level)
            self.field("taxonomy_term", place_id, "country-code", place.country_code)
        for code, (label, description) in FIELD_TERMS.items():
            self._term(FIELDS, code, label, description)

    def _term(
        self, taxonomy: str, code: str, name: str, description: str, parent_id: str | None = None
    ) -> str:
        return self.add(
            "taxonomy_terms.csv",
            id=_term_id(taxonomy, code),
            code=code,
            name=name,
            description=description,
            parent_id=parent_id,
            taxonomy=taxonomy,
            taxonomy_id=hsds_id("taxonomy", taxonomy),
        )

    def organisation(self, organisation: Organisation) -> None:
        website = with_scheme(organisation.website) if organisation.website else None
        org_id = self.add(
            "organizations.csv",
            id=hsds_id("organization", organisation.slug),
            name=organisation.name,
            alternate_name=organisation.alternate_name,
            description=organisation.description,
            website=website,
        )
        self.field("organization", org_id, "id", organisation.slug)
        if website != organisation.website:
            self.field("organization", org_id, "as-written", organisation.website)
        self.field("organization", org_id, "source", organisation.source)
        if organisation.place is not None:
            where = f"organisation {organisation.slug}"
            self._place("organization", org_id, organisation.place, where)
        for service in organisation.services:
            self.service(org_id, service)

    def service(self, org_id: str, service: Service) -> None:
        url = with_scheme(service.url) if service.url else None
        service_id = self.add(
            "services.csv",
            id=hsds_id("service", service.slug),
            organization_id=org_id,
            name=service.name,
            description=service.description,
            url=url,
            status=TO_HSDS_STATUS.get(service.status, service.status),
            eligibility_description=service.eligibility,
        )
        where = f"service {service.slug} of {service.organisation}"
        self.field("service", service_id, "id", service.slug)
        self.field("service", service_id, "status", service.status)
        if url != service.url:
            self.field("service", service_id, "as-written", service.url)
        self.field("service", service_id, "source", service.source)
        for taxonomy in TAXONOMIES:
            known = self.directory.vocabulary.get(taxonomy, {})
            for code in sorted(getattr(service, taxonomy)):
                if code not in known:
                    self.problems.append(
                        f"{where}: {taxonomy} {code!r} is not in the vocabulary, so no HSDS "
                        "taxonomy term can stand for it"
                    )
                    continue
                term_id = _term_id(VOCABULARY_TAXONOMIES[taxonomy], code)
                self.attribute("service", service_id, term_id, LINK_TYPES[taxonomy])
        for area in sorted(service.areas):
            place = self.directory.places.get(area)
            area_id = self.add(
                "service_areas.csv",
                id=hsds_id("service_area", service.slug, area),
                service_id=service_id,
                name=place.name if place else area,
            )
            self._place("service_area", area_id, area, where)
        for code in sorted(service.languages):
            self.add(
                "languages.csv",
                id=hsds_id("language", service.slug, code),
                service_id=service_id,
                name=LANGUAGE_NAMES.get(code, code),
                code=code,
            )

    def _place(self, link_entity: str, link_id: str, slug: str, where: str) -> None:
        if slug not in self.directory.places:
            self.problems.append(f"{where}: place {slug!r} is not in the directory")
            return
        self.attribute(link_entity, link_id, _term_id(PLACES, slug), "place")


def _term_id(taxonomy: str, code: str) -> str:
    return hsds_id("taxonomy_term", taxonomy, code)


def to_hsds_csv(directory: Directory) -> Tables:
    """The directory as HSDS tables: file name -> rows (column -> text, "" when empty).

    Raises `DirectoryError` when the directory names something it does not hold (a service
    area that is not a place, a need that is not in the vocabulary)."""
    writer = _Writer(directory)
    writer.taxonomies()
    writer.terms()
    for organisation in directory.organisations:
        writer.organisation(organisation)
    if writer.problems:
        raise DirectoryError("\n".join(writer.problems))
    return writer.tables


def _json_record(row: Row, kind: str = "") -> dict[str, Any]:
    keep = REQUIRED_JSON.get(kind, ())
    return {key: value for key, value in row.items() if value or key in keep}


def to_hsds_json(directory: Directory) -> dict[str, list[dict[str, Any]]]:
    """The directory as HSDS JSON: `organizations`, each complete with its services, and
    `taxonomy_terms`, every term of the vocabulary, the places and deseo's fields."""
    tables = to_hsds_csv(directory)
    taxonomies = {row["id"]: row for row in tables["taxonomies.csv"]}
    terms = {row["id"]: _json_record(row, "taxonomy_term") for row in tables["taxonomy_terms.csv"]}
    attributes: dict[str, list[dict[str, Any]]] = {}
    for row in tables["attributes.csv"]:
        attribute = _json_record(row)
        attribute["taxonomy_term"] = terms[row["taxonomy_term_id"]]
        attributes.setdefault(row["link_id"], []).append(attribute)

    def nested(rows: Iterable[Row], kind: str = "") -> list[dict[str, Any]]:
        found = []
        for row in rows:
            record = _json_record(row, kind)
            if row["id"] in attributes:
                record["attributes"] = attributes[row["id"]]
            found.append(record)
        return found

    def children(table: str, key: str, parent: str) -> list[Row]:
        return [row for row in tables[table] if row[key] == parent]

    organizations = []
    for organization in nested(tables["organizations.csv"], "organization"):
        services = nested(children("services.csv", "organization_id", organization["id"]))
        for service in services:
            service["service_areas"] = nested(
                children("service_areas.csv", "service_id", service["id"])
            )
            service["languages"] = nested(children("languages.csv", "service_id", service["id"]))
        organization["services"] = services
        organizations.append(organization)
    listed = []
    for term_id, term in terms.items():
        # Inline terms name their taxonomy; the listed ones describe it as well.
        detail = taxonomies[term["taxonomy_id"]]
        entry = {**term, "taxonomy_detail": _json_record(detail)}
        if term_id in attributes:
            entry["attributes"] = attributes[term_id]
        listed.append(entry)
    return {"organizations": organizations, "taxonomy_terms": listed}


def write_hsds_csv(directory: Directory, folder: Path) -> list[Path]:
    """Write the HSDS tables as CSV files into `folder` (made if missing); returns the files."""
    tables = to_hsds_csv(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[name])
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
