"""A few seconds' cache of the pages anonymous readers get: the front page, boards, threads.

Most forum traffic is people (and crawlers) reading without signing in, and those pages are
the same for all of them, so the web process keeps each for `seconds` and serves it without
touching the store. It never serves or keeps a page for a request with a session cookie or an
`Authorization` header, nor a response that sets a cookie or is not a 200. Any request other
than GET or HEAD handled by this process empties the cache, so a change made here shows at
once; a change made by another process (another web worker, the CLI) shows within `seconds`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHED_PREFIXES = ("/boards/", "/threads/")


@dataclass(frozen=True, slots=True)
class _Page:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    stored_at: float


class PageCache:
    """ASGI middleware keeping anonymous readers' pages for `seconds`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        seconds: float,
        session_cookie: str,
        max_pages: int = 512,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.max_pages = max_pages
        self._cookie = session_cookie.encode() + b"="
        self._clock = clock
        self._pages: OrderedDict[str, _Page] = OrderedDict()

    def clear(self) -> None:
        self._pages.clear()

    def _cacheable(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if (path != "/" and not path.startswith(CACHED_PREFIXES)) or path.endswith("/new"):
            return False
        for name, value in scope["headers"]:
            if name == b"authorization" or (name == b"cookie" and self._cookie in value):
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            try:
                await self.app(scope, receive, send)
            finally:
                self.clear()
            return
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        now = self._clock()
        page = self._pages.get(key)
        if page is not None and now - page.stored_at < self.seconds:
            self._pages.move_to_end(key)
            await send({"type": "http.response.start", "status": 200, "headers": page.headers})
            body = b"" if scope["method"] == "HEAD" else page.body
            await send({"type": "http.response.body", "body": body})
            return
        await self._fill(key, now, scope, receive, send)

    async def _fill(self, key: str, now: float, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        keep = scope["method"] == "GET"

        async def capture(message: Message) -> None:
            nonlocal start, keep
            if message["type"] == "http.response.start":
                start = message
                headers = message.get("headers", [])
                if message["status"] != 200 or any(n == b"set-cookie" for n, _ in headers):
                    keep = False
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start is not None:
                    self._pages[key] = _Page(list(start.get("headers", [])), b"".join(chunks), now)
                    if len(self._pages) > self.max_pages:
                        self._pages.popitem(last=False)
            await send(message)

        await self.app(scope, receive, capture)
