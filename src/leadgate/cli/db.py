"""`leadgate db upgrade|status`: bring the database to the schema this leadgate expects."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from leadgate.cli.common import fail
from leadgate.kit.db import alembic_config, schema_state
from leadgate.kit.settings import Settings

app = typer.Typer(help="The database: LEADGATE_DATABASE_URL (default sqlite:///leadgate.db in the working "
                       "directory; production postgresql+psycopg://user@host/db).", no_args_is_help=True)
console = Console()


def _where(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url  # never print a password


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration the database lacks (one transaction per migration)."""
    from alembic import command  # only here: every other command starts without alembic

    url = Settings().database_url
    try:
        command.upgrade(alembic_config(url), "head")
        current, _ = schema_state(url)
    except SQLAlchemyError as exc:
        fail(f"cannot upgrade {_where(url)}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    console.print(f"[green]✔[/] {_where(url)} is at revision {current}.")


@app.command("status")
def status_command() -> None:
    """Say whether the database is at the revision this leadgate expects (exit 1 when it is not)."""
    url = Settings().database_url
    try:
        current, head = schema_state(url)
    except SQLAlchemyError as exc:
        fail(f"cannot reach {_where(url)}: {str(exc).splitlines()[0]}")
    if current != head:
        fail(f"{_where(url)} is at revision {current or 'none'}; this leadgate expects {head}. "
             "Run `leadgate db upgrade`.")
    console.print(f"[green]✔[/] {_where(url)} is at revision {current}, as expected.")
