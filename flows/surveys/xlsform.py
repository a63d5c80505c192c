"""Reading an XLSForm, the spreadsheet format of ODK and KoboToolbox, as a survey flow.

pyxform reads the workbook (`parse_file_to_json`); this module maps its JSON onto the flow file
format and checks the result with `parse_flow`, so an imported survey obeys every rule of a YAML
flow. What it takes:

- survey rows of type text, integer (a whole number), decimal (a number), date, select_one and
  select_multiple (choices from the choices sheet) and note (a message);
- begin/end group: a top-level group is a phase titled by its label, its hint the phase's
  intro; a group inside it adds its steps to that phase; a group's `relevant` holds for each of
  its steps. Questions outside groups go in phases of their own titled by the form's title,
  one for each run of them between groups, so that the form's order is kept;
- `required` (yes or true; XLSForm's default is not required), `constraint` with
  `constraint_message`, `relevant` (a `when: {expr: ...}`), `label` and `hint` (the step's
  `help`) in every language: `label::English (en)` is the language `en`; a column without a
  language is in the settings' `default_language`, or English when the settings name none;
- settings: `form_id` (slugified) is the flow's id, `version` its version (a whole number; the
  digits of a text such as 2026.11.22.01 are joined), `form_title` its title.

Question and group names become ids in lower case, `.` and other signs made `-`; references in
expressions follow them. Choice names are answers as stored, so they are taken as they are and
must already be lower-case ids.

Skipped without a word, as a chat does not collect them: the metadata rows (start, end, today,
deviceid, subscriberid, simserial, phonenumber, username, email, audit), the `meta` group
pyxform adds, and the columns appearance, media, guidance_hint, default, required_message and
parameters (such as randomize).

Refused, the whole form, with each such row named: repeat, calculate, hidden, geopoint,
geotrace, geoshape, image, audio, video, file, barcode, range, rank, time, dateTime,
select_one_from_file and select_multiple_from_file, trigger, acknowledge, any other type,
`or_other`, choice_filter, read_only, a calculation or trigger on a question, a `required`
given as an expression, labels that show answers (`${...}`), expressions deseo cannot read or
that name no question it asks, and choice names that are no ids.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json import parse_file_to_json  # type: ignore[import-untyped]
from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]

from flows.conversation import (
    ExpressionError,
    Flow,
    parse_expression,
    parse_flow,
    rename_references,
)

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


def read_xlsform(path: str | Path) -> Flow:
    """The survey flow an XLSForm file describes.

    Raises `XLSFormError` listing every row refused, or `FlowFileError` when the flow it gives
    breaks a rule of the flow format (say, a `relevant` on a later question).
    """
    name = str(path)
    if not Path(path).is_file():
        raise XLSFormError(name, [RowProblem("there is no such file", sheet=None)])
    try:
        form = parse_file_to_json(name, warnings=[])
        sheets = get_xlsform(name)
    except PyXFormError as exc:
        reason = str(exc).strip()
        if "not recognized as a supported type" in reason:
            reason = "not a spreadsheet deseo can read: save the form as .xlsx"
        raise XLSFormError(name, [RowProblem(reason, sheet=None)]) from None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        # A file that is no workbook fails inside the spreadsheet readers in their own ways.
        reason = f"not a readable XLSForm ({type(exc).__name__}: {exc})"
        raise XLSFormError(name, [RowProblem(reason, sheet=None)]) from None
    raw = xlsform_to_raw(form, sheets.survey or (), sheets.choices or (), name)
    return parse_flow(raw, name)


def xlsform_to_raw(
    form: Mapping[str, Any],
    survey_rows: Sequence[Mapping[str, Any]] = (),
    choice_rows: Sequence[Mapping[str, Any]] = (),
    path: str = "<xlsform>",
) -> dict[str, Any]:
    """The flow file (as a dict for `parse_flow`) of pyxform's JSON of a form.

    `survey_rows` and `choice_rows` are the sheets' rows from the second on (pyxform's
    `get_xlsform`), used to name the rows of the problems; raises `XLSFormError`.
    """
    converter = _Converter(form, survey_rows, choice_rows)
    raw = converter.convert()
    if converter.problems:
        sheets = {"settings": 0, "survey": 1, "choices": 2}
        problems = sorted(
            converter.problems, key=lambda p: (sheets.get(p.sheet or "", -1), p.row or 0)
        )
        raise XLSFormError(path, problems)
    return raw


def flow_yaml(flow: Flow, source: str | None = None) -> str:
    """The flow as the text of a flow file, which `load_flow_file` reads back unchanged."""
    data = flow.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    for phase in data["phases"]:
        # id and kind first, as people write them, rather than in the models' field order.
        phase["steps"] = [{"id": s.pop("id"), "kind": s.pop("kind"), **s} for s in phase["steps"]]
    head = f"# Imported from the XLSForm {source}: change the form and import it again.\n"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return (head if source else "") + body


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


# --- the conversion ------------------------------------------------------------------------


@dataclass
class _Item:
    """A step to be: the pyxform element, its row and the groups it sits in (outermost first)."""

    element: Mapping[str, Any]
    row: int | None
    groups: tuple[_Group, ...]


@dataclass(eq=False)
class _Group:
    element: Mapping[str, Any]
    row: int | None
    items: list[_Item] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.element.get("name", ""))


class _Rows:
    """Finds the sheet row of each element by its name, in the order of the sheet."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._rows: dict[str, deque[tuple[int, str]]] = defaultdict(deque)
        for number, row in enumerate(rows, start=2):
            kind = str(row.get("type", "")).strip()
            name = row.get("name", row.get("value", row.get("tag")))
            disabled = str(row.get("disabled", "")).strip().lower() in YES
            if name is None or not kind or kind.lower().startswith("end") or disabled:
                continue
            self._rows[str(name).strip()].append((number, kind))

    def take(self, name: str) -> tuple[int | None, str]:
        """The next row of that name and its type as written; (None, "") for made-up ones."""
        waiting = self._rows.get(name)
        return waiting.popleft() if waiting else (None, "")


class _Converter:
    def __init__(
        self,
        form: Mapping[str, Any],
        survey_rows: Sequence[Mapping[str, Any]],
        choice_rows: Sequence[Mapping[str, Any]],
    ) -> None:
        self.form = form
        self.rows = _Rows(survey_rows)
        self.choice_rows: dict[tuple[str, str], int] = {}
        for number, row in enumerate(choice_rows, start=2):
            list_name = row.get("list_name", row.get("list name"))
            name = row.get("name", row.get("value"))
            if list_name is not None and name is not None:
                self.choice_rows.setdefault((str(list_name), str(name)), number)
        self.problems: list[RowProblem] = []
        self._seen_problems: set[RowProblem] = set()
        self.items: list[_Item] = []
        self.skip_names: set[str] = set()
        self.refused_names: set[str] = set()
        self._order: list[str] = []
        self.ids: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.default = "en"

    def refuse(self, reason: str, row: int | None, name: str | None, sheet: str = "survey") -> None:
        problem = RowProblem(reason, row, name, sheet)
        if problem not in self._seen_problems:
            self._seen_problems.add(problem)
            self.problems.append(problem)

    # -- the whole form

    def convert(self) -> dict[str, Any]:
        self._languages()
        top: list[_Item | _Group] = []
        self._walk(self.form.get("children", ()), (), top)
        self._name_steps()
        phases = self._phases(top)
        title = str(self.form.get("title") or self.form.get("id_string") or "Survey")
        flow_id = slug(str(self.form.get("id_string") or ""))
        if not flow_id:
            self.refuse("form_id gives no id: use letters and digits", None, None, "settings")
        version = self._version()
        return {
            "id": flow_id,
            "version": version,
            "kind": "survey",
            "title": {self.default: title},
            "languages": [self.default, *(c for c in self._order if c != self.default)],
            "phases": phases,
        }

    def _version(self) -> int:
        given = self.form.get("version")
        if given is None or str(given).strip() == "":
            return 1
        number = version_number(given)
        if number is None:
            self.refuse(f"version {given!r} holds no number", None, None, "settings")
            return 1
        if not 1 <= number <= MAX_VERSION:
            self.refuse(
                f"version {given!r} must be from 1 to {MAX_VERSION}", None, None, "settings"
            )
            return 1
        return number

    # -- languages

    def _languages(self) -> None:
        names: list[str] = []

        def scan(node: Any) -> None:
            if isinstance(node, Mapping):
                for key, value in node.items():
                    if key in ("label", "hint", "jr:constraintMsg") and isinstance(value, Mapping):
                        names.extend(str(k) for k in value if str(k) not in names)
                    else:
                        scan(value)
            elif isinstance(node, list):
                for item in node:
                    scan(item)

        scan(self.form.get("children", ()))
        scan(self.form.get("choices", {}))
        setting = str(self.form.get("default_language") or "default")
        named = [n for n in names if n != "default"]
        if setting != "default":
            named = [setting, *(n for n in named if n != setting)]
        by_code: dict[str, str] = {}
        for name in named:
            code = language_code(name)
            if code is None:
                self.refuse(
                    f"the language {name!r} has no two-letter code: write it as {name} (xx), "
                    f"as in label::{name} (xx)",
                    None,
                    None,
                )
                continue
            if code in by_code and by_code[code] != name:
                self.refuse(
                    f"the languages {by_code[code]!r} and {name!r} both have the code {code!r}",
                    None,
                    None,
                )
            by_code.setdefault(code, name)
            self.codes[name] = code
        if setting != "default" and setting in self.codes:
            self.default = self.codes[setting]
        elif "default" in names or not self.codes:
            self.default = "en"
        else:
            self.default = self.codes[named[0]]
        self.codes["default"] = self.default
        self._order = list(dict.fromkeys([self.default, *self.codes.values()]))

    def text(self, value: Any, row: int | None, name: str | None) -> dict[str, str] | None:
        """A localised text from a pyxform label, hint or message."""
        if value is None:
            return None
        pairs = value.items() if isinstance(value, Mapping) else [("default", value)]
        out: dict[str, str] = {}
        for language, words in sorted(pairs, key=lambda p: p[0] == "default", reverse=True):
            said = str(words).strip()
            code = self.codes.get(str(language))
            if not said or code is None:
                continue
            if "${" in said:
                self.refuse("texts that show answers (${...}) are not supported", row, name)
            out[code] = said  # an explicit language wins over the column without one
        return out or None

    # -- walking pyxform's tree

    def _walk(
        self, children: Sequence[Mapping[str, Any]], groups: tuple[_Group, ...], out: list[Any]
    ) -> None:
        for element in children:
            name = str(element.get("name", ""))
            kind = str(element.get("type", ""))
            control = element.get("control") or {}
            if kind == "group" and control.get("bodyless"):
                continue  # the `meta` group pyxform adds: the instance id
            row, written = self.rows.take(name)
            if row is None and name in self.skip_names:
                continue
            if kind in METADATA:
                continue
            if kind == "group":
                group = _Group(element, row)
                self._check_binds(element, GROUP_BINDS, row, name)
                self._check_expression(element, "relevant", row, name)
                inner: list[Any] = []
                self._walk(element.get("children", ()), (*groups, group), inner)
                if groups:
                    out.extend(inner)  # a group within a group shares its phase
                else:
                    group.items = [i for i in inner if isinstance(i, _Item)]
                    out.append(group)
                continue
            if kind in QUESTION_KINDS or kind == "note":
                if self._take(element, row, name, written):
                    item = _Item(element, row, groups)
                    self.items.append(item)
                    out.append(item)
                else:
                    self.refused_names.add(name)
                continue
            self.refused_names.add(name)
            self.refuse(
                REFUSED.get(kind, f"the question type {kind!r} is not supported"), row, name
            )

    def _take(self, element: Mapping[str, Any], row: int | None, name: str, written: str) -> bool:
        """Whether the element can be a step; refuses what it cannot."""
        before = len(self.problems)
        kind = str(element["type"])
        if "or_other" in written.split():
            self.refuse(
                "or_other is not supported: add an 'other' choice and a text question "
                "relevant when it is chosen",
                row,
                name,
            )
            self.skip_names.add(f"{name}_other")
        if kind.startswith("select") and "choices" not in element:
            self.refuse("choices from a file (select_one_from_file) are not supported", row, name)
        if "choice_filter" in element:
            self.refuse(
                "choice_filter (choices that depend on answers) is not supported", row, name
            )
        if "trigger" in element:
            self.refuse("the trigger column is not supported", row, name)
        if "label" not in element:
            self.refuse("a question needs a label", row, name)
        allowed = QUESTION_BINDS if kind != "note" else NOTE_BINDS
        self._check_binds(element, allowed, row, name)
        required = str(element.get("bind", {}).get("required", "")).strip().lower()
        if kind != "note" and required not in YES | NO:
            self.refuse(
                f"required must be yes or no; an expression ({required!r}) is not supported",
                row,
                name,
            )
        self._check_expression(element, "relevant", row, name)
        self._check_expression(element, "constraint", row, name)
        return len(self.problems) == before

    def _check_binds(
        self, element: Mapping[str, Any], allowed: frozenset[str], row: int | None, name: str
    ) -> None:
        for key, value in (element.get("bind") or {}).items():
            if key in allowed or key in DROPPED_BINDS:
                continue
            if key == "readonly":
                if str(value).strip().lower() in NO:
                    continue
                self.refuse("read-only questions are not supported", row, name)
            elif key == "calculate":
                self.refuse("a calculation on a question is not supported", row, name)
            else:
                column = {"jr:constraintMsg": "constraint_message"}.get(key, key)
                self.refuse(f"the column {column!r} is not supported here", row, name)

    def _check_expression(
        self, element: Mapping[str, Any], key: str, row: int | None, name: str
    ) -> None:
        source = (element.get("bind") or {}).get(key)
        if source is None:
            return
        try:
            parse_expression(str(source))
        except ExpressionError as exc:
            self.refuse(f"{key}: {exc}", row, name)

    # -- ids and expressions

    def _name_steps(self) -> None:
        by_id: dict[str, list[_Item]] = defaultdict(list)
        for item in self.items:
            name = str(item.element["name"])
            new = re.sub(r"[^a-z0-9_-]", "-", name.lower()).lstrip("_-")[:64]
            if not ID_SHAPE.match(new):
                self.refuse("the name gives no step id: begin it with a letter", item.row, name)
                continue
            self.ids[name] = new
            by_id[new].append(item)
        for new, items in by_id.items():
            if len(items) > 1:
                names = ", ".join(repr(str(i.element["name"])) for i in items)
                for item in items:
                    self.refuse(
                        f"the names {names} all give the step id {new!r}",
                        item.row,
                        str(item.element["name"]),
                    )

    def expression(self, source: str, row: int | None, name: str, key: str) -> str | None:
        """`source` with references renamed to step ids; None (and a problem) if it cannot be."""
        try:
            parsed = parse_expression(source)
        except ExpressionError:
            return None  # refused already, in _check_expression
        # A reference to a refused row says nothing new: that row is named already.
        unknown = sorted(parsed.references - set(self.ids) - self.refused_names)
        if parsed.references - set(self.ids):
            if unknown:
                named = ", ".join("${" + u + "}" for u in unknown)
                self.refuse(f"{key}: {named} is not a question deseo asks", row, name)
            return None
        return rename_references(source, self.ids)

    # -- steps and phases

    def _step(self, item: _Item) -> dict[str, Any]:
        element, row = item.element, item.row
        name = str(element["name"])
        kind = str(element["type"])
        bind = element.get("bind") or {}
        step: dict[str, Any] = {"id": self.ids.get(name, name)}
        if kind == "note":
            step["kind"] = "message"
        else:
            step.update(QUESTION_KINDS[kind])
        step["text"] = self.text(element.get("label"), row, name) or {self.default: name}
        help_text = self.text(element.get("hint"), row, name)
        if help_text:
            step["help"] = help_text
        # The groups' `relevant`, outermost first, then the row's own: all must hold.
        relevant = [
            (g.row, g.name, (g.element.get("bind") or {}).get("relevant")) for g in item.groups
        ]
        relevant.append((row, name, bind.get("relevant")))
        usable = [
            expr
            for where, who, source in relevant
            if source is not None
            and (expr := self.expression(str(source), where, who, "relevant")) is not None
        ]
        if usable:
            expr = usable[0] if len(usable) == 1 else " and ".join(f"({c})" for c in usable)
            step["when"] = {"expr": expr}
        if kind == "note":
            return step
        step["required"] = str(bind.get("required", "")).strip().lower() in YES
        if bind.get("constraint") is not None:
            constraint = self.expression(str(bind["constraint"]), row, name, "constraint")
            if constraint is not None:
                step["constraint"] = constraint
            message = self.text(bind.get("jr:constraintMsg"), row, name)
            if message:
                step["constraint_message"] = message
        if "choices" in element:
            step["choices"] = [self._choice(element, c) for c in element["choices"]]
        return step

    def _choice(self, element: Mapping[str, Any], choice: Mapping[str, Any]) -> dict[str, Any]:
        name = str(choice.get("name", ""))
        list_name = str(element.get("list_name") or element.get("itemset") or "")
        row = self.choice_rows.get((list_name, name))
        if not ID_SHAPE.match(name):
            self.refuse(
                "a choice name is the answer as stored: use only lower-case letters, digits, "
                "- and _, beginning with a letter or digit",
                row,
                name,
                "choices",
            )
        label = self.text(choice.get("label"), row, name) or {self.default: name}
        return {"id": name, "label": label}

    def _phases(self, top: list[_Item | _Group]) -> list[dict[str, Any]]:
        taken = {self._phase_id(e) for e in top if isinstance(e, _Group)}
        title = {self.default: str(self.form.get("title") or self.form.get("id_string") or "")}
        phases: list[dict[str, Any]] = []
        loose: list[_Item] = []

        def close_loose() -> None:
            if not loose:
                return
            number = 1
            while (phase_id := "main" if number == 1 else f"main-{number}") in taken:
                number += 1
            taken.add(phase_id)
            steps = [self._step(i) for i in loose]
            phases.append({"id": phase_id, "title": title, "steps": steps})
            loose.clear()

        for entry in top:
            if isinstance(entry, _Item):
                loose.append(entry)
                continue
            close_loose()
            phase: dict[str, Any] = {
                "id": self._phase_id(entry),
                "title": self.text(entry.element.get("label"), entry.row, entry.name)
                or {self.default: entry.name},
                "steps": [self._step(i) for i in entry.items],
            }
            intro = self.text(entry.element.get("hint"), entry.row, entry.name)
            if intro:
                phase["intro"] = intro
            phases.append(phase)
        close_loose()
        return phases

    def _phase_id(self, group: _Group) -> str:
        return re.sub(r"[^a-z0-9_-]", "-", group.name.lower()).lstrip("_-")[:64] or "group"
