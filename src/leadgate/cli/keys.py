"""`leadgate keys create|revoke|list`: API keys for the HTTP API, shown once, stored hashed."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from leadgate.access import service
from leadgate.access.service import ROLES
from leadgate.cli.common import current_database, fail
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError

app = typer.Typer(help="API keys: one per integration (dialer, web form, call centre), with a role.",
                  no_args_is_help=True)
console = Console()
ACTOR = "cli"


@app.command("create")
def create_command(
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(ROLES)}."),
    partner: str | None = typer.Option(None, "--partner", help="The call centre a call_centre key is scoped to."),
    label: str | None = typer.Option(None, "--label", help="What the key is for (e.g. 'dialer prod')."),
) -> None:
    """Create a key and print it once; only its hash is kept, so store it in the integration's secrets."""
    try:
        with unit_of_work(current_database()) as session:
            created = service.create_key(session, role=role, partner=partner, label=label,
                                         now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    scope = f" for {partner}" if partner else ""
    console.print(f"[green]✔[/] {role} key {created.key.id}{scope} created. It is shown only now:", highlight=False)
    typer.echo(created.token)


@app.command("revoke")
def revoke_command(key: str = typer.Argument(..., help="The key's id (as `keys list` shows) or the key.")) -> None:
    """Revoke a key: every later request with it is refused (401)."""
    try:
        with unit_of_work(current_database()) as session:
            revoked = service.revoke_key(session, key_id=key, now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] key {revoked.id} revoked.")


@app.command("list")
def list_command() -> None:
    """Every key: id, role, call centre, label, created, revoked (never the secret)."""
    with unit_of_work(current_database()) as session:
        keys = service.list_keys(session)
    table = Table("id", "role", "call centre", "label", "created", "revoked")
    for key, partner in keys:
        table.add_row(key.id, key.role, partner or "", key.label or "", f"{key.created_at:%Y-%m-%d %H:%M}",
                      f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "")
    console.print(table)
