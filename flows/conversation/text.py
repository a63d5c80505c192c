"""Text typed by people, made safe to store and to show: one cleaning for the forum and chats.

Control characters (NUL, escape sequences, C1 controls) could rewrite a terminal that shows
them or break a page; direction overrides could reorder the text beside them.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, except tab and newline; carriage returns are handled first.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Embeddings, overrides and isolates: harmless inside a post's own block, but in a title, a
# summary or an answer shown beside other text they could reorder what follows them.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# What a terminal must not receive raw: controls (newline aside), direction changes, and line
# or paragraph separators.
_UNSHOWABLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def clean_text(text: str) -> str:
    """`text` with newlines made `\\n` and control characters other than tab and newline gone."""
    return _CONTROLS.sub("", _NEWLINES.sub("\n", text))


def clean_title(title: str) -> str:
    """A title on one line: no control or direction-changing characters, spaces collapsed."""
    return " ".join(BIDI_CONTROLS.sub("", clean_text(title)).split())


def clean_answer(text: str) -> str:
    """What a person typed in a chat, as it is stored: no controls, no direction overrides."""
    return BIDI_CONTROLS.sub("", clean_text(text))


def escape_controls(text: str) -> str:
    """`text` for a terminal: each control character written as an escape (`\\x1b`, `\\u202e`)."""
    return _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
