"""Item 1: a directory link with a scheme other than http or https (`javascript:`, `data:`...)
is refused on import, naming the row, and never rendered as a link, whatever the store holds."""

from __future__ import annotations

import copy
import csv
import html
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from flows.directory.hsds_export import to_hsds_json, write_hsds_csv
from flows.directory.hsds_import import from_hsds_csv, from_hsds_json
from flows.directory.hsds_vocabulary import COLUMNS
from flows.directory.model import DirectoryError, load_directory, parse_directory
from flows.people.model import Role
from storage import Database, SqlUnitOfWork
from storage.models import ServiceRecord
from tests.forum.helpers import client, create_account, log_in, make_app

BUNDLED = load_directory()
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " \t\n javascript:alert(1)",
    "java\tscr\nipt:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
# What a browser does before reading an href's scheme: strip C0 controls and spaces at the ends,
# drop tabs and newlines anywhere.
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def browser_scheme(href: str) -> str | None:
    cleaned = re.sub(r"[\t\n\r]", "", href.strip("".join(map(chr, range(0x21)))))
    found = _SCHEME.match(cleaned)
    return found.group(1).lower() if found else None


def _without_as_written(record: dict[str, Any]) -> None:
    # The exact address, when the export had to add a scheme, travels as an attribute.
    record["attributes"] = [
        a
        for a in record.get("attributes", [])
        if (a.get("taxonomy_term") or {}).get("code") != "as-written"
    ]


@pytest.mark.parametrize("address", HOSTILE)
def test_a_json_import_refuses_a_hostile_service_url(address: str) -> None:
    data = copy.deepcopy(to_hsds_json(BUNDLED))
    offered = data["organizations"][0]["services"][0]
    offered["url"] = address
    _without_as_written(offered)
    with pytest.raises(DirectoryError) as caught:
        from_hsds_json(data, where="export.json")
    first = BUNDLED.organisations[0].services[0]
    assert any(
        line.startswith(
            f"export.json: organizations[0].services[0] (service {first.slug} of "
            f"{first.organisation}): url: "
        )
        and "http" in line
        for line in str(caught.value).splitlines()
    ), str(caught.value)


@pytest.mark.parametrize("address", HOSTILE)
def test_a_json_import_refuses_a_hostile_address_as_written(address: str) -> None:
    # The deseo `as-written` attribute wins over HSDS's own field, so it is checked too.
    data = copy.deepcopy(to_hsds_json(BUNDLED))
    reves = data["organizations"][0]
    written = next(a for a in reves["attributes"] if a.get("value") == "www.revesnetwork.eu")
    written["value"] = address
    with pytest.raises(DirectoryError) as caught:
        from_hsds_json(data, where="export.json")
    assert "export.json: organizations[0] (organisation reves): website: " in str(caught.value)


@pytest.mark.parametrize("address", HOSTILE)
def test_a_csv_import_refuses_a_hostile_service_url(tmp_path: Path, address: str) -> None:
    folder = tmp_path / "hsds"
    write_hsds_csv(BUNDLED, folder)
    path = folder / "services.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["url"] = address
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS["services.csv"])
        writer.writeheader()
        writer.writerows(rows)
    # The exact address, when the export had to add a scheme, travels as an attribute.
    first = BUNDLED.organisations[0].services[0]
    attributes = folder / "attributes.csv"
    with attributes.open(encoding="utf-8", newline="") as handle:
        kept = [
            row
            for row in csv.DictReader(handle)
            if row["link_id"] != rows[0]["id"] or row["value"] != first.url
        ]
    with attributes.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS["attributes.csv"])
        writer.writeheader()
        writer.writerows(kept)
    with pytest.raises(DirectoryError) as caught:
        from_hsds_csv(folder)
    assert f"{path} row 2 (service {first.slug} of {first.organisation}): url: " in str(
        caught.value
    )


@pytest.mark.parametrize("address", HOSTILE)
def test_the_yaml_directory_refuses_a_hostile_url(address: str) -> None:
    organisations = [
        {
            "id": "org",
            "name": "Org",
            "website": address,
            "services": [{"id": "svc", "name": "Svc", "url": address}],
        }
    ]
    with pytest.raises(DirectoryError) as caught:
        parse_directory({}, [], organisations, where="dir")
    text = str(caught.value)
    assert "dir/organizations.yaml: service svc of org: url: " in text
    assert "dir/organizations.yaml: organisation org: website: " in text


def test_plain_and_scheme_less_addresses_still_import() -> None:
    organisations = [
        {
            "id": "org",
            "name": "Org",
            "website": "www.example.org",
            "services": [
                {"id": "a", "name": "A", "url": "https://example.org/a"},
                {"id": "b", "name": "B", "url": "HTTP://example.org/b"},
                {"id": "c", "name": "C", "url": "example.org/c"},
            ],
        }
    ]
    parse_directory({}, [], organisations)


@pytest.mark.parametrize("address", HOSTILE)
async def test_a_hostile_url_in_the_store_is_not_a_link(database: Database, address: str) -> None:
    async with SqlUnitOfWork(database) as work:
        await work.directory.replace(BUNDLED)
        await work.session.execute(update(ServiceRecord).values(url=address))
        await work.commit()
    await create_account(database, "cora", roles=[Role.COORDINATOR])
    async with client(make_app(database)) as http:
        assert (await log_in(http, "cora")).status_code == 303
        page = await http.get("/coordinate/directory")
    assert page.status_code == 200
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page.text)]
    assert hrefs
    schemes = {browser_scheme(h) for h in hrefs} - {None}
    assert schemes <= {"http", "https"}, schemes
    # The address is still shown, as text.
    assert html.escape(address.strip()[:8]) in page.text


def test_the_templates_filter_keeps_only_web_links(database: Database) -> None:
    # Every template link from data (a service's address, a meeting's link) goes through it.
    safe_url = make_app(database).state.templates.env.filters["safe_url"]
    for address in HOSTILE:
        assert safe_url(address) is None, address
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    assert safe_url("www.example.org") == "https://www.example.org"
    assert safe_url(None) is None and safe_url("") is None
