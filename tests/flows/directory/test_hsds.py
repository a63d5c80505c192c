"""The directory out to Open Referral HSDS 3.0 and back: JSON and CSV give back an equal
directory, the export is valid HSDS, and a broken import names the entry and the field."""

from __future__ import annotations

import copy
import csv
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from flows.directory.hsds_export import hsds_id, to_hsds_csv, to_hsds_json, write_hsds_csv
from flows.directory.hsds_import import from_hsds_csv, from_hsds_json
from flows.directory.hsds_vocabulary import COLUMNS
from flows.directory.model import (
    LEVELS,
    STATUSES,
    Directory,
    DirectoryError,
    Organisation,
    Place,
    Service,
    Term,
    load_directory,
)

BUNDLED = load_directory()
SCHEMAS = Path(__file__).parents[2] / "fixtures" / "hsds"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"schema_compiled_{name}.json").read_text())
    return loaded


def through_json(directory: Directory) -> Directory:
    text = json.dumps(to_hsds_json(directory), ensure_ascii=False)
    return from_hsds_json(json.loads(text))


def organisation(data: dict[str, Any], slug: str) -> dict[str, Any]:
    for found in data["organizations"]:
        if any(a.get("value") == slug for a in found.get("attributes", [])):
            return found
    raise AssertionError(slug)


def service(data: dict[str, Any], slug: str) -> dict[str, Any]:
    for found in data["organizations"]:
        for offered in found["services"]:
            if any(a.get("value") == slug for a in offered.get("attributes", [])):
                return offered
    raise AssertionError(slug)


def test_json_round_trip_gives_back_an_equal_directory() -> None:
    back = through_json(BUNDLED)
    assert back == BUNDLED
    assert [o.slug for o in back.organisations] == [o.slug for o in BUNDLED.organisations]


def test_csv_round_trip_gives_back_an_equal_directory(tmp_path: Path) -> None:
    written = write_hsds_csv(BUNDLED, tmp_path / "hsds")
    assert sorted(p.name for p in written) == sorted(COLUMNS)
    assert from_hsds_csv(tmp_path / "hsds") == BUNDLED


def test_every_exported_record_is_valid_hsds() -> None:
    data = to_hsds_json(BUNDLED)
    organization_schema = schema("organization")
    check = FormatChecker()
    organizations = Draft202012Validator(organization_schema, format_checker=check)
    services = Draft202012Validator(schema("service"), format_checker=check)
    term_schema = organization_schema["properties"]["services"]["items"]["properties"][
        "attributes"
    ]["items"]["properties"]["taxonomy_term"]
    terms = Draft202012Validator(term_schema, format_checker=check)
    assert len(data["organizations"]) == len(BUNDLED.organisations)
    for found in data["organizations"]:
        assert not list(organizations.iter_errors(found)), found["name"]
        for offered in found["services"]:
            assert not list(services.iter_errors(offered)), offered["name"]
    for term in data["taxonomy_terms"]:
        assert not list(terms.iter_errors(term)), term["code"]


def test_the_checker_does_check_formats() -> None:
    # Guards the test above: a website without a scheme or a slug as id is not valid HSDS.
    validator = Draft202012Validator(schema("organization"), format_checker=FormatChecker())
    bad = {"id": "reves", "name": "REVES", "description": "", "website": "www.revesnetwork.eu"}
    messages = {e.message for e in validator.iter_errors(bad)}
    assert messages == {"'reves' is not a 'uuid'", "'www.revesnetwork.eu' is not a 'uri'"}


def test_status_maps_to_hsds_and_ours_is_kept() -> None:
    data = to_hsds_json(BUNDLED)
    for _, offered in BUNDLED.services():
        exported = service(data, offered.slug)
        expected = {"active": "active", "planned": "inactive", "historical": "defunct"}
        assert exported["status"] == expected[offered.status]
        kept = [
            a["value"] for a in exported["attributes"] if a["taxonomy_term"]["code"] == "status"
        ]
        assert kept == [offered.status]
    assert {s.status for _, s in BUNDLED.services()} == set(STATUSES)


def test_websites_get_a_scheme_and_come_back_as_written() -> None:
    reves = next(o for o in BUNDLED.organisations if o.slug == "reves")
    assert reves.website == "www.revesnetwork.eu"
    data = to_hsds_json(BUNDLED)
    exported = organisation(data, "reves")
    assert exported["website"] == "https://www.revesnetwork.eu"
    assert through_json(BUNDLED).organisations[0].website == "www.revesnetwork.eu"
    for found in data["organizations"]:
        assert found.get("website", "https://").startswith(("https://", "http://"))
        for offered in found["services"]:
            assert offered.get("url", "https://").startswith(("https://", "http://"))


def test_ids_are_stable_uuids() -> None:
    first, second = to_hsds_json(BUNDLED), to_hsds_json(BUNDLED)
    assert first == second
    reves = organisation(first, "reves")
    assert reves["id"] == hsds_id("organization", "reves")
    uuid.UUID(reves["id"])


def test_vocabulary_and_the_place_tree_are_taxonomies() -> None:
    data = to_hsds_json(BUNDLED)
    terms = {(t["taxonomy"], t["code"]): t for t in data["taxonomy_terms"]}
    assert ("deseo-needs", "childcare") in terms  # no service offers it yet
    piacenza = terms[("deseo-places", "piacenza")]  # nothing refers to it
    parent = next(t for t in data["taxonomy_terms"] if t["id"] == piacenza["parent_id"])
    assert parent["code"] == "province-of-piacenza"
    level = {a["taxonomy_term"]["code"]: a["value"] for a in piacenza["attributes"]}
    assert level == {"level": "city", "country-code": "IT"}
    network = next(o for o in BUNDLED.organisations if o.slug == "reves").services[0]
    exported = service(data, network.slug)
    needs = {
        a["taxonomy_term"]["code"]
        for a in exported["attributes"]
        if a["taxonomy_term"]["taxonomy"] == "deseo-needs"
    }
    assert needs == set(network.needs)
    areas = exported["service_areas"]
    assert [a["name"] for a in areas] == ["REVES network / Europe-wide"]
    assert areas[0]["attributes"][0]["taxonomy_term"]["code"] == "europe"
    assert exported["languages"] == [
        {
            "id": hsds_id("language", network.slug, "en"),
            "service_id": exported["id"],
            "name": "English",
            "code": "en",
        }
    ]


def test_a_broken_json_import_names_the_entry_and_the_field() -> None:
    data = copy.deepcopy(to_hsds_json(BUNDLED))
    reves = data["organizations"][0]
    reves["services"][0]["status"] = "closed"
    reves["services"][1]["attributes"][0]["taxonomy_term_id"] = hsds_id("nowhere")
    del reves["services"][1]["attributes"][0]["taxonomy_term"]
    reves["services"][0]["service_areas"][0] = {"id": hsds_id("x"), "name": "Atlantis"}
    del data["organizations"][1]["name"]
    with pytest.raises(DirectoryError) as caught:
        from_hsds_json(data, where="export.json")
    lines = str(caught.value).splitlines()
    assert (
        "export.json: organizations[0].services[0] (service reves-network of reves): "
        "status: 'closed' is not one of active, inactive, temporarily closed, defunct"
    ) in lines
    assert any(
        line.startswith("export.json: organizations[0].services[1].attributes[0]: ")
        and "taxonomy_term_id" in line
        for line in lines
    )
    assert (
        "export.json: organizations[0].services[0].service_areas[0] (service area of "
        "reves-network): name: 'Atlantis' is not a place of the directory, and no attribute "
        "points at a deseo-places term"
    ) in lines
    second = BUNDLED.organisations[1].slug
    assert any(
        line.startswith(f"export.json: organizations[1] (organisation {second}): ")
        and "name" in line
        for line in lines
    )


def test_json_that_is_not_an_export_is_refused_in_one_line() -> None:
    for data in ([], {"organizations": {}}, {"organizations": [], "taxonomy_terms": 3}):
        with pytest.raises(DirectoryError) as caught:
            from_hsds_json(data, where="x.json")
        assert len(str(caught.value).splitlines()) == 1


def test_a_broken_csv_import_names_file_row_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "hsds"
    write_hsds_csv(BUNDLED, folder)
    path = folder / "services.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["status"] = ""
    rows[2]["organization_id"] = hsds_id("organization", "nobody")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS["services.csv"])
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DirectoryError) as caught:
        from_hsds_csv(folder)
    text = str(caught.value)
    first = BUNDLED.organisations[0].services[0]
    assert f"{path} row 2 (service {first.slug} of {first.organisation}): status: " in text
    assert f"{path} row 4 (service " in text and "organization_id" in text
    with pytest.raises(DirectoryError, match=r"no organizations\.csv"):
        from_hsds_csv(tmp_path)


def test_plain_hsds_tables_are_read_with_their_own_ids(tmp_path: Path) -> None:
    # As another HSDS publisher might write them: no deseo ids, a service area named, not
    # linked, the status in HSDS's words only.
    tables = to_hsds_csv(
        Directory(
            {"stages": {}, "needs": {"legal": Term("legal", "Legal")}, "target_groups": {}},
            {"europe": Place("europe", "Europe", "network", None)},
            (),
        )
    )
    org, service_id = str(uuid.uuid4()), str(uuid.uuid4())
    legal = next(t["id"] for t in tables["taxonomy_terms.csv"] if t["code"] == "legal")
    tables["organizations.csv"] = [{"id": org, "name": "Law Centre", "description": ""}]
    tables["services.csv"] = [
        {"id": service_id, "organization_id": org, "name": "Advice", "status": "defunct"}
    ]
    tables["service_areas.csv"] = [
        {"id": str(uuid.uuid4()), "service_id": service_id, "name": "EUROPE"}
    ]
    tables["attributes.csv"].append(
        {"id": str(uuid.uuid4()), "link_id": service_id, "taxonomy_term_id": legal}
    )
    folder = tmp_path / "plain"
    folder.mkdir()
    for name, rows in tables.items():
        columns = sorted({c for row in rows for c in row}) or list(COLUMNS[name])
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    found = from_hsds_csv(folder)
    assert found.vocabulary["sectors"] == {}
    (law,) = found.organisations
    assert law.slug == org and law.description == "" and law.website is None
    assert law.services == (
        Service(
            slug=service_id,
            organisation=org,
            name="Advice",
            description="",
            status="historical",
            needs=frozenset({"legal"}),
            areas=frozenset({"europe"}),
        ),
    )


def test_export_refuses_what_hsds_could_not_point_at() -> None:
    first = BUNDLED.organisations[0]
    odd = Service(
        slug="odd", organisation=first.slug, name="Odd", description="", needs=frozenset({"any"})
    )
    broken = Directory(
        BUNDLED.vocabulary,
        BUNDLED.places,
        (Organisation(first.slug, first.name, "", None, services=(odd,)),),
    )
    with pytest.raises(
        DirectoryError, match="service odd of reves: needs 'any' is not in the vocabulary"
    ):
        to_hsds_csv(broken)


# Texts as a coordinator might type them: any letters, quotes, commas, line breaks inside.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85"),
    max_size=12,
).map(str.strip) | st.sampled_from(['a, "quoted"\nline', "Västra Götaland", "100%"])
NAME = TEXT.filter(bool)
SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
OPTIONAL = st.none() | NAME


@st.composite
def directories(draw: st.DrawFn) -> Directory:
    vocabulary = {
        taxonomy: {
            code: Term(code, draw(NAME), draw(TEXT))
            for code in draw(st.lists(SLUG, max_size=3, unique=True))
        }
        for taxonomy in ("stages", "needs", "target_groups", "sectors")
    }
    slugs = draw(st.lists(SLUG, min_size=1, max_size=5, unique=True))
    places = {}
    for index, slug in enumerate(slugs):
        parent = draw(st.sampled_from(slugs[:index])) if index else None
        places[slug] = Place(
            slug,
            draw(NAME),
            draw(st.sampled_from(LEVELS)),
            parent,
            draw(st.none() | st.sampled_from(["IE", "IT"])),
        )
    ids = draw(st.lists(SLUG, max_size=6, unique=True))
    organisations = []
    while ids:
        slug = ids.pop()
        services = []
        for service_slug in [ids.pop() for _ in range(draw(st.integers(0, min(2, len(ids)))))]:
            services.append(
                Service(
                    slug=service_slug,
                    organisation=slug,
                    name=draw(NAME),
                    description=draw(TEXT),
                    status=draw(st.sampled_from(STATUSES)),
                    needs=frozenset(draw(st.sets(st.sampled_from([*vocabulary["needs"], "x"]))))
                    & frozenset(vocabulary["needs"]),
                    sectors=frozenset(vocabulary["sectors"])
                    if draw(st.booleans())
                    else frozenset(),
                    areas=frozenset(draw(st.sets(st.sampled_from(slugs), max_size=2))),
                    languages=frozenset(draw(st.sets(st.sampled_from(["en", "fr", "xx"])))),
                    url=draw(st.none() | st.sampled_from(["www.a.eu/b", "http://c.it"])),
                    eligibility=draw(OPTIONAL),
                    source=draw(OPTIONAL),
                )
            )
        organisations.append(
            Organisation(
                slug=slug,
                name=draw(NAME),
                description=draw(TEXT),
                place=draw(st.none() | st.sampled_from(slugs)),
                website=draw(st.none() | st.sampled_from(["reves.eu", "https://x.org/"])),
                alternate_name=draw(OPTIONAL),
                source=draw(OPTIONAL),
                services=tuple(services),
            )
        )
    return Directory(vocabulary, places, tuple(organisations))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(directories())
def test_any_directory_survives_both_round_trips(directory: Directory) -> None:
    assert through_json(directory) == directory
    tables = to_hsds_csv(directory)
    assert set(tables) == set(COLUMNS)


def test_any_directory_survives_csv_files(tmp_path: Path) -> None:
    @settings(max_examples=40, deadline=None)
    @given(directories())
    def check(directory: Directory) -> None:
        folder = tmp_path / "round"
        write_hsds_csv(directory, folder)
        assert from_hsds_csv(folder) == directory

    check()
