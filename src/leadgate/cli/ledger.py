"""`leadgate ledger verify|export`: prove the evidence chain is intact, hand it to an auditor."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from pydantic_core import to_json
from rich.console import Console

from leadgate.cli.common import current_database, fail
from leadgate.kit.db import unit_of_work
from leadgate.ledger import service

app = typer.Typer(help="The evidence ledger: an append-only, hash-chained record of every event.",
                  no_args_is_help=True)
console = Console()


@app.command("verify")
def verify_command() -> None:
    """Walk the chain; exit 1 naming the first event that was changed, removed or reordered."""
    with unit_of_work(current_database()) as session:
        result = service.verify(session)
    if not result.intact:
        fail(f"the ledger is broken after {result.events} intact event(s): {result.problem}")
    console.print(f"[green]✔[/] {result.events} event(s), chain intact; head {result.head}", soft_wrap=True)


@app.command("export")
def export_command(
    since: datetime | None = typer.Option(None, "--since", help="Only events at or after this time "
                                          "(ISO 8601; without an offset it is UTC)."),
    out: typer.FileBinaryWrite = typer.Option("-", "--out", "-o", help="JSON Lines file; '-' is standard output."),
) -> None:
    """Write the events as JSON Lines (seq, prev_hash, hash, body), oldest first, for an auditor."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with unit_of_work(current_database()) as session:
        for record in service.export(session, since=since):
            out.write(to_json(record) + b"\n")
