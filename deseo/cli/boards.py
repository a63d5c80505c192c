"""`deseo boards ...`: the forum's boards from the terminal: make, list, change, reorder and
delete (only empty ones)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from deseo.cli.common import fail, on_store, out, require_current_schema, settings

if TYPE_CHECKING:
    from storage import BoardRecord, Database

T = TypeVar("T")
app = typer.Typer(help="The forum's boards.", no_args_is_help=True)


def _on_store(work: Callable[[Database], Awaitable[T]]) -> T:
    from storage import BoardExists, BoardNotEmpty

    url = settings().database
    require_current_schema(url)
    try:
        return on_store(url, work)
    except BoardExists as exc:
        fail(f"a board with the slug {exc} exists already")
    except BoardNotEmpty as exc:
        fail(f"the board {exc} has threads: move them to another board first")


def _check(slug: str | None, thread_role: str | None) -> None:
    from forum import role_problem, slug_problem

    problem = (slug_problem(slug) if slug is not None else None) or (
        role_problem(thread_role) if thread_role is not None else None
    )
    if problem:
        fail(problem, 2)


def _describe(board: BoardRecord) -> str:
    extras = []
    if board.thread_role != "member":
        extras.append(f"threads by {board.thread_role}s")
    if board.approve_first_posts:
        extras.append("first posts approved")
    more = f" ({', '.join(extras)})" if extras else ""
    return f"{board.position:>3}  {board.slug:<24} {board.title}{more}"


@app.command("create")
def create(
    slug: str = typer.Argument(..., help="The board's address: /boards/SLUG."),
    title: str = typer.Argument(..., help="The board's title."),
    description: str = typer.Option("", "--description", help="One or two sentences."),
    position: int = typer.Option(
        None, "--position", help="Order on the front page (default: last)."
    ),
    approve_first_posts: bool = typer.Option(
        False, "--approve-first-posts", help="A new member's first post waits for a moderator."
    ),
    thread_role: str = typer.Option(
        "member", "--thread-role", help="Who may start threads, e.g. coordinator."
    ),
) -> None:
    """Make a board."""
    from storage import SqlUnitOfWork

    _check(slug, thread_role)

    async def work(database: Database) -> BoardRecord:
        async with SqlUnitOfWork(database) as uow:
            board = await uow.forum.create_board(
                slug,
                title.strip(),
                description=description.strip(),
                position=position,
                approve_first_posts=approve_first_posts,
                thread_role=thread_role,
            )
            await uow.commit()
        return board

    board = _on_store(work)
    out.print(f"board {board.slug} created at position {board.position}")


@app.command("list")
def list_boards() -> None:
    """The boards in their order on the front page."""
    from storage import SqlUnitOfWork

    async def work(database: Database) -> list[BoardRecord]:
        async with SqlUnitOfWork(database) as uow:
            return await uow.forum.boards()

    boards = _on_store(work)
    if not boards:
        out.print("no boards yet: `deseo boards create SLUG TITLE`, or `deseo up` for the defaults")
    for board in boards:
        out.print(_describe(board))


@app.command("update")
def update(
    slug: str = typer.Argument(..., help="The board to change."),
    new_slug: str = typer.Option(None, "--slug", help="A new slug (old links stop working)."),
    title: str = typer.Option(None, "--title"),
    description: str = typer.Option(None, "--description"),
    position: int = typer.Option(None, "--position"),
    approve_first_posts: bool = typer.Option(
        None, "--approve-first-posts/--no-approve-first-posts"
    ),
    thread_role: str = typer.Option(None, "--thread-role"),
) -> None:
    """Change a board; what is not given stays as it is."""
    from storage import SqlUnitOfWork

    _check(new_slug, thread_role)

    async def work(database: Database) -> BoardRecord | None:
        async with SqlUnitOfWork(database) as uow:
            found = await uow.forum.board_by_slug(slug)
            if found is None:
                return None
            board = await uow.forum.update_board(
                found.id,
                slug=new_slug,
                title=title.strip() if title is not None else None,
                description=description.strip() if description is not None else None,
                position=position,
                approve_first_posts=approve_first_posts,
                thread_role=thread_role,
            )
            await uow.commit()
        return board

    board = _on_store(work)
    if board is None:
        fail(f"there is no board {slug}")
    out.print(_describe(board))


@app.command("delete-empty")
def delete_empty(slug: str = typer.Argument(..., help="The board to delete.")) -> None:
    """Delete a board that has no threads."""
    from storage import SqlUnitOfWork

    async def work(database: Database) -> bool:
        async with SqlUnitOfWork(database) as uow:
            found = await uow.forum.board_by_slug(slug)
            if found is None:
                return False
            await uow.forum.delete_board(found.id)
            await uow.commit()
        return True

    if not _on_store(work):
        fail(f"there is no board {slug}")
    out.print(f"board {slug} deleted")
