"""A thread page of 50 posts under 8 concurrent connections, against a hello-world route on
the same server in the same run. Goal: the thread page at least 0.4 of hello-world's requests
per second. Prints both rates, the ratio, and p50/p99 latency.

The page is measured twice: as anonymous readers get it (from `forum.pagecache` once made),
and as a signed-in member gets it (never cached: session, store and template every time).

The server is deseo's real app (`forum.create_app`) on SQLite under uvicorn, in a child
process; the load comes from `wrk` (Debian package `wrk`) when installed, else from a small
asyncio client in another process (slower: it measures less of the server's ceiling).

Run: `.venv/bin/python -m benchmarks.forum [--seconds 10] [--database-url URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CONNECTIONS = 8
POSTS = 50
MEMBER, PASSWORD = "bench", "a benchmark password"

BODY = """Thanks for the agenda. Two points from our side:

1. The **mapping of support services** in our territory is nearly done; we can share it.
2. For the *self-assessment*, phase 2 needs more people from the municipality.

> Can we meet in Cork before the summer?

See [the minutes](https://example.org/minutes) for the details.
"""


async def seed(url: str) -> int:
    """A board and one thread of POSTS posts; the thread's id."""
    from forum import hash_password, plain_text, render
    from storage import (
        Board,
        Database,
        Person,
        Post,
        SearchDocument,
        SqlUnitOfWork,
        Thread,
        migrate,
    )

    await asyncio.to_thread(migrate.upgrade, url)
    database = Database.from_url(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with database.sessions() as session:
        authors = [Person(display_name=f"Partner {n}") for n in range(8)]
        session.add_all(authors)
        board = Board(slug="bench", title="Benchmark", description="", position=0)
        session.add(board)
        await session.flush()
        thread = Thread(
            board_id=board.id,
            author_id=authors[0].id,
            title="Next partners' meeting",
            created_at=start,
            last_post_at=start + timedelta(minutes=POSTS),
            post_count=POSTS,
        )
        session.add(thread)
        await session.flush()
        for n in range(POSTS):
            body = f"Post {n}. {BODY}"
            post = Post(
                thread_id=thread.id,
                author_id=authors[n % len(authors)].id,
                body=body,
                html=render(body),
                status="visible",
                created_at=start + timedelta(minutes=n),
            )
            session.add(post)
            await session.flush()
            session.add(
                SearchDocument(
                    post_id=post.id, thread_id=thread.id, title=thread.title, text=plain_text(body)
                )
            )
        await session.commit()
        thread_id = thread.id
    async with SqlUnitOfWork(database) as uow:
        await uow.accounts.create(MEMBER, hash_password(PASSWORD))
        await uow.commit()
    await database.dispose()
    return thread_id


def serve(url: str, port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    """The child process: deseo's app plus `/hello`, under uvicorn on loopback."""
    import uvicorn
    from fastapi.responses import PlainTextResponse

    from forum import ForumConfig, create_app
    from storage import Database

    app = create_app(Database.from_url(url), ForumConfig(secret_key="bench"), own_database=True)

    @app.get("/hello", include_in_schema=False)
    async def hello() -> PlainTextResponse:
        return PlainTextResponse("hello")

    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    ready.set()
    server.run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def wrk(url: str, seconds: int, cookie: str = "") -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency in ms, from wrk's --latency report."""
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *header, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed responses")
    return rate, percentile("50"), percentile("99")


async def _client(url: str, seconds: int, cookie: str = "") -> tuple[float, float, float]:
    import httpx

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONNECTIONS)
    headers = {"Cookie": cookie} if cookie else {}
    async with httpx.AsyncClient(limits=limits, headers=headers) as http:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                response = await http.get(url)
                response.raise_for_status()
                latencies.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, cuts[49], cuts[98]


def load(url: str, seconds: int, cookie: str = "") -> tuple[float, float, float]:
    if shutil.which("wrk"):
        return wrk(url, seconds, cookie)
    return asyncio.run(_client(url, seconds, cookie))


def session_cookie(base: str) -> str:
    """A signed-in member's session cookie, got through the real login form."""
    import httpx

    with httpx.Client(base_url=base) as http:
        form = http.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        http.post("/login", data={"csrf_token": token, "username": MEMBER, "password": PASSWORD})
        value = http.cookies.get("deseo_session")
    if not value:
        raise SystemExit("could not sign the benchmark member in")
    return f"deseo_session={value}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        thread_id = asyncio.run(seed(url))
        port = free_port()
        ready = multiprocessing.get_context("spawn").Event()
        child = multiprocessing.get_context("spawn").Process(
            target=serve, args=(url, port, ready), daemon=True
        )
        child.start()
        try:
            ready.wait(30)
            wait_up(port)
            base = f"http://127.0.0.1:{port}"
            # Warm both routes (templates compiled, connections pooled) before measuring.
            load(f"{base}/hello", 1)
            load(f"{base}/threads/{thread_id}", 1)
            cookie = session_cookie(base)
            load(f"{base}/threads/{thread_id}", 1, cookie)
            hello = load(f"{base}/hello", args.seconds)
            page = load(f"{base}/threads/{thread_id}", args.seconds)
            member = load(f"{base}/threads/{thread_id}", args.seconds, cookie)
        finally:
            child.terminate()
            child.join(10)
    ratio, member_ratio = page[0] / hello[0], member[0] / hello[0]
    tool = "wrk" if shutil.which("wrk") else "asyncio client"
    print(f"load: {tool}, {CONNECTIONS} connections, {args.seconds}s per route, {sys.platform}")
    for label, (rate, p50, p99) in (
        ("hello-world          ", hello),
        ("thread, anonymous    ", page),
        ("thread, signed in    ", member),
    ):
        print(f"{label}: {rate:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    print(f"ratio anonymous      : {ratio:.2f} (goal >= 0.40)")
    print(f"ratio signed in      : {member_ratio:.2f} (uncached)")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "ratio_signed_in": round(member_ratio, 3),
                "hello_rps": hello[0],
                "thread_rps": page[0],
                "thread_signed_in_rps": member[0],
            }
        )
    )


if __name__ == "__main__":
    main()
