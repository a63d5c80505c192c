"""What a user name may be: 3 to 40 letters (of any alphabet, one at a time), digits and `_-.`.

Names are compared in NFKC form and without case, so that two names which look the same on
screen (full-width letters, a Cyrillic "а" among Latin ones, different case) cannot both exist.
"""

from __future__ import annotations

import unicodedata

MIN_USERNAME = 3
MAX_USERNAME = 40
PUNCTUATION = "_-."
MAX_DISPLAY_NAME = 100


def normalise_username(typed: str) -> str:
    """The form a typed user name is checked and kept in (NFKC, as typed otherwise)."""
    return unicodedata.normalize("NFKC", typed)


def _script(char: str) -> str:
    # The first word of a letter's Unicode name is its script: LATIN, CYRILLIC, GREEK, CJK...
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def username_problem(typed: str) -> str | None:
    """Why a new user name will not do, or None when it will."""
    name = normalise_username(typed)
    if name != name.strip():
        return "Remove the spaces at the start or end."
    if not MIN_USERNAME <= len(name) <= MAX_USERNAME:
        return f"Use {MIN_USERNAME} to {MAX_USERNAME} characters."
    scripts: set[str] = set()
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("L"):
            scripts.add(_script(char))
        elif category.startswith("M") or category == "Nd" or char in PUNCTUATION:
            # Marks complete letters of many alphabets (Devanagari vowel signs, say).
            continue
        elif char.isspace():
            return "Spaces are not allowed: use _ - or . between words."
        elif not char.isprintable():
            return "Remove the invisible or control characters."
        else:
            return f"Use only letters, digits and _ - . ({char!r} is none of these)."
    if len(scripts) > 1:
        return "Use letters of one alphabet only (names that mix alphabets can look like others)."
    if all(char in PUNCTUATION for char in name):
        return "Use at least one letter or digit."
    return None


def display_name_problem(typed: str) -> str | None:
    """Why a display name will not do, or None (an empty one means: use the user name)."""
    if len(typed) > MAX_DISPLAY_NAME:
        return f"Use at most {MAX_DISPLAY_NAME} characters."
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in typed):
        return "Remove the invisible or control characters."
    return None
