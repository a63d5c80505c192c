"""Reading the YAML and JSON files a coordinator is handed, with bounds a hostile file meets.

A 342-byte YAML file of nested aliases ("billion laughs") expands to gigabytes, very deep
nesting exhausts Python's stack, and a 5,000-digit number or bytes that are not UTF-8 raise
errors of their own. Here each is a `FileFault` saying in one line what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 64


class FileFault(ValueError):
    """A file that cannot be read as data; the message says why, in one line."""


def read_text(path: str | Path) -> str:
    """The UTF-8 text of a file of at most `MAX_FILE_BYTES` bytes."""
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FileFault(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FileFault(f"larger than {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileFault(f"not a UTF-8 text file (byte {exc.start + 1})") from None


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases (flows and the directory never need them) and
    with nesting bounded."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise FileFault(f"line {mark.line + 1}: aliases (*name) are not allowed")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise FileFault(f"line {mark.line + 1}: nested more than {MAX_DEPTH} deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_yaml(text: str) -> Any:
    """The data in a YAML text; raises `FileFault`."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise FileFault(f"not valid YAML{at}: {' '.join(str(reason).split())}") from None
    except ValueError as exc:  # a number too long to read, among others
        raise FileFault(_value_fault(exc)) from None
    except RecursionError:
        raise FileFault(f"nested more than {MAX_DEPTH} deep") from None
    finally:
        loader.dispose()


def load_json(text: str) -> Any:
    """The data in a JSON text, nested at most `MAX_DEPTH` deep; raises `FileFault`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise FileFault(f"not valid JSON: {exc.msg} ({where})") from None
    except ValueError as exc:
        raise FileFault(_value_fault(exc)) from None
    except RecursionError:
        raise FileFault(f"nested more than {MAX_DEPTH} deep") from None
    if _depth(data) > MAX_DEPTH:
        raise FileFault(f"nested more than {MAX_DEPTH} deep")
    return data


def _value_fault(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return "a number has too many digits"
    return " ".join(str(exc).split())


def _depth(data: Any) -> int:
    # Without recursion: the point is to measure what could exhaust the stack.
    deepest = 0
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, dict):
            pending.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            pending.extend((value, depth + 1) for value in node)
    return deepest
