"""The terminal chat: a flow run at the keyboard, or fed answers on stdin one per line."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import TextIO

from flows.conversation import (
    MENU_TAG,
    ConversationService,
    Outbound,
    Outcome,
    Reply,
    Sender,
    UnknownFlow,
    build_report,
    to_markdown,
)
from flows.unit_of_work import UnitOfWork

BOLD = re.compile(r"\*(.+?)\*")


def render(message: Outbound, *, color: bool = False) -> str:
    """An outbound message as terminal text: numbered choices, a dim line for progress and hint."""

    def dim(text: str) -> str:
        return f"\033[2m{text}\033[0m" if color else text

    text = BOLD.sub((lambda m: f"\033[1m{m.group(1)}\033[0m") if color else r"\1", message.text)
    lines = []
    if message.progress:
        lines.append(dim(f"[{message.progress}]"))
    lines.append(text if message.kind != "error" else f"! {text}")
    # Menus (put me in touch, start a flow) are buttons for the chat platforms; the terminal
    # runs one flow and has no use for them.
    options = () if message.tag == MENU_TAG else message.options
    for number, option in enumerate(options, start=1):
        mark = "[x] " if option.id in message.selected else ("[ ] " if message.multiple else "")
        lines.append(f"  {number}. {mark}{option.label}")
    if message.hint and message.kind == "question":
        lines.append(dim(message.hint))
    return "\n".join(lines)


class ConsoleChat:
    """Runs one person's conversation between a reader and a writer (the terminal by default)."""

    def __init__(
        self,
        service: ConversationService[UnitOfWork],
        who: Sender,
        reader: TextIO,
        writer: TextIO,
        *,
        color: bool = False,
        interactive: bool = False,
    ) -> None:
        self._service = service
        self._who = who
        self._reader = reader
        self._writer = writer
        self._color = color
        self._interactive = interactive

    def _show(self, outcome: Outcome) -> None:
        for message in outcome.messages:
            self._writer.write(render(message, color=self._color) + "\n\n")
        self._writer.flush()

    async def run(self, flow_id: str | None, *, new: bool = False) -> int:
        """Chat until the flow is complete (0), the person stops (0) or input ends (1)."""
        if flow_id is None:
            outcome = await self._service.resume(self._who)
            if outcome.conversation_id is None:
                self._show(outcome)
                self._writer.write("Run `deseo chat FLOW_ID` to start one.\n")
                return 2
        else:
            try:
                outcome = await self._service.begin(self._who, flow_id, new=new)
            except UnknownFlow as exc:
                self._writer.write(f"{exc}\n")
                return 2
        self._show(outcome)
        while outcome.status == "open":
            if self._interactive:
                self._writer.write("> ")
                self._writer.flush()
            line = await asyncio.to_thread(self._reader.readline)
            if not line:
                name = outcome.flow_id or ""
                self._writer.write(
                    f"\nStopped before the end. Your answers are saved: run "
                    f"`deseo chat {name}` to go on.\n"
                )
                return 1
            # Each line is its own event, so a line is never applied twice.
            outcome = await self._service.handle(
                self._who, Reply(line.rstrip("\r\n")), event_id=f"console-{uuid.uuid4()}"
            )
            self._show(outcome)
        if outcome.status == "completed" and outcome.conversation_id is not None:
            found = await self._service.report(outcome.conversation_id)
            if found is not None:
                flow, state = found
                if flow.kind == "assessment":
                    report = build_report(flow, state.answers, state.language, complete=True)
                    self._writer.write(to_markdown(report) + "\n")
            self._writer.write(f"(conversation {outcome.conversation_id})\n")
        return 0
