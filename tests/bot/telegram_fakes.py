"""Telegram without Telegram: a request layer that records what the bot would send and answers
like the Bot API, and builders of real Update JSON."""

from __future__ import annotations

import itertools
import json
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT = {
    "id": 999000,
    "is_bot": True,
    "first_name": "deseo",
    "username": "deseo_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOKEN = "999000:" + "A" * 35
DATE = 1_795_000_000


class RecordingRequest(BaseRequest):
    """Answers every Bot API method as Telegram would, and keeps each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.earlier: list[tuple[str, dict[str, Any]]] = []
        self._message_ids = itertools.count(5000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append((endpoint, params))
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, params)}).encode()

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return BOT
        if endpoint in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params.get("chat_id", 1))
            message = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": DATE,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT,
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                markup = params["reply_markup"]
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            return message
        if endpoint == "getUpdates":
            return []
        return True

    # --- reading what was sent ---------------------------------------------------------------

    def sent(self, endpoint: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == endpoint]

    def texts(self) -> list[str]:
        return [str(p["text"]) for p in self.sent()]

    def last_keyboard(self) -> list[list[dict[str, Any]]]:
        """The keyboard of the last message sent, cleared or not."""
        everything = self.earlier + self.calls
        for name, params in reversed(everything):
            if name == "sendMessage" and "reply_markup" in params:
                markup = params["reply_markup"]
                data = json.loads(markup) if isinstance(markup, str) else markup
                return list(data["inline_keyboard"])
        raise AssertionError("no keyboard was sent")

    def clear(self) -> None:
        self.earlier += self.calls
        self.calls = []


_update_ids = itertools.count(1)
_message_ids = itertools.count(100)


def user(user_id: int = 4242, name: str = "Aoife") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "en"}


def chat(chat_id: int = 4242, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "Aoife"}
    return {"id": chat_id, "type": kind, "title": "Cork DESEO partners"}


def text_update(
    text: str,
    *,
    sender: dict[str, Any] | None = None,
    where: dict[str, Any] | None = None,
    update_id: int | None = None,
    edited: bool = False,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": DATE,
        "chat": where or chat(),
        "from": sender or user(),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if edited:
        message["edit_date"] = DATE + 60
    key = "edited_message" if edited else "message"
    return {"update_id": update_id or next(_update_ids), key: message}


def press_update(
    data: str,
    *,
    sender: dict[str, Any] | None = None,
    where: dict[str, Any] | None = None,
    keyboard: list[list[dict[str, Any]]] | None = None,
    text: str = "question",
    message_id: int = 5000,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": DATE,
        "chat": where or chat(),
        "from": BOT,
        "text": text,
    }
    if keyboard is not None:
        message["reply_markup"] = {"inline_keyboard": keyboard}
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cq{next(_update_ids)}",
            "from": sender or user(),
            "chat_instance": "ci-1",
            "data": data,
            "message": message,
        },
    }
