"""Boards as data: the rules of a board's slug and role, and the boards a new forum starts with
(`forum/default_boards.yaml`), made by `deseo up` when the store has none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flows.people import Role
from storage import Database, SqlUnitOfWork

DEFAULTS = Path(__file__).parent / "default_boards.yaml"
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")


class BoardFileError(ValueError):
    """The defaults file is not as documented; the message names the file and the board."""


@dataclass(frozen=True, slots=True)
class BoardDefinition:
    slug: str
    title: str
    description: str = ""
    thread_role: str = Role.MEMBER.value
    approve_first_posts: bool = False


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a board, or None when it can."""
    if not SLUG.fullmatch(slug):
        return (
            f"{slug!r} is not a board slug: use 1 to 80 lower-case letters, digits and "
            "hyphens, starting and ending with a letter or digit"
        )
    return None


def role_problem(role: str) -> str | None:
    """Why `role` cannot be a board's thread role, or None when it can."""
    if role not in {r.value for r in Role}:
        return f"{role!r} is not a role: use one of {', '.join(r.value for r in Role)}"
    return None


def _definition(entry: Any, where: str) -> BoardDefinition:
    if not isinstance(entry, dict):
        raise BoardFileError(f"{where}: each board is a mapping with slug and title")
    unknown = set(entry) - {"slug", "title", "description", "thread_role", "approve_first_posts"}
    if unknown:
        raise BoardFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    slug, title = entry.get("slug"), entry.get("title")
    if not isinstance(slug, str) or not isinstance(title, str) or not title.strip():
        raise BoardFileError(f"{where}: slug and title are required text")
    description = entry.get("description", "")
    role = entry.get("thread_role", Role.MEMBER.value)
    approve = entry.get("approve_first_posts", False)
    if not isinstance(description, str) or not isinstance(approve, bool):
        raise BoardFileError(f"{where}: description is text, approve_first_posts true or false")
    problem = slug_problem(slug) or role_problem(str(role))
    if problem:
        raise BoardFileError(f"{where}: {problem}")
    return BoardDefinition(slug, title.strip(), description.strip(), str(role), approve)


def load_default_boards(path: Path = DEFAULTS) -> list[BoardDefinition]:
    """The boards in `path`, checked: a mistake names the file and the board."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BoardFileError(f"{path}: not valid YAML: {exc}") from None
    entries = data.get("boards") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise BoardFileError(f"{path}: expected a list under 'boards'")
    boards = [_definition(e, f"{path}, board {n}") for n, e in enumerate(entries, start=1)]
    slugs = [b.slug for b in boards]
    if len(set(slugs)) != len(slugs):
        raise BoardFileError(f"{path}: a slug is used twice")
    return boards


async def create_default_boards(database: Database, path: Path = DEFAULTS) -> list[str]:
    """Make the default boards, in order, if the store has no boards; say what was made."""
    boards = load_default_boards(path)
    async with SqlUnitOfWork(database) as work:
        if not await work.forum.is_empty():
            return []
        for position, board in enumerate(boards):
            await work.forum.create_board(
                board.slug,
                board.title,
                description=board.description,
                position=position,
                approve_first_posts=board.approve_first_posts,
                thread_role=board.thread_role,
            )
        await work.commit()
    return [f"forum boards created: {', '.join(b.slug for b in boards)}"]
