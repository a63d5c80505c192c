"""`deseo bots` as a person runs it, against a fake Telegram Bot API on loopback: the real
process, the real polling, the real HTTP; only Telegram's servers are stood in for."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.bot.telegram_fakes import BOT, TOKEN, text_update
from tests.deseo.cli_env import run_deseo


class FakeBotApi:
    """Just enough of the Bot API for a bot to poll and answer."""

    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.methods: list[str] = []
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self.call, methods=["POST"])])

    async def call(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        self.methods.append(method)
        body = (await request.body()).decode()
        if request.headers.get("content-type", "").startswith("application/json"):
            params: dict[str, Any] = json.loads(body or "{}")
        else:
            params = {k: v[-1] for k, v in parse_qs(body).items()}
        if request.path_params["token"] != TOKEN:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        if method == "getMe":
            result: Any = BOT
        elif method == "getUpdates":
            offset = int(params.get("offset", 0) or 0)
            for _ in range(10):
                ready = [u for u in self.pending if u["update_id"] >= offset]
                if ready:
                    break
                await asyncio.sleep(0.1)
            result = [u for u in self.pending if u["update_id"] >= offset]
        elif method in ("sendMessage", "editMessageText"):
            self.sent.append(params)
            result = {
                "message_id": len(self.sent) + 1000,
                "date": 0,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT,
                "text": params.get("text", ""),
            }
        else:
            result = True
        return JSONResponse({"ok": True, "result": result})

    def texts(self) -> list[str]:
        return [str(p.get("text", "")) for p in self.sent]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bot_api() -> Iterator[tuple[FakeBotApi, int]]:
    fake = FakeBotApi()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield fake, port
    server.should_exit = True
    thread.join(timeout=10)


def wait_for(predicate: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_deseo_bots_answers_on_telegram(bot_api: tuple[FakeBotApi, int], tmp_path: Path) -> None:
    fake, port = bot_api
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    env |= {
        "DESEO_DATA_DIR": str(tmp_path / "data"),
        "DESEO_TELEGRAM_TOKEN": TOKEN,
        "DESEO_TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
    }
    deseo = [sys.executable, "-m", "deseo"]
    run_deseo(["db", "upgrade"], env, tmp_path).check_returncode()
    process = subprocess.Popen(
        [*deseo, "bots"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: "getUpdates" in fake.methods), "the bot never polled"
        assert "setMyCommands" in fake.methods
        fake.pending.append(text_update("/start deseo"))
        assert wait_for(lambda: any("question 1 of 7" in t for t in fake.texts()))
        fake.pending.append(text_update("yes"))
        assert wait_for(lambda: any("question 2 of 7" in t for t in fake.texts()))
        keyboard = json.loads(fake.sent[-1]["reply_markup"])["inline_keyboard"]
        assert next(b["text"] for row in keyboard for b in row) == "Yes"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "telegram   polling" in output and "deseo stopped." in output


def test_a_refused_token_is_one_clear_line(bot_api: tuple[FakeBotApi, int], tmp_path: Path) -> None:
    _, port = bot_api
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESEO_")}
    env |= {
        "DESEO_DATA_DIR": str(tmp_path / "data"),
        "DESEO_TELEGRAM_TOKEN": "123456:" + "B" * 35,
        "DESEO_TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
    }
    deseo = [sys.executable, "-m", "deseo"]
    run_deseo(["db", "upgrade"], env, tmp_path).check_returncode()
    result = subprocess.run(
        [*deseo, "bots"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "deseo: stopped: Telegram refused the token in DESEO_TELEGRAM_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
