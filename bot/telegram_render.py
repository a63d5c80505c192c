"""Outbound messages in Telegram's idiom: HTML text and inline keyboards.

Every text is HTML-escaped before the few tags of our Markdown subset are added, so nothing a
person typed (a note echoed back, a name) can break the markup. Callback data stays within
Telegram's 64 bytes: `f:<tag>:<action>[:<owner>]` for a prompt, `m:<option id>` for a menu,
`r:<meeting>:<occurrence>:<answer>` for an invitation.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.conversation import MENU_TAG, Outbound
from flows.meetings import RSVP_TAG

MAX_TEXT = 4096
CALLBACK_LIMIT = 64
BOLD = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
ITALIC = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
TYPED = ("text", "number", "date")


@dataclass(frozen=True)
class Rendered:
    """The pieces to send: texts (split to fit), and the keyboard that goes with the last."""

    texts: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None


def to_html(text: str) -> str:
    """Our Markdown subset as Telegram HTML, everything else escaped."""
    escaped = html.escape(text, quote=False)
    escaped = BOLD.sub(r"<b>\1</b>", escaped)
    return ITALIC.sub(r"<i>\1</i>", escaped)


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut text into pieces Telegram accepts, at line ends where possible, never inside a tag."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            # A single very long line: cut it hard, but not inside an HTML entity or tag.
            cut = limit
            window = line[:cut]
            for opener, closer in (("&", ";"), ("<", ">")):
                at = window.rfind(opener)
                if at != -1 and window.find(closer, at) == -1:
                    cut = at
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def callback(kind: str, *parts: str) -> str | None:
    data = ":".join((kind, *parts))
    return data if len(data.encode()) <= CALLBACK_LIMIT else None


def keyboard(message: Outbound, owner: str | None = None) -> InlineKeyboardMarkup | None:
    """Buttons for a prompt or menu; `owner` (a user id) is added in groups, so others are told
    the question is not theirs."""
    if not message.options or message.tag is None:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    suffix = (owner,) if owner else ()
    for index, option in enumerate(message.options):
        if message.tag == MENU_TAG:
            data = callback("m", option.id)
        elif message.tag == RSVP_TAG:
            # Invitations are shared by everyone in a group: no owner, anyone may answer.
            data = callback("r", option.id.removeprefix("rsvp:"))
        elif message.multiple:
            data = callback("f", message.tag, f"t{index}", *suffix)
        else:
            data = callback("f", message.tag, str(index), *suffix)
        if data is None:
            continue
        label = option.label
        if message.multiple:
            label = ("✅ " if option.id in message.selected else "▫️ ") + label
        rows.append([InlineKeyboardButton(label[:60], callback_data=data)])
    if message.multiple:
        done = callback("f", message.tag, "done", *suffix)
        if done:
            rows.append([InlineKeyboardButton("Done ✔", callback_data=done)])
    # Short labels (ratings, scales) sit side by side; long ones keep a row each.
    if not message.multiple and all(len(o.label) <= 14 for o in message.options):
        flat = [button for row in rows for button in row]
        width = 4 if len(flat) <= 4 else 5 if len(flat) <= 11 else 6
        rows = [flat[i : i + width] for i in range(0, len(flat), width)]
    return InlineKeyboardMarkup(rows) if rows else None


def render(message: Outbound, owner: str | None = None) -> Rendered:
    """A message as Telegram HTML and keyboard; progress in italics above the question."""
    parts = []
    if message.progress:
        parts.append(f"<i>{html.escape(message.progress)}</i>")
    body = to_html(message.text)
    parts.append(f"⚠️ {body}" if message.kind == "error" else body)
    if (
        message.hint
        and message.kind == "question"
        and (message.input_hint in TYPED or message.multiple)
    ):
        parts.append(f"<i>{html.escape(message.hint)}</i>")
    return Rendered(tuple(split("\n".join(parts))), keyboard(message, owner))


def answered(question_html: str, answer: str) -> str:
    """The text of a question once answered, so the chat reads as a record."""
    record = f"{question_html}\n\n✔️ <b>{html.escape(answer[:300])}</b>"
    return split(record)[0]
