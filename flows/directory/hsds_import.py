"""The directory in from Open Referral HSDS 3.0: JSON or a folder of CSV tables, as
`hsds_export` writes them, checked so that every problem names the file or JSON path, the
organisation or service, and the field.

On import, attributes of taxonomies other than deseo's are ignored; a record without the
deseo `id` attribute keeps its HSDS id as its slug; a service area without a place attribute
is matched to a place by its name. Empty texts read back as absent.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.directory.hsds_vocabulary import (
    COLUMNS,
    FIELDS,
    FROM_HSDS_STATUS,
    PLACES,
    VOCABULARY_TAXONOMIES,
    Row,
)
from flows.directory.model import (
    LEVELS,
    STATUSES,
    TAXONOMIES,
    Directory,
    DirectoryError,
    Organisation,
    Place,
    Service,
    Term,
    fold,
)
from flows.web_addresses import web_address_problem


@dataclass
class _Record:
    """One HSDS record to read, and where it came from, for error messages."""

    where: str
    values: Row

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()


@dataclass
class _Source:
    """Every record of an import, table by table, with its place in the file."""

    tables: dict[str, list[_Record]] = field(default_factory=lambda: {n: [] for n in COLUMNS})
    problems: list[str] = field(default_factory=list)

    def add(self, table: str, where: str, values: Mapping[str, Any]) -> Row:
        row = {
            key: _text(value) for key, value in values.items() if not isinstance(value, list | dict)
        }
        self.tables[table].append(_Record(where, row))
        return row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _label(record: _Record, kind: str, slug: str | None = None) -> str:
    name = slug or record.get("id") or "?"
    return f"{record.where} ({kind} {name})"


def from_hsds_json(data: Any, where: str = "json") -> Directory:
    """Read a directory from HSDS JSON as `to_hsds_json` writes it; raise `DirectoryError`
    naming the path, the organisation or service, and the field."""
    source = _Source()
    if not isinstance(data, dict):
        raise DirectoryError(f"{where}: expected an object with organizations and taxonomy_terms")
    organizations = data.get("organizations")
    terms = data.get("taxonomy_terms")
    if not isinstance(organizations, list):
        raise DirectoryError(f"{where}: organizations: expected a list of organizations")
    if not isinstance(terms, list):
        raise DirectoryError(f"{where}: taxonomy_terms: expected a list of taxonomy terms")
    for index, term in enumerate(terms):
        _read_term(source, f"{where}: taxonomy_terms[{index}]", term, listed=True)
    for index, organization in enumerate(organizations):
        path = f"{where}: organizations[{index}]"
        if not isinstance(organization, dict):
            source.problems.append(f"{path}: expected an object")
            continue
        # What is nested belongs to what it is nested in, whatever its own link fields say.
        org_id = source.add("organizations.csv", path, organization).get("id", "")
        _read_attributes(source, path, organization, "organization", org_id)
        for s_index, service in enumerate(_items(source, path, organization, "services")):
            s_path = f"{path}.services[{s_index}]"
            values = {**service, "organization_id": org_id}
            s_id = source.add("services.csv", s_path, values).get("id", "")
            _read_attributes(source, s_path, service, "service", s_id)
            for a_index, area in enumerate(_items(source, s_path, service, "service_areas")):
                a_path = f"{s_path}.service_areas[{a_index}]"
                a_id = source.add("service_areas.csv", a_path, {**area, "service_id": s_id})
                _read_attributes(source, a_path, area, "service_area", a_id.get("id", ""))
            for l_index, language in enumerate(_items(source, s_path, service, "languages")):
                l_path = f"{s_path}.languages[{l_index}]"
                source.add("languages.csv", l_path, {**language, "service_id": s_id})
    return _build(source)


def _items(source: _Source, path: str, record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        source.problems.append(f"{path}: {key}: expected a list")
        return []
    good = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            good.append(item)
        else:
            source.problems.append(f"{path}.{key}[{index}]: expected an object")
    return good


def _read_attributes(
    source: _Source, path: str, record: dict[str, Any], entity: str, link_id: str
) -> None:
    for index, attribute in enumerate(_items(source, path, record, "attributes")):
        a_path = f"{path}.attributes[{index}]"
        values = {**attribute, "link_id": link_id, "link_entity": entity}
        term = attribute.get("taxonomy_term")
        if isinstance(term, dict):
            values["taxonomy_term_id"] = values.get("taxonomy_term_id") or term.get("id")
            _read_term(source, f"{a_path}.taxonomy_term", term, listed=False)
        source.add("attributes.csv", a_path, values)


def _read_term(source: _Source, path: str, term: Any, *, listed: bool) -> None:
    if not isinstance(term, dict):
        source.problems.append(f"{path}: expected an object")
        return
    values = dict(term)
    detail = term.get("taxonomy_detail")
    if isinstance(detail, dict):
        values.setdefault("taxonomy", detail.get("name"))
        values.setdefault("taxonomy_id", detail.get("id"))
    # A term inline in an attribute repeats one listed at the top; the listed one counts.
    values["_listed"] = "yes" if listed else ""
    row = source.add("taxonomy_terms.csv", path, values)
    _read_attributes(source, path, term, "taxonomy_term", row.get("id", ""))


def from_hsds_csv(folder: Path) -> Directory:
    """Read a directory from a folder of HSDS CSV files as `write_hsds_csv` writes them;
    raise `DirectoryError` naming the file, the row, the record and the field."""
    if not folder.is_dir():
        raise DirectoryError(f"{folder}: not a folder of HSDS CSV files")
    source = _Source()
    if not (folder / "organizations.csv").is_file():
        raise DirectoryError(f"{folder}: no organizations.csv in it")
    for name in COLUMNS:
        path = folder / name
        if not path.is_file():
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for number, values in enumerate(csv.DictReader(handle), start=2):
                    extra = values.pop(None, None)
                    if extra:
                        source.problems.append(f"{path} row {number}: more cells than columns")
                    source.add(name, f"{path} row {number}", values)
        except OSError as exc:
            raise DirectoryError(f"{path}: cannot read it: {exc.strerror}") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DirectoryError(f"{path}: not a UTF-8 CSV file: {exc}") from None
    return _build(source)


@dataclass
class _Reader:
    """Turns the records of an import into a `Directory`, collecting every problem."""

    source: _Source
    problems: list[str]
    terms: dict[str, _Record] = field(default_factory=dict)
    taxonomy_names: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, list[_Record]] = field(default_factory=dict)

    def index(self) -> None:
        for record in self.source.tables["taxonomies.csv"]:
            if record.get("id"):
                self.taxonomy_names[record.get("id")] = record.get("name")
        for record in self.source.tables["taxonomy_terms.csv"]:
            term_id = record.get("id")
            if not term_id:
                self.problems.append(f"{record.where}: id: a taxonomy term needs an id")
                continue
            if term_id not in self.terms or record.get("_listed"):
                self.terms[term_id] = record
        for record in self.source.tables["attributes.csv"]:
            term_id = record.get("taxonomy_term_id")
            if term_id not in self.terms:
                self.problems.append(
                    f"{record.where}: taxonomy_term_id: {term_id or 'missing'!r} is not a "
                    "taxonomy term"
                )
                continue
            self.attributes.setdefault(record.get("link_id"), []).append(record)

    def taxonomy(self, term: _Record) -> str:
        return term.get("taxonomy") or self.taxonomy_names.get(term.get("taxonomy_id"), "")

    def linked(self, record_id: str, taxonomy: str) -> list[_Record]:
        """The terms of one taxonomy that a record's attributes point at."""
        return [
            self.terms[a.get("taxonomy_term_id")]
            for a in self.attributes.get(record_id, [])
            if self.taxonomy(self.terms[a.get("taxonomy_term_id")]) == taxonomy
        ]

    def value(self, record_id: str, name: str) -> str | None:
        """A deseo field given as an attribute value, or None."""
        for attribute in self.attributes.get(record_id, []):
            term = self.terms[attribute.get("taxonomy_term_id")]
            if self.taxonomy(term) == FIELDS and term.get("code") == name:
                return attribute.get("value") or None
        return None


def _build(source: _Source) -> Directory:
    problems = source.problems
    reader = _Reader(source, problems)
    reader.index()

    vocabulary: dict[str, dict[str, Term]] = {taxonomy: {} for taxonomy in TAXONOMIES}
    by_name = {name: taxonomy for taxonomy, name in VOCABULARY_TAXONOMIES.items()}
    place_terms: dict[str, _Record] = {}
    for term_id, term in reader.terms.items():
        taxonomy = reader.taxonomy(term)
        code, name = term.get("code"), term.get("name")
        if taxonomy not in by_name and taxonomy != PLACES:
            continue
        if not code or not name:
            problems.append(f"{term.where}: code and name: a {taxonomy} term needs both")
            continue
        if taxonomy == PLACES:
            place_terms[term_id] = term
        else:
            known = vocabulary[by_name[taxonomy]]
            if code in known:
                problems.append(f"{term.where}: code: {code!r} is in {taxonomy} twice")
            known[code] = Term(code, name, term.get("description"))

    places: dict[str, Place] = {}
    for term_id, term in place_terms.items():
        slug = term.get("code")
        where = _label(term, "place", slug)
        level = reader.value(term_id, "level")
        if level not in LEVELS:
            said = "missing" if level is None else f"{level!r} is not a level"
            problems.append(
                f"{where}: level: {said}; give it as an attribute pointing at the {FIELDS} "
                f"term 'level' with one of {', '.join(LEVELS)} as its value"
            )
            continue
        if slug in places:
            problems.append(f"{where}: code: the place {slug!r} is listed twice")
        parent: str | None = None
        parent_id = term.get("parent_id")
        if parent_id:
            if parent_id not in place_terms:
                problems.append(f"{where}: parent_id: {parent_id!r} is not a place")
            else:
                parent = place_terms[parent_id].get("code")
        places[slug] = Place(
            slug=slug,
            name=term.get("name"),
            level=level,
            parent=parent,
            country_code=reader.value(term_id, "country-code"),
        )

    def place_of(record: _Record, kind: str, slug: str) -> str | None:
        found = reader.linked(record.get("id"), PLACES)
        if len(found) > 1:
            problems.append(f"{_label(record, kind, slug)}: attributes: more than one place")
        return found[0].get("code") if found else None

    services_of: dict[str, list[_Record]] = {}
    for record in source.tables["services.csv"]:
        services_of.setdefault(record.get("organization_id"), []).append(record)
    areas_of: dict[str, list[_Record]] = {}
    for record in source.tables["service_areas.csv"]:
        areas_of.setdefault(record.get("service_id"), []).append(record)
    languages_of: dict[str, list[_Record]] = {}
    for record in source.tables["languages.csv"]:
        languages_of.setdefault(record.get("service_id"), []).append(record)

    seen: set[str] = set()
    organisation_ids: set[str] = set()
    service_ids: set[str] = set()
    organisations: list[Organisation] = []
    for record in source.tables["organizations.csv"]:
        org_id = record.get("id")
        slug = reader.value(org_id, "id") or org_id
        where = _label(record, "organisation", slug)
        if not org_id or not record.get("name"):
            # Its services are still checked, so every problem is found in one go.
            problems.append(f"{where}: id and name: an organization needs both")
        if org_id in organisation_ids:
            problems.append(f"{where}: id: {org_id!r} is used by another organization")
        organisation_ids.add(org_id)
        if slug in seen:
            problems.append(f"{where}: id: the deseo id {slug!r} is used twice")
        seen.add(slug)
        territory = place_of(record, "organisation", slug)
        website = reader.value(org_id, "as-written") or record.get("website") or None
        _check_address(problems, where, "website", website)
        services = []
        for s_record in services_of.get(org_id, []):
            service = _service(reader, s_record, slug, places, areas_of, languages_of, seen)
            if service is not None:
                services.append(service)
        organisations.append(
            Organisation(
                slug=slug,
                name=record.get("name"),
                description=record.get("description"),
                place=territory,
                website=website,
                alternate_name=record.get("alternate_name") or None,
                source=reader.value(org_id, "source"),
                services=tuple(services),
            )
        )
    for record in source.tables["services.csv"]:
        service_ids.add(record.get("id"))
        if record.get("organization_id") not in organisation_ids:
            deseo_id = reader.value(record.get("id"), "id")
            problems.append(
                f"{_label(record, 'service', deseo_id)}: organization_id: "
                f"{record.get('organization_id') or 'missing'!r} is not an organization"
            )
    for table, kind in (("service_areas.csv", "service area"), ("languages.csv", "language")):
        for record in source.tables[table]:
            if record.get("service_id") not in service_ids:
                problems.append(
                    f"{_label(record, kind, None)}: service_id: "
                    f"{record.get('service_id') or 'missing'!r} is not a service"
                )
    if problems:
        raise DirectoryError("\n".join(problems))
    return Directory(vocabulary, places, tuple(organisations))


def _service(
    reader: _Reader,
    record: _Record,
    organisation: str,
    places: Mapping[str, Place],
    areas_of: Mapping[str, Sequence[_Record]],
    languages_of: Mapping[str, Sequence[_Record]],
    seen: set[str],
) -> Service | None:
    problems = reader.problems
    service_id = record.get("id")
    slug = reader.value(service_id, "id") or service_id
    where = f"{record.where} (service {slug or '?'} of {organisation})"
    if not service_id or not record.get("name"):
        problems.append(f"{where}: id and name: a service needs both")
        return None
    if slug in seen:
        problems.append(f"{where}: id: the deseo id {slug!r} is used twice")
    seen.add(slug)
    hsds_status = record.get("status")
    status = reader.value(service_id, "status")
    if hsds_status not in FROM_HSDS_STATUS:
        problems.append(
            f"{where}: status: {hsds_status or 'missing'!r} is not one of "
            f"{', '.join(FROM_HSDS_STATUS)}"
        )
    elif status is None:
        status = FROM_HSDS_STATUS[hsds_status]
    if status is not None and status not in STATUSES:
        problems.append(
            f"{where}: status attribute: {status!r} is not one of {', '.join(STATUSES)}"
        )
    sets: dict[str, frozenset[str]] = {}
    for taxonomy in TAXONOMIES:
        codes = {t.get("code") for t in reader.linked(service_id, VOCABULARY_TAXONOMIES[taxonomy])}
        sets[taxonomy] = frozenset(codes)
    by_name = {fold(place.name): slug for slug, place in places.items()}
    areas = set()
    for area in areas_of.get(service_id, []):
        found = reader.linked(area.get("id"), PLACES)
        if found:
            areas.add(found[0].get("code"))
        elif fold(area.get("name")) in by_name:
            areas.add(by_name[fold(area.get("name"))])
        else:
            problems.append(
                f"{area.where} (service area of {slug}): name: {area.get('name')!r} is not a "
                f"place of the directory, and no attribute points at a {PLACES} term"
            )
    languages = set()
    for language in languages_of.get(service_id, []):
        code = language.get("code")
        if not code:
            problems.append(f"{language.where} (language of {slug}): code: missing")
        languages.add(code)
    url = reader.value(service_id, "as-written") or record.get("url") or None
    _check_address(problems, where, "url", url)
    return Service(
        slug=slug,
        organisation=organisation,
        name=record.get("name"),
        description=record.get("description"),
        status=status or "active",
        needs=sets["needs"],
        stages=sets["stages"],
        target_groups=sets["target_groups"],
        sectors=sets["sectors"] - {"any"},
        areas=frozenset(areas),
        languages=frozenset(languages),
        url=url,
        eligibility=record.get("eligibility_description") or None,
        source=reader.value(service_id, "source"),
    )


def _check_address(problems: list[str], where: str, name: str, address: str | None) -> None:
    # It becomes a link on the coordinators' pages: `javascript:` would run in their session.
    problem = web_address_problem(address) if address else None
    if problem is not None:
        problems.append(f"{where}: {name}: {problem}")
