"""`deseo survey ...`: surveys from the terminal, starting with importing an XLSForm."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from deseo.cli import campaigns as campaigns_cli
from deseo.cli import results as results_cli
from deseo.cli.common import err, fail, out, settings

if TYPE_CHECKING:
    from flows.conversation import Flow

app = typer.Typer(help="Import and manage surveys.", no_args_is_help=True)


@app.callback()
def _survey() -> None:
    """Import and manage surveys."""


@app.command("import")
def import_form(
    file: Path = typer.Argument(..., help="The XLSForm (.xlsx) to import."),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help="The folder to write the flow file to; default: flows/ in the data directory.",
    ),
) -> None:
    """Turn an XLSForm into a survey flow file and print the new flow's id."""
    from flows.conversation import FlowFileError
    from flows.surveys import XLSFormError, flow_yaml, read_xlsform

    try:
        flow = read_xlsform(file)
    except (XLSFormError, FlowFileError) as exc:
        for line in str(exc).splitlines():
            err.print(line, markup=False)
        fail(f"{file} was not imported")
    folder = output if output is not None else settings().data_dir / "flows"
    target = folder / f"{flow.id}.yaml"
    _refuse_clash(flow, target)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(flow_yaml(flow, source=file.name), encoding="utf-8")
    questions = sum(len(p.questions) for p in flow.phases)
    err.print(
        f"wrote {target}: {flow.id} v{flow.version}, {len(flow.phases)} phases, "
        f"{questions} questions",
        markup=False,
    )
    out.print(flow.id, markup=False)


def _refuse_clash(flow: Flow, target: Path) -> None:
    """Fail rather than let an import shadow a bundled flow or rewrite a version in use."""
    from flows.conversation import FlowCatalog, FlowFileError, load_flow_file

    bundled = FlowCatalog.from_directory()
    if flow.id in bundled and bundled.get(flow.id).version >= flow.version:
        fail(
            f"deseo already has a flow {flow.id!r} (version {bundled.get(flow.id).version}): "
            "give the form another form_id in its settings sheet"
        )
    if not target.exists():
        return
    try:
        existing = load_flow_file(target)
    except FlowFileError:
        return  # a broken file is replaced by a good one
    if existing.version > flow.version:
        fail(
            f"{target} holds version {existing.version} of {flow.id}, newer than the form's "
            f"{flow.version}"
        )
    if existing.version == flow.version and existing.checksum() != flow.checksum():
        fail(
            f"{target} holds another version {flow.version} of {flow.id}: raise the version in "
            "the form's settings sheet when its questions change"
        )


# Results and exports live in their own module; they are `deseo survey results|export`.
app.command("results")(results_cli.results)
app.command("export")(results_cli.export)
app.add_typer(campaigns_cli.app, name="campaign")
