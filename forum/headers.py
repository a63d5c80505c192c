"""Security headers on every response: a Content-Security-Policy that allows no script on the
site's own pages (they have none), no framing, no sniffing, referrers kept on the site, and
HSTS when the public URL is https.

The API docs (Swagger UI, ReDoc) load their scripts and styles from a CDN and start with one
inline script; they get their own policy, allowing those files and that script by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES_POLICY = (
    "default-src 'self'; script-src 'none'; "
    # Templates have <style> blocks and a few style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    "default-src 'none'; script-src " + DOCS_CDN + " {scripts}; "
    f"style-src {DOCS_CDN} https://fonts.googleapis.com 'unsafe-inline'; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "connect-src 'self'; worker-src blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def script_hashes(page: bytes) -> list[str]:
    """CSP sources allowing exactly the inline scripts of `page`."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    ]


class SecurityHeaders:
    """ASGI middleware: added last in `create_app`, so cached and error pages get them too."""

    def __init__(self, app: ASGIApp, *, https: bool, docs_paths: Iterable[str]) -> None:
        self.app = app
        self.https = https
        self.docs_paths = frozenset(docs_paths)

    def _add(self, message: Message, policy: str) -> None:
        headers = MutableHeaders(scope=message)
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        # A page that asks for less (the password reset link: no referrer at all) keeps it.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["X-Frame-Options"] = "DENY"
        if self.https:
            headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in self.docs_paths:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add(message, PAGES_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The docs pages are small: held whole, so their inline script can be hashed.
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        scripts = " ".join(script_hashes(body)) or "'none'"
        for message in held:
            if message["type"] == "http.response.start":
                self._add(message, DOCS_POLICY.format(scripts=scripts))
            await send(message)
