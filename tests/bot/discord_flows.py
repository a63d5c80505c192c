"""A small assessment for the Discord tests: one question of each kind a button can answer.

The tests keep to their own flows so that edits to the bundled content do not break them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot import DISCORD
from flows.clock import FixedClock
from flows.conversation.catalog import FlowCatalog
from flows.conversation.definitions import Flow
from flows.conversation.loading import parse_flow
from flows.conversation.service import ConversationService, Sender
from storage import Database, unit_of_work_factory
from tests.bot.discord_fake import Person

SIOBHAN = Person(700_000_000_000_000_001, "Siobhán")
FIRST, SECOND, THIRD, FOURTH = "shared-aims", "needs", "city", "size"


def check_flow() -> Flow:
    return parse_flow(
        {
            "id": "check",
            "version": 1,
            "kind": "assessment",
            "title": "Partnership check",
            "description": "Four questions about your partnership.",
            "languages": ["en", "fr"],
            "phases": [
                {
                    "id": "basics",
                    "title": "The basics",
                    "steps": [
                        {
                            "id": FIRST,
                            "kind": "rating",
                            "source": "deseo:standard:a",
                            "text": "Do all the partners share the same aims?",
                            "note": True,
                        },
                        {
                            "id": SECOND,
                            "kind": "multiple",
                            "source": "deseo:standard:b",
                            "text": "Which support do you need?",
                            "choices": [
                                {"id": "money", "label": "Finance"},
                                {"id": "training", "label": "Training"},
                                {"id": "space", "label": "Premises"},
                            ],
                        },
                        {
                            "id": THIRD,
                            "kind": "text",
                            "source": "deseo:standard:c",
                            "text": "Which city are you in?",
                        },
                        {
                            "id": FOURTH,
                            "kind": "single",
                            "source": "deseo:standard:d",
                            "text": "How many partners are there?",
                            "choices": [
                                {"id": "few", "label": "Two or three"},
                                {"id": "many", "label": "More than three"},
                            ],
                        },
                    ],
                }
            ],
        }
    )


def other_flow() -> Flow:
    return parse_flow(
        {
            "id": "other",
            "version": 1,
            "kind": "assessment",
            "title": "Another check",
            "languages": ["en"],
            "phases": [
                {
                    "id": "only",
                    "title": "Only",
                    "steps": [
                        {
                            "id": "name",
                            "kind": "text",
                            "source": "deseo:standard:e",
                            "text": "Your name?",
                        }
                    ],
                }
            ],
        }
    )


def big_flow() -> Flow:
    """A survey whose questions have more options than Discord has room for buttons."""
    choices = [{"id": f"c{n}", "label": f"Choice {n}"} for n in range(30)]
    return parse_flow(
        {
            "id": "big",
            "version": 1,
            "kind": "survey",
            "title": "Big survey",
            "languages": ["en"],
            "phases": [
                {
                    "id": "only",
                    "title": "Only",
                    "steps": [
                        {"id": "pick", "kind": "single", "text": "Pick one.", "choices": choices},
                        {
                            "id": "many",
                            "kind": "multiple",
                            "text": "Pick some.",
                            "choices": choices,
                        },
                    ],
                }
            ],
        }
    )


def small_survey(number: int) -> Flow:
    return parse_flow(
        {
            "id": f"s{number:02}",
            "version": 1,
            "kind": "survey",
            "title": f"Survey {number}",
            "languages": ["en"],
            "phases": [
                {
                    "id": "only",
                    "title": "Only",
                    "steps": [{"id": "name", "kind": "text", "text": "Your name?"}],
                }
            ],
        }
    )


def make_service(database: Database, *flows: Flow) -> ConversationService:
    """The service over `database` with the check, another assessment and `flows`."""
    clock = FixedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    catalog = FlowCatalog([check_flow(), other_flow(), *flows])
    return ConversationService(unit_of_work_factory(database), catalog, clock)


def who(person: Person) -> Sender:
    return Sender(DISCORD, str(person.id), person.name)
