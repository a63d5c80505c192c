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

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json import parse_file_to_json  # type: ignore[import-untyped]
from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]

from flows.conversation import Flow, parse_flow
from flows.surveys.xlsform_converter import Converter
from flows.surveys.xlsform_rules import RowProblem, XLSFormError


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
    converter = Converter(form, survey_rows, choice_rows)
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
