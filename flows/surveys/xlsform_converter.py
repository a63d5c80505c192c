"""The conversion of pyxform's JSON of a form into a flow file: its tree walked row by row,
every row deseo cannot take refused with its sheet row, then steps and phases built."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.conversation import ExpressionError, parse_expression, rename_references
from flows.surveys.xlsform_rules import (
    DROPPED_BINDS,
    GROUP_BINDS,
    ID_SHAPE,
    MAX_VERSION,
    METADATA,
    NO,
    NOTE_BINDS,
    QUESTION_BINDS,
    QUESTION_KINDS,
    REFUSED,
    YES,
    RowProblem,
    language_code,
    slug,
    version_number,
)


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


class Converter:
    """Builds the flow file of one form, collecting in `problems` every row it refuses."""

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
