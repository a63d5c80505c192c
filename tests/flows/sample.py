"""A small synthetic flow with every question kind and every form of `when`, for the core's tests.

Three phases so that progress reads "Phase 2 of 3 · question 1 of 2"; the conditional steps in
the last phase each test one form of condition, so a transcript can show which are passed over.
"""

from __future__ import annotations

from typing import Any

from flows.conversation.definitions import Flow
from flows.conversation.loading import parse_flow


def every_kind_raw() -> dict[str, Any]:
    """The flow as a YAML file would hold it, freshly built so a test may change its copy."""
    return {
        "id": "every-kind",
        "version": 1,
        "kind": "survey",
        "title": "Every kind",
        "description": "A flow with one question of each kind.",
        "languages": ["en", "it"],
        "phases": [
            {
                "id": "about",
                "title": {"en": "About you", "it": "Chi sei"},
                "intro": "First, a little about you.",
                "steps": [
                    {"id": "welcome", "kind": "message", "text": "Welcome to the sample."},
                    {
                        "id": "role",
                        "kind": "single",
                        "text": {"en": "Who are you?", "it": "Chi sei?"},
                        "help": "Pick the one that fits best.",
                        "choices": [
                            {"id": "city", "label": {"en": "A city", "it": "Una città"}},
                            {"id": "org", "label": "An organisation"},
                            {"id": "person", "label": "A person"},
                        ],
                    },
                    {
                        "id": "needs",
                        "kind": "multiple",
                        "text": "What do you need?",
                        "choices": [
                            {"id": "funding", "label": "Funding"},
                            {"id": "training", "label": "Training"},
                            {"id": "space", "label": "Office space"},
                            {"id": "legal", "label": "Legal advice"},
                        ],
                        "max_choices": 3,
                    },
                    {
                        "id": "ready",
                        "kind": "rating",
                        "text": "Are you ready to start?",
                        "note": True,
                        "advice": "Take the time to get ready.",
                    },
                    {
                        "id": "confidence",
                        "kind": "scale",
                        "text": "How confident are you?",
                        "min": 1,
                        "max": 5,
                        "min_label": "not at all",
                        "max_label": "very",
                    },
                ],
            },
            {
                "id": "numbers",
                "title": "Numbers and dates",
                "steps": [
                    {
                        "id": "staff",
                        "kind": "number",
                        "text": "How many people work with you (full-time equivalent)?",
                        "min": 0,
                        "max": 500,
                    },
                    {
                        "id": "start-date",
                        "kind": "date",
                        "text": "When do you plan to start?",
                        "min": "2020-01-01",
                        "max": "2030-12-31",
                    },
                ],
            },
            {
                "id": "more",
                "title": "A few more things",
                "steps": [
                    {
                        "id": "postcode",
                        "kind": "text",
                        "text": "What is your postcode?",
                        "pattern": "[0-9]{5}",
                        "pattern_message": "A postcode has five digits.",
                    },
                    {
                        "id": "comment",
                        "kind": "text",
                        "text": "Anything to add, in a few words?",
                        "max_length": 20,
                        "required": False,
                    },
                    {
                        "id": "space-size",
                        "kind": "number",
                        "text": "How many square metres do you need?",
                        "min": 1,
                        "when": {"step": "needs", "includes": "space"},
                    },
                    {
                        "id": "city-name",
                        "kind": "text",
                        "text": "Which city?",
                        "when": {"step": "role", "equals": "city"},
                    },
                    {
                        "id": "org-kind",
                        "kind": "single",
                        "text": "What kind of organisation or person?",
                        "choices": [
                            {"id": "coop", "label": "Co-operative"},
                            {"id": "other", "label": "Something else"},
                        ],
                        "when": {"step": "role", "in": ["org", "person"]},
                    },
                    {
                        "id": "big-team",
                        "kind": "rating",
                        "text": "Does your team have someone in charge of people?",
                        "when": {"step": "staff", "gt": 10},
                    },
                    {
                        "id": "why-comment",
                        "kind": "text",
                        "text": "Why did you add that?",
                        "required": False,
                        "when": {"step": "comment", "answered": True},
                    },
                    {
                        "id": "eager",
                        "kind": "scale",
                        "text": "How eager are you?",
                        "min": 0,
                        "max": 10,
                        "when": {
                            "all": [
                                {"step": "ready", "equals": "yes"},
                                {
                                    "any": [
                                        {"step": "confidence", "ge": 4},
                                        {"not": {"step": "role", "equals": "city"}},
                                    ]
                                },
                            ]
                        },
                    },
                ],
            },
        ],
    }


def every_kind() -> Flow:
    """The synthetic flow, checked by the same loader as the real content."""
    return parse_flow(every_kind_raw(), "every-kind.yaml")
