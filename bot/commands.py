"""The chat commands every platform offers, and what they do, in one place.

Telegram's /commands and Discord's slash commands both call `ChatCommands.run`; menus (which
flow to start, which language) come back as messages whose options carry ids such as
`start:citess` or `lang:fr`, which the adapters send back to `ChatCommands.choose`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows import engine
from flows.catalog import UnknownFlow
from flows.definitions import FlowKind
from flows.messages import Command, Option, Outbound
from flows.service import ConversationService, Outcome, Sender

LANGUAGES = {"en": "English", "fr": "Français", "it": "Italiano", "es": "Español"}
MENU_TAG = "menu"
# Telegram deep links allow only these characters, up to 64 of them.
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class ChatCommand:
    name: str
    description: str


COMMANDS: tuple[ChatCommand, ...] = (
    ChatCommand("start", "Say hello, or start a flow by its name"),
    ChatCommand("assess", "Self-assessment of your partnership, phase by phase"),
    ChatCommand("survey", "Answer an open survey"),
    ChatCommand("orient", "Find support services for your enterprise"),
    ChatCommand("meetings", "Your group's coming meetings"),
    ChatCommand("resume", "Go back to where you stopped"),
    ChatCommand("back", "Return to the previous question"),
    ChatCommand("cancel", "Stop for now; your answers are kept"),
    ChatCommand("language", "Choose the language I speak"),
    ChatCommand("help", "What I can do and how to answer"),
)
COMMAND_NAMES = frozenset(c.name for c in COMMANDS)

HELP = (
    "I am deseo, the assistant of the REVES network.\n"
    "/assess: a self-assessment of your partnership, phase by phase, with a report of "
    "strengths and gaps\n"
    "/survey: answer an open survey\n"
    "/orient: find support services that fit your enterprise\n"
    "/meetings: your group's coming meetings\n"
    "/resume to pick up where you stopped, /back for the previous question, /cancel to stop "
    "(your answers are kept), /language to change language.\n"
    "Answer with the buttons, or type: a number, a word, or your own text."
)


def menu(text: str, options: list[Option]) -> Outbound:
    """A message offering a choice of commands (flows, languages) rather than answers."""
    return Outbound(
        text, kind="question", options=tuple(options), input_hint="choice", tag=MENU_TAG
    )


class ChatCommands:
    """What each command does, the same on every platform."""

    def __init__(self, service: ConversationService) -> None:
        self.service = service

    def _flows(self, kind: FlowKind) -> list[Option]:
        return [
            Option(f"start:{flow.id}", engine.local_title(flow))
            for flow in self.service.catalog
            if flow.kind == kind
        ]

    async def run(
        self, who: Sender, name: str, argument: str = "", *, event_id: str | None = None
    ) -> Outcome:
        """Carry out `/name argument` for `who`."""
        argument = argument.strip()
        if name == "start":
            return await self._start(who, argument, event_id)
        if name == "help":
            return Outcome((Outbound(HELP),))
        if name == "assess":
            return await self._kind(who, "assessment", argument, event_id)
        if name == "survey":
            return await self._kind(who, "survey", argument, event_id)
        if name == "orient":
            return await self._kind(who, "orientation", argument, event_id)
        if name == "meetings":
            return Outcome((Outbound("No meetings are scheduled for you yet."),))
        if name == "resume":
            return await self.service.resume(who, event_id=event_id)
        if name in ("back", "cancel"):
            return await self.service.handle(who, Command(name), event_id=event_id)  # type: ignore[arg-type]
        if name == "language":
            if argument in LANGUAGES:
                return await self._language(who, argument)
            options = [Option(f"lang:{code}", label) for code, label in LANGUAGES.items()]
            return Outcome((menu("Which language shall I use?", options),))
        return Outcome((Outbound(f"I do not know /{name}. Send /help to see what I can do."),))

    async def choose(self, who: Sender, option_id: str, *, event_id: str | None = None) -> Outcome:
        """Act on an option of a menu (`start:FLOW` or `lang:CODE`)."""
        kind, _, value = option_id.partition(":")
        if kind == "start":
            return await self._begin(who, value, event_id)
        if kind == "lang" and value in LANGUAGES:
            return await self._language(who, value)
        return Outcome((Outbound("That menu is out of date; send /help.", kind="notice"),))

    async def _start(self, who: Sender, payload: str, event_id: str | None) -> Outcome:
        if payload and PAYLOAD.match(payload) and payload in self.service.catalog:
            return await self._begin(who, payload, event_id)
        person = await self.service.whois(who)
        greeting = f"Hello {person.display_name}!\n{HELP}"
        current = await self.service.current(who)
        messages = [Outbound(greeting)]
        if payload:
            messages.insert(0, Outbound(f"I have nothing called {payload[:64]!r}.", kind="error"))
        if current is not None:
            title = current.state.flow_id
            if title in self.service.catalog:
                title = engine.local_title(self.service.catalog.get(title))
            messages.append(Outbound(f"You have an unfinished {title}: send /resume to go on."))
        return Outcome(tuple(messages))

    async def _kind(
        self, who: Sender, kind: FlowKind, argument: str, event_id: str | None
    ) -> Outcome:
        options = self._flows(kind)
        wanted = f"start:{argument}"
        if argument and any(o.id == wanted for o in options):
            return await self._begin(who, argument, event_id)
        if not options:
            nothing = {
                "assessment": "No self-assessment is available right now.",
                "survey": "No survey is open for you right now.",
                "orientation": "Orientation is not available yet.",
            }[kind]
            return Outcome((Outbound(nothing),))
        if len(options) == 1:
            return await self._begin(who, options[0].id.removeprefix("start:"), event_id)
        return Outcome((menu("Which one?", options),))

    async def _begin(self, who: Sender, flow_id: str, event_id: str | None) -> Outcome:
        try:
            return await self.service.begin(who, flow_id, event_id=event_id)
        except UnknownFlow:
            return Outcome((Outbound(f"I have nothing called {flow_id[:64]!r}.", kind="error"),))

    async def _language(self, who: Sender, code: str) -> Outcome:
        await self.service.set_language(who, code)
        return Outcome((Outbound(f"Language set to {LANGUAGES[code]}."),))
