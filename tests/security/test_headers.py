"""Item 4: every response carries a strict Content-Security-Policy (no script at all on the
site's own pages), refuses framing and sniffing, keeps referrers on the site, and asks for
HTTPS (HSTS) only when the site is reached over https."""

from __future__ import annotations

import pytest

from storage import Database
from tests.forum.helpers import client, make_app

PATHS = {
    "page": "/login",
    "api": "/api/boards",
    "error page": "/no-such-page",
    "api error": "/api/threads/99999",
}


def directives(policy: str) -> dict[str, set[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = set(values)
    return found


@pytest.mark.parametrize("kind", PATHS)
async def test_every_response_carries_the_headers(database: Database, kind: str) -> None:
    async with client(make_app(database)) as http:
        response = await http.get(PATHS[kind])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["object-src"] == {"'none'"}
    assert "'unsafe-inline'" not in policy.get("script-src", set())
    assert "'unsafe-eval'" not in str(policy)


async def test_hsts_only_when_the_public_url_is_https(database: Database) -> None:
    async with client(make_app(database, public_url="https://forum.example.org")) as http:
        for path in PATHS.values():
            response = await http.get(path)
            assert response.headers["strict-transport-security"].startswith("max-age=")
            assert int(response.headers["strict-transport-security"].split("=")[1]) >= 31536000


async def test_the_api_docs_run_only_their_own_scripts(database: Database) -> None:
    async with client(make_app(database)) as http:
        response = await http.get("/docs")
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == {"'none'"}
    scripts = policy["script-src"]
    # Swagger UI's bundle from its CDN and the one inline script that starts it, by its hash.
    assert "'unsafe-inline'" not in scripts and "*" not in scripts
    assert any(source.startswith("'sha256-") for source in scripts)
    assert response.headers["x-content-type-options"] == "nosniff"
