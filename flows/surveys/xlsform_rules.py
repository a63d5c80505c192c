"""What deseo takes of an XLSForm and what it refuses (see `flows.surveys.xlsform`): the row
types and columns it reads, a row refused and why, and how the settings' values (form id,
version, languages) are read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_VERSION = 2_147_483_647  # versions are stored as 32-bit integers
ID_SHAPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

QUESTION_KINDS: dict[str, dict[str, Any]] = {
    "text": {"kind": "text"},
    "integer": {"kind": "number", "integer": True},
    "int": {"kind": "number", "integer": True},
    "decimal": {"kind": "number"},
    "date": {"kind": "date"},
    "select one": {"kind": "single"},
    "select all that apply": {"kind": "multiple"},
}
METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "imei",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
    }
)
REFUSED: dict[str, str] = {
    "repeat": "repeats are not supported",
    "calculate": "calculations are not supported",
    "hidden": "hidden fields are not supported",
    "geopoint": "locations are not supported",
    "geotrace": "locations are not supported",
    "geoshape": "locations are not supported",
    "start-geopoint": "locations are not supported",
    "background-geopoint": "locations are not supported",
    "photo": "images cannot be sent in a chat survey",
    "audio": "recordings cannot be sent in a chat survey",
    "background-audio": "recordings cannot be sent in a chat survey",
    "video": "videos cannot be sent in a chat survey",
    "file": "files cannot be sent in a chat survey",
    "barcode": "barcodes are not supported",
    "range": "range questions are not supported",
    "rank": "ranking questions are not supported",
    "time": "times of day are not supported",
    "dateTime": "dates with a time are not supported",
    "trigger": "trigger (acknowledge) questions are not supported",
    "acknowledge": "trigger (acknowledge) questions are not supported",
}
GROUP_BINDS = frozenset({"relevant"})
NOTE_BINDS = frozenset({"relevant", "required", "readonly"})  # a note is read-only anyway
QUESTION_BINDS = frozenset({"required", "relevant", "constraint", "jr:constraintMsg"})
DROPPED_BINDS = frozenset({"jr:requiredMsg"})
YES = frozenset({"yes", "true", "true()", "1"})
NO = frozenset({"no", "false", "false()", "0", ""})
LANGUAGE_NAMES = {
    "english": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "italian": "it",
    "italiano": "it",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "german": "de",
    "deutsch": "de",
    "portuguese": "pt",
    "português": "pt",
    "dutch": "nl",
    "nederlands": "nl",
    "polish": "pl",
    "polski": "pl",
    "greek": "el",
    "swedish": "sv",
    "svenska": "sv",
    "irish": "ga",
    "gaeilge": "ga",
    "catalan": "ca",
    "català": "ca",
}


@dataclass(frozen=True)
class RowProblem:
    """One thing in the spreadsheet deseo cannot take: where it is and why."""

    reason: str
    row: int | None = None
    name: str | None = None
    sheet: str | None = "survey"

    def __str__(self) -> str:
        where = self.sheet or ""
        if self.row is not None:
            where += f" row {self.row}"
        if self.name:
            where += f" ({self.name!r})"
        return f"{where.strip()}: {self.reason}" if where.strip() else self.reason


class XLSFormError(ValueError):
    """An XLSForm refused whole; `problems` names each row that cannot be taken and why."""

    def __init__(self, path: str, problems: Sequence[RowProblem]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__("\n".join(f"{path}: {p}" for p in self.problems))


def slug(text: str) -> str:
    """A flow id from a form id: lower case, runs of other signs made one `-`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].rstrip("-")


def version_number(value: Any) -> int | None:
    """A whole-number version from the settings' text, or None when it holds none."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if re.fullmatch(r"[vV]?[0-9]+([.\-_/: ][0-9]+)*", text):
        digits = "".join(re.findall(r"[0-9]", text))
        # More digits than any stored version holds: too large, without converting them all.
        return int(digits) if len(digits) <= 18 else MAX_VERSION + 1
    return None


def language_code(name: str) -> str | None:
    """The two-letter code of an XLSForm language such as `English (en)`, `en` or `English`."""
    found = re.search(r"\(\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*\)\s*$", name)
    if found:
        return found[1].lower()
    bare = re.fullmatch(r"\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*", name)
    if bare:
        return bare[1].lower()
    return LANGUAGE_NAMES.get(name.strip().lower())
