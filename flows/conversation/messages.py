"""What goes in and out of a conversation, free of any platform.

Adapters turn a platform's update into an inbound event and render each outbound message in
their own idiom: inline keyboards or buttons in a chat, forms on the web, numbered lists in
the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MENU_TAG = "menu"
"""The tag of a message whose options are commands (a flow to start, a language, an answer to
a referral) rather than answers to a question; adapters send their ids back as choices."""

CommandName = Literal["back", "skip", "help", "restart", "cancel", "resume"]
InputHint = Literal["choice", "choices", "rating", "number", "date", "text", "none"]
MessageKind = Literal["question", "info", "error", "summary", "report", "notice"]


@dataclass(frozen=True, slots=True)
class Reply:
    """Something the person typed or a button they pressed that carries its text."""

    text: str


@dataclass(frozen=True, slots=True)
class Pick:
    """Choices picked by id, as buttons and forms send them; several for a multiple choice."""

    choice_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Toggle:
    """One choice of a multiple-choice question switched on or off, before `Pick` or `Done`."""

    choice_id: str


@dataclass(frozen=True, slots=True)
class Done:
    """The toggled selection of a multiple-choice question is complete."""


@dataclass(frozen=True, slots=True)
class Command:
    """A control word: back, skip, help, restart, cancel, resume."""

    name: CommandName


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed on an earlier message: the prompt's `tag` and what the button does.

    `action` is the index of an option (`"2"`), a toggle of one (`"t2"`), `"done"`, or a command
    name. Buttons carry indices, not ids, so that they fit the few dozen bytes chat platforms
    allow a button's data; a button of a prompt that is no longer current is
    refused instead of answering the wrong question.
    """

    tag: str
    action: str


Event = Reply | Pick | Toggle | Done | Command | Press


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the person: the id to send back and the label to show."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to the person. `text` uses a small Markdown subset: *bold*, _italic_, lists."""

    text: str
    kind: MessageKind = "info"
    options: tuple[Option, ...] = ()
    multiple: bool = False
    input_hint: InputHint = "none"
    hint: str | None = None
    step_id: str | None = None
    progress: str | None = None
    selected: tuple[str, ...] = field(default=())
    # Names the prompt for buttons (see `Press`); set on every message that offers options.
    tag: str | None = None
