"""The engine's own words (prompts, errors, commands) in each language it speaks.

Flow content carries its own translations; these are the few sentences every flow shares.
English is complete; other languages fall back to English for any phrase they lack.
"""

from __future__ import annotations

from typing import Any

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "rating.yes": "Yes",
        "rating.partly": "Partly",
        "rating.no": "No",
        "rating.dont_know": "Don't know",
        "progress": "Phase {phase} of {phases} · question {question} of {questions}",
        "progress.single": "Question {question} of {questions}",
        "optional": "(optional: say skip to leave it out)",
        "earlier": "Your earlier answer: {answer}",
        "hint.single": "Pick one: send its number or its name.",
        "hint.multiple": "Pick one or more: send their numbers separated by commas, e.g. 1, 3.",
        "hint.multiple.range": "Pick {low} to {high}: send their numbers separated by commas.",
        "hint.rating": "Yes, partly, no or don't know. You may add a note after a colon.",
        "hint.scale": "A whole number from {low} to {high}.",
        "hint.number": "A number.",
        "hint.number.range": "A number from {low} to {high}.",
        "hint.date": "A date, such as 2026-03-31 or 31/03/2026.",
        "hint.text": "Type your answer.",
        "note.ask": "Would you like to add a note to that? Type it, or say skip.",
        "skip.label": "Skip",
        "stale": "That button belongs to an earlier question; please answer the latest one.",
        "bad.choice": "I did not find {given!r} among the choices.",
        "bad.multiple.count": "Please pick between {low} and {high}.",
        "bad.rating": "Please answer yes, partly, no or don't know.",
        "bad.integer": "Please send a whole number.",
        "bad.number": "Please send a number, such as 12 or 3.5.",
        "bad.low": "That is below {low}.",
        "bad.high": "That is above {high}.",
        "bad.date": "Please send a date, such as 2026-03-31.",
        "bad.date.low": "That is before {low}.",
        "bad.date.high": "That is after {high}.",
        "bad.long": "That is too long: at most {limit} characters, please.",
        "bad.pattern": "That does not have the expected form.",
        "bad.empty": "I need an answer to this one.",
        "bad.required": "This question needs an answer, so it cannot be skipped.",
        "stuck": "Let me help. {help}",
        "stuck.skip": "You can also say skip to move on and come back later with back.",
        "help.commands": (
            "Say back for the previous question, skip to leave an optional one out, cancel "
            "to stop (your answers are kept), restart to start over."
        ),
        "back.first": "This is the first question.",
        "phase.done": "That is the end of {title}.",
        "phase.next": "Next: {title}. Continue now, or stop here and come back later?",
        "continue": "Continue",
        "stop": "Stop for now",
        "paused": "Saved. Your answers are kept: say resume whenever you want to go on.",
        "resumed": "Welcome back to {title}.",
        "restart.ask": (
            "Start {title} again from the beginning? Your answers so far will be cleared."
        ),
        "restart.yes": "Yes, start again",
        "restart.no": "No, carry on",
        "restart.done": "Starting again.",
        "cancelled": (
            "Stopped. Your answers are kept: say resume to go on, or restart to begin again."
        ),
        "done": "Thank you, that was the last question of {title}.",
        "done.already": "You have finished {title}. Say restart to go through it again.",
        "summary.phase": (
            "{title}: {yes} yes, {partly} partly, {no} no, {dont_know} don't know "
            "(readiness {readiness})."
        ),
        "summary.gaps": "Gaps to work on:",
        "summary.nogaps": "No gaps in this phase.",
        "summary.more": "…and {count} more in the full report.",
        "report.title": "Report: {title}",
        "report.readiness": "Readiness",
        "report.answers": "Answers",
        "report.gaps": "Gaps and what to do",
        "report.notes": "Your notes",
        "report.none": "none",
        "report.skipped": "skipped",
        "report.counts": "{yes} yes · {partly} partly · {no} no · {dont_know} don't know",
        "report.unanswered": "{count} not answered yet",
    },
    "fr": {
        "rating.yes": "Oui",
        "rating.partly": "En partie",
        "rating.no": "Non",
        "rating.dont_know": "Je ne sais pas",
        "progress": "Phase {phase} sur {phases} · question {question} sur {questions}",
        "progress.single": "Question {question} sur {questions}",
        "note.ask": "Voulez-vous ajouter une note ? Écrivez-la, ou dites passer.",
        "skip.label": "Passer",
        "bad.rating": "Répondez oui, en partie, non ou je ne sais pas.",
        "continue": "Continuer",
        "stop": "M'arrêter ici",
        "paused": "Enregistré. Dites reprendre quand vous voulez continuer.",
        "done": "Merci, c'était la dernière question de {title}.",
    },
    "it": {
        "rating.yes": "Sì",
        "rating.partly": "In parte",
        "rating.no": "No",
        "rating.dont_know": "Non so",
        "progress": "Fase {phase} di {phases} · domanda {question} di {questions}",
        "progress.single": "Domanda {question} di {questions}",
        "note.ask": "Vuoi aggiungere una nota? Scrivila, oppure di' salta.",
        "skip.label": "Salta",
        "bad.rating": "Rispondi sì, in parte, no o non so.",
        "continue": "Continua",
        "stop": "Mi fermo qui",
        "paused": "Salvato. Scrivi riprendi quando vuoi continuare.",
        "done": "Grazie, era l'ultima domanda di {title}.",
    },
    "es": {
        "rating.yes": "Sí",
        "rating.partly": "En parte",
        "rating.no": "No",
        "rating.dont_know": "No lo sé",
        "progress": "Fase {phase} de {phases} · pregunta {question} de {questions}",
        "progress.single": "Pregunta {question} de {questions}",
        "note.ask": "¿Quieres añadir una nota? Escríbela, o di saltar.",
        "skip.label": "Saltar",
        "bad.rating": "Responde sí, en parte, no o no lo sé.",
        "continue": "Continuar",
        "stop": "Parar aquí",
        "paused": "Guardado. Escribe reanudar cuando quieras seguir.",
        "done": "Gracias, era la última pregunta de {title}.",
    },
}

# Words a person may type instead of pressing a button, by language; English always works too.
COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        # Only words nobody gives as an answer: a command word typed as text is a command.
        "back": ("back", "go back"),
        "skip": ("skip",),
        "help": ("help",),
        "restart": ("restart", "start over", "start again"),
        "cancel": ("cancel", "stop", "quit"),
        "resume": ("resume", "continue", "go on"),
    },
    "fr": {
        "back": ("retour", "précédent"),
        "skip": ("passer",),
        "help": ("aide",),
        "restart": ("recommencer",),
        "cancel": ("annuler", "arrêter"),
        "resume": ("reprendre", "continuer"),
    },
    "it": {
        "back": ("indietro",),
        "skip": ("salta",),
        "help": ("aiuto",),
        "restart": ("ricomincia",),
        "cancel": ("annulla", "basta"),
        "resume": ("riprendi", "continua"),
    },
    "es": {
        "back": ("atrás", "volver"),
        "skip": ("saltar",),
        "help": ("ayuda",),
        "restart": ("reiniciar", "empezar de nuevo"),
        "cancel": ("cancelar", "parar"),
        "resume": ("reanudar", "seguir", "continuar"),
    },
}

RATING_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "yes": ("yes", "y", "yeah", "yep"),
        "partly": ("partly", "partially", "somewhat", "in part", "p", "some"),
        "no": ("no", "n", "nope", "not yet"),
        "dont_know": ("don't know", "dont know", "do not know", "not sure", "dk", "unsure", "?"),
    },
    "fr": {
        "yes": ("oui",),
        "partly": ("en partie", "partiellement"),
        "no": ("non",),
        "dont_know": ("je ne sais pas", "ne sais pas", "nsp"),
    },
    "it": {
        "yes": ("sì", "si"),
        "partly": ("in parte", "parzialmente"),
        "no": ("no",),
        "dont_know": ("non so", "non lo so"),
    },
    "es": {
        "yes": ("sí", "si"),
        "partly": ("en parte", "parcialmente"),
        "no": ("no",),
        "dont_know": ("no lo sé", "no lo se", "no sé", "no se"),
    },
}


def say(language: str, key: str, **values: Any) -> str:
    """The phrase `key` in `language` (English when that language lacks it), filled in."""
    template = PHRASES.get(language, {}).get(key) or PHRASES["en"][key]
    return template.format(**values) if values else template


def words(
    table: dict[str, dict[str, tuple[str, ...]]], language: str
) -> dict[str, tuple[str, ...]]:
    """The words of `table` for a language merged with English, which always works."""
    merged = {key: tuple(values) for key, values in table["en"].items()}
    for key, values in table.get(language, {}).items():
        merged[key] = tuple(values) + merged.get(key, ())
    return merged
