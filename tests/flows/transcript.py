"""Whole dialogues as transcripts, in the spirit of zulip's `verify_dialog`.

A `Chat` drives the pure engine for one flow, renders every outbound message as plain text
(text, then numbered options, as the terminal shows them) and keeps the conversation so far, so
that a failing expectation reads like the chat that led to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flows.conversation.definitions import Flow
from flows.conversation.engine import prompt, start, step
from flows.conversation.messages import Command, Done, Event, Outbound, Pick, Press, Reply, Toggle
from flows.conversation.state import State

Given = str | Event
"""What the person sends: plain text (a `Reply`) or any inbound event."""
Expected = str | Sequence[str]
"""A fragment the reply must contain, or several that it must all contain."""
Turn = tuple[Given, Expected]


def as_event(given: Given) -> Event:
    return Reply(given) if isinstance(given, str) else given


def show_input(given: Given) -> str:
    """The person's side of the chat; events without text show as what a button would send."""
    event = as_event(given)
    if isinstance(event, Reply):
        return event.text
    if isinstance(event, Pick):
        return f"[pick {', '.join(event.choice_ids) or 'nothing'}]"
    if isinstance(event, Toggle):
        return f"[toggle {event.choice_id}]"
    if isinstance(event, Done):
        return "[done]"
    if isinstance(event, Press):
        return f"[press {event.action} on {event.tag}]"
    assert isinstance(event, Command)
    return f"[/{event.name}]"


def render_message(message: Outbound) -> str:
    """One outbound message as the terminal shows it: progress, text, numbered options, hint."""
    lines = []
    if message.progress:
        lines.append(f"[{message.progress}]")
    lines.append(f"! {message.text}" if message.kind == "error" else message.text)
    for number, option in enumerate(message.options, start=1):
        mark = ""
        if message.multiple:
            mark = "[x] " if option.id in message.selected else "[ ] "
        lines.append(f"  {number}. {mark}{option.label}")
    if message.hint and message.kind == "question":
        lines.append(f"  ({message.hint})")
    return "\n".join(lines)


def render(messages: Iterable[Outbound]) -> str:
    return "\n\n".join(render_message(m) for m in messages)


def _fragments(expected: Expected) -> tuple[str, ...]:
    return (expected,) if isinstance(expected, str) else tuple(expected)


@dataclass
class Chat:
    """One conversation with the engine, and its transcript so far."""

    flow: Flow
    state: State
    last: list[Outbound]
    lines: list[str] = field(default_factory=list)
    # The tag of the latest prompt shown with buttons: a refusal shows none, the buttons stay.
    buttons: str | None = None

    def __post_init__(self) -> None:
        self._see(self.last)

    def _see(self, messages: list[Outbound]) -> None:
        for message in messages:
            if message.tag is not None:
                self.buttons = message.tag

    @classmethod
    def start(cls, flow: Flow, language: str | None = None) -> Chat:
        state, out = start(flow, language)
        return cls(flow, state, out, [f"bot> {render(out)}"])

    @classmethod
    def resume(cls, flow: Flow, state: State) -> Chat:
        """Pick up a stored state, showing what the engine would show to continue it."""
        out = prompt(flow, state)
        return cls(flow, state, out, [f"bot> {render(out)}"])

    @property
    def reply(self) -> str:
        """The last reply as plain text."""
        return render(self.last)

    def press(self, action: str) -> Press:
        """A press of a button of the latest prompt with buttons: an option's index, t<index>,
        done or a command name."""
        assert self.buttons is not None, "no message had buttons\n" + self.transcript()
        return Press(self.buttons, action)

    def transcript(self) -> str:
        return "\n".join(self.lines)

    def send(self, given: Given, expected: Expected = ()) -> str:
        """Send one input, check the reply holds every expected fragment, return the reply."""
        self.state, self.last = step(self.flow, self.state, as_event(given))
        self._see(self.last)
        self.lines.append(f"you> {show_input(given)}")
        self.lines.append(f"bot> {self.reply}")
        assert self.last, f"the engine said nothing\n--- chat ---\n{self.transcript()}"
        self.expect(expected)
        return self.reply

    def expect(self, expected: Expected) -> None:
        """Assert the last reply contains every fragment; on failure show the whole chat."""
        missing = [f for f in _fragments(expected) if f not in self.reply]
        assert not missing, f"expected {missing} in the last reply\n--- chat ---\n" + (
            self.transcript()
        )

    def run(self, dialog: Iterable[Turn]) -> None:
        for given, expected in dialog:
            self.send(given, expected)


def verify_dialog(
    flow: Flow, dialog: Iterable[Turn], *, opening: Expected = (), language: str | None = None
) -> Chat:
    """Start `flow`, check the opening, then each (input, expected fragments) turn in order."""
    chat = Chat.start(flow, language)
    chat.expect(opening)
    chat.run(dialog)
    return chat
