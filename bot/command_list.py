"""The chat commands every platform offers: their names and descriptions, the help text, the
languages one can choose, and the menus commands answer with."""

from __future__ import annotations

from dataclasses import dataclass

from flows.conversation import MENU_TAG, Option, Outbound

LANGUAGES = {"en": "English", "fr": "Français", "it": "Italiano", "es": "Español"}


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
    ChatCommand("referrals", "Your requests to services, and those to answer"),
    ChatCommand("follow", "Receive a group's agendas and reminders here"),
    ChatCommand("schedule", "Coordinators: schedule a meeting (GROUP 2026-12-03T10:00 Title)"),
    ChatCommand("cancelmeeting", "Coordinators: cancel a meeting (ID [2026-12-03T10:00])"),
    ChatCommand("unfollow", "Stop receiving a group's agendas and reminders here"),
    ChatCommand("watch", "Be told here of new posts in a forum thread (its number or address)"),
    ChatCommand("unwatch", "Stop hearing of new posts in a forum thread"),
    ChatCommand("resume", "Go back to where you stopped"),
    ChatCommand("back", "Return to the previous question"),
    ChatCommand("cancel", "Stop for now; your answers are kept"),
    ChatCommand("myanswers", "See your answers, and delete them if you wish"),
    ChatCommand("link", "Link this chat to your account on the forum"),
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
    "/referrals: your requests to services (and, for providers, those to answer)\n"
    "/meetings: your group's coming meetings; /follow GROUP to receive its agendas and "
    "reminders in this chat\n"
    "/link: a code to join this chat to your account on the web forum\n"
    "/watch 12 (or a thread's address): be told here of new posts in that forum thread; "
    "/unwatch 12 to stop\n"
    "/resume to pick up where you stopped, /back for the previous question, /cancel to stop "
    "(your answers are kept), /language to change language.\n"
    "Answer with the buttons, or type: a number, a word, or your own text."
)


def menu(text: str, options: list[Option]) -> Outbound:
    """A message offering a choice of commands (flows, languages) rather than answers."""
    return Outbound(
        text, kind="question", options=tuple(options), input_hint="choice", tag=MENU_TAG
    )
