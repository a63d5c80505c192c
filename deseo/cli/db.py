"""`deseo db ...`: migrate the store and see where it stands."""

from __future__ import annotations

import typer

from deseo.cli.common import fail, out, settings, store_revision

app = typer.Typer(help="Migrate the database and check its schema.", no_args_is_help=True)


@app.command()
def upgrade(
    revision: str = typer.Argument("head", help="Revision to migrate to (default: the newest)."),
) -> None:
    """Migrate the database forward."""
    from storage import display_url, migrate

    url = settings().database
    store_revision(url)
    migrate.upgrade(url, revision)
    out.print(f"{display_url(url)} is at revision {store_revision(url)}")


@app.command()
def downgrade(
    revision: str = typer.Argument(..., help="Revision to go back to; `base` empties the store."),
) -> None:
    """Migrate the database back to an earlier revision."""
    from storage import display_url, migrate

    url = settings().database
    store_revision(url)
    migrate.downgrade(url, revision)
    out.print(f"{display_url(url)} is at revision {store_revision(url) or 'base (empty)'}")


@app.command()
def current() -> None:
    """Show the database's revision and the newest one this deseo knows."""
    from storage import migrate

    url = settings().database
    revision = store_revision(url)
    head = migrate.head()
    if revision == head:
        out.print(f"{revision} (head)")
    else:
        out.print(f"{revision or 'none'} (head is {head}: run `deseo db upgrade`)")


@app.command()
def check() -> None:
    """Check that the database is at head and its tables match the models; exit 1 if not."""
    from storage import migrate

    url = settings().database
    store_revision(url)
    state = migrate.state(url)
    if not state.at_head:
        fail(f"the database is at {state.revision or 'none'}, head is {state.head}")
    if state.differences:
        for difference in state.differences:
            out.print(f"  differs: {difference}")
        fail(f"the schema at {state.head} does not match the models ({len(state.differences)})")
    out.print(f"{state.revision} (head); the schema matches the models")


@app.command()
def revision(message: str = typer.Argument(..., help="What the migration does.")) -> None:
    """For developers: write a migration for what the models changed since head."""
    from storage import migrate

    path = migrate.new_revision(message)
    out.print(f"wrote {path}: read it before you commit it")
