"""A real browser against a real `deseo up`: register, start a thread, reply, search, and answer
one web-chat question, the way a member would, in Debian's headless chromium via Playwright.

The browser is the system's (`/usr/bin/chromium`, installed by `.ci/run`), never a download.
Without it the test is skipped on a developer's machine and fails under CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but chromium is not installed: .ci/run installs it")
    pytest.skip("no chromium on this machine (apt install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`deseo up` on a fresh SQLite store in its own data folder; its base URL."""
    folder: Path = tmp_path_factory.mktemp("site")
    port = free_port()
    env = {
        **os.environ,
        "DESEO_DATA_DIR": str(folder),
        "DESEO_WEB_PORT": str(port),
        "DESEO_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    for name in ("DESEO_DATABASE_URL", "DESEO_TELEGRAM_TOKEN", "DESEO_DISCORD_TOKEN"):
        env.pop(name, None)
    deseo = Path(sys.executable).with_name("deseo")
    log = (folder / "deseo.log").open("w")
    process = subprocess.Popen([str(deseo), "up"], env=env, stdout=log, stderr=log, cwd=folder)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "deseo.log").read_text()) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(20)
        log.close()


@pytest.fixture(scope="module")
def page(site: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(base_url=site)
        yield context.new_page()
        browser.close()


def test_a_member_registers_posts_replies_searches_and_chats(page: Page) -> None:
    page.goto("/register")
    page.get_by_label("User name").fill("marta")
    page.get_by_label("Password", exact=True).fill("a long secret phrase")
    page.get_by_label("The same password again").fill("a long secret phrase")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name="Self-assessment", exact=False).first.click()
    page.get_by_role("link", name="Start a new thread").click()
    page.get_by_label("Title").fill("Phase 2 in Messina")
    page.get_by_label("Your post").fill(
        "Our **cluster** finished the mapping of social enterprises."
    )
    page.get_by_role("button", name="Start the thread").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phase 2 in Messina")
    expect(page.locator("strong", has_text="cluster")).to_be_visible()

    page.get_by_label("Your reply").fill("Well done: can you share the map?")
    page.get_by_role("button", name="Post the reply").click()
    expect(page.get_by_text("can you share the map?")).to_be_visible()

    page.goto("/search")
    page.get_by_label("Words to find", exact=False).fill("mapping")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("mark", has_text="mapping").first).to_be_visible()
    page.get_by_role("link", name="Phase 2 in Messina").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phase 2 in Messina")

    page.goto("/chat")
    page.get_by_role("button", name="Start: Find support", exact=False).first.click()
    question = page.locator("form.prompt")
    expect(question).to_be_visible()
    page.keyboard.press("Tab")  # the form is reachable from the keyboard
    first_choice = question.locator("input[type=radio], input[type=checkbox], button[name=choice]")
    first_choice.first.click()
    if question.get_by_role("button", name="Answer").count():
        question.get_by_role("button", name="Answer").click()
    expect(page.locator("form.prompt, .report, .matches").first).to_be_visible()
