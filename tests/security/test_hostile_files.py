"""Files a coordinator is handed (flows, the directory, HSDS JSON) cannot exhaust memory or
end in a traceback: each fault is one line naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.conversation.loading import FlowFileError, load_flow_file
from flows.directory.model import FOLDER, DirectoryError, load_directory

LAUGHS = (
    b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    b"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    b"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    b"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    b"phases: [*i]\n"
)

HOSTILE_YAML: dict[str, tuple[bytes, str]] = {
    "billion-laughs": (LAUGHS, "alias"),
    "one-alias": (b"id: &x quiz\ntitle: *x\n", "alias"),
    "deep": (b"phases: " + b"[" * 50_000 + b"]" * 50_000 + b"\n", "nested"),
    "long-number": (b"id: one\nversion: " + b"7" * 5000 + b"\n", "number"),
    "not-utf8": (b"id: caf\xe9\ntitle: \xff\xfe\n", "UTF-8"),
}


def _one_line_naming(message: str, path: Path, fault: str) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message and fault in message


@pytest.mark.parametrize("name", HOSTILE_YAML)
def test_a_hostile_flow_file_is_one_line_naming_the_file(tmp_path: Path, name: str) -> None:
    content, fault = HOSTILE_YAML[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    with pytest.raises(FlowFileError) as caught:
        load_flow_file(path)
    _one_line_naming(str(caught.value), path, fault)


def test_a_flow_file_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    from flows.conversation.file_reading import MAX_FILE_BYTES

    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(FlowFileError) as caught:
        load_flow_file(path)
    _one_line_naming(str(caught.value), path, "bytes")


@pytest.mark.parametrize("name", HOSTILE_YAML)
def test_a_hostile_directory_file_is_one_line_naming_the_file(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "directory"
    shutil.copytree(FOLDER, folder)
    content, fault = HOSTILE_YAML[name]
    (folder / "territories.yaml").write_bytes(content)
    with pytest.raises(DirectoryError) as caught:
        load_directory(folder)
    _one_line_naming(str(caught.value), folder / "territories.yaml", fault)


HOSTILE_JSON: dict[str, tuple[bytes, str]] = {
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nested"),
    "deep-objects": (b'{"a":' * 500 + b"1" + b"}" * 500, "nested"),
    "long-number": (b'{"organizations": [' + b"9" * 5000 + b"]}", "number"),
    "not-utf8": (b'{"organizations": "\xff"}', "UTF-8"),
    "not-json": (b"{organizations", "JSON"),
}


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_a_hostile_hsds_json_file_is_one_line_naming_the_file(tmp_path: Path, name: str) -> None:
    from deseo.cli.common import CommandError
    from deseo.cli.services import _read

    content, fault = HOSTILE_JSON[name]
    path = tmp_path / f"{name}.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        _read(path)
    _one_line_naming(str(caught.value), path, fault)
