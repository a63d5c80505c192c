"""The layout's rules that import-linter cannot state: each package of flows/ offers what
others use through its `__all__`, and no chat platform is named in the platform-free core.

import-linter (contracts in pyproject.toml) checks the direction of imports, the independence
of flows' feature folders and the absence of import circles; these tests check the surface.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("flows", "storage", "bot", "forum", "deseo", "benchmarks")
# Chat platforms are named only in bot/ (their adapters) and deseo/ (settings, the CLI).
PLATFORM_NAMES = re.compile(r"telegram|discord|t\.me/|whatsapp", re.I)


def _python_files(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in sorted((ROOT / pkg).rglob("*.py"))]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _surface(child: str) -> set[str]:
    """What `flows.<child>` lists in `__all__`."""
    path = ROOT / "flows" / child
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{source.relative_to(ROOT)} has no __all__")


def _flows_imports() -> dict[str, set[tuple[str, str]]]:
    """(importing module, name) per `flows.<child>` imported, from outside that child."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in _python_files(*PRODUCT):
        me = _module(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] != "flows" or len(parts) < 2:
                continue
            child = parts[1]
            if me.startswith(f"flows.{child}.") or me == f"flows.{child}":
                continue  # a feature's own modules import each other directly
            assert len(parts) == 2, (
                f"{me} imports {node.module}: outside flows.{child}, import it through "
                f"flows.{child}, whose __all__ says what it offers"
            )
            for alias in node.names:
                found[child].add((me, alias.name))
    return found


def test_every_import_of_a_flows_package_is_in_its_public_surface() -> None:
    for child, uses in _flows_imports().items():
        offered = _surface(child)
        for me, name in sorted(uses):
            assert name in offered, f"{me} imports {name} from flows.{child}, not in its __all__"


def test_every_name_a_flows_package_offers_is_used_outside_it() -> None:
    used = defaultdict(set)
    for child, uses in _flows_imports().items():
        used[child] |= {name for _, name in uses}
    for path in sorted((ROOT / "flows").iterdir()):
        child = path.stem
        if child.startswith("_") or child == "content" or path.suffix not in ("", ".py"):
            continue
        unused = _surface(child) - used[child]
        assert not unused, f"flows.{child} offers {sorted(unused)}, which nothing outside uses"


def _all_of(path: Path) -> set[str]:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{path.relative_to(ROOT)} has no __all__")


def test_other_packages_use_storage_bot_and_forum_through_their_public_surface() -> None:
    used: dict[str, set[str]] = defaultdict(set)
    for path in _python_files(*PRODUCT):
        me = _module(path).split(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            top = node.module.split(".")[0]
            if top not in ("storage", "bot", "forum") or top == me:
                continue
            assert node.module == top, f"{_module(path)} imports {node.module}: use {top}"
            offered = _all_of(ROOT / top / "__init__.py")
            for alias in node.names:
                assert alias.name in offered, f"{_module(path)} imports {alias.name} from {top}"
                used[top].add(alias.name)
    for top in ("storage", "bot", "forum"):
        # Tests may use more of a package than other packages do, through the same surface.
        tested = {
            alias.name
            for path in _python_files("tests")
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module == top
            for alias in node.names
        }
        unused = _all_of(ROOT / top / "__init__.py") - used[top] - tested
        assert not unused, f"{top} offers {sorted(unused)}, which nothing outside it uses"


def test_no_chat_platform_is_named_in_the_platform_free_core() -> None:
    named = []
    for path in _python_files("flows"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PLATFORM_NAMES.search(line):
                named.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not named, "platform names belong in bot/ and deseo/:\n" + "\n".join(named)
