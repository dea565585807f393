"""`leadgate source add|disable|list`: where the data came from and whether it may be used."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from leadgate.cli.common import current_database, fail
from leadgate.intake import sources as service
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError

app = typer.Typer(help="Data sources: a supplier's source codes, their purpose compatibility, switching them "
                  "off.", no_args_is_help=True)
console = Console()
ACTOR = "cli"
SupplierOpt = typer.Option(..., "--supplier", help="The lead supplier (see `leadgate partner add`).")


@app.command("add")
def add_command(
    code: str = typer.Argument(..., help="The source code, as it appears in the supplier's files."),
    supplier: str = SupplierOpt,
    kind: str = typer.Option(..., "--kind", help=f"How the data was acquired: {', '.join(service.SOURCE_KINDS)}."),
    purpose: str | None = typer.Option(None, "--purpose", help="What the data was collected for."),
    compatible: bool | None = typer.Option(None, "--compatible/--incompatible", help="Your assessment: may it "
                                           "be used for marketing? [default: not assessed; public registers, "
                                           "websites, social networks and phonebooks then stay blocked]"),
) -> None:
    """Add a source, or update the kind, purpose and assessment of one that exists (intake creates them)."""
    try:
        with unit_of_work(current_database()) as session:
            source, created = service.add_source(session, supplier=supplier, code=code, kind=kind, purpose=purpose,
                                                 compatible=compatible, now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    state = " (disabled)" if source.disabled else ""
    console.print(f"[green]✔[/] source {escape(source.code)} of {escape(supplier)} "
                  f"{'added' if created else 'updated'}{state}.")


@app.command("disable")
def disable_command(
    code: str = typer.Argument(..., help="The source code."),
    supplier: str = SupplierOpt,
    reason: str = typer.Option(..., "--reason", help="Why (complaints, audit finding): kept in the ledger."),
) -> None:
    """Switch a source off: its leads are no longer allowed to be contacted."""
    try:
        with unit_of_work(current_database()) as session:
            service.disable_source(session, supplier=supplier, code=code, reason=reason, now=datetime.now(UTC),
                                   actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] source {escape(code)} of {escape(supplier)} disabled.")


@app.command("list")
def list_command() -> None:
    """Every data source with its supplier, kind, purpose compatibility and state."""
    try:
        with unit_of_work(current_database()) as session:
            rows = service.list_sources(session)
    except LeadgateError as exc:
        fail(exc.message)
    table = Table("supplier", "code", "kind", "purpose", "compatible", "state")
    for source, supplier in rows:
        compatible = {True: "yes", False: "no", None: "not assessed"}[source.purpose_compatible]
        table.add_row(escape(supplier or "-"), escape(source.code), source.kind, escape(source.purpose or ""),
                      compatible, "[red]disabled[/]" if source.disabled else "active")
    console.print(table if rows else "No data sources yet.")
