"""`leadgate customer add|import`: customer relationships from our own CRM."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console

from leadgate.cli.common import current_database, fail
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.people import customers as service

app = typer.Typer(help="Customer relationships (paid or not, since, until): the customer exceptions rest on "
                  "them.", no_args_is_help=True)
console = Console()
ACTOR = "cli"


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date like 2026-03-01")


@app.command("add")
def add_command(
    contact: str = typer.Option(..., "--contact", help="Phone number (any format) or e-mail address."),
    country: str | None = typer.Option(None, "--country", help="Country for national number formats."),
    kind: str | None = typer.Option(None, "--kind", help="consumer, sole_trader, business or company_general "
                                    "[default: the person's kind, consumer for a new person]."),
    name: str | None = typer.Option(None, "--name", help="The person's name, as the agent needs it."),
    paid: bool = typer.Option(..., "--paid/--unpaid", help="Whether the customer paid for something "
                              "(a free gadget or contest entry is --unpaid: not a customer for the exceptions)."),
    since: str | None = typer.Option(None, "--since", help="Start of the relationship (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="End of the relationship (YYYY-MM-DD); "
                                     "leave out while the contract runs."),
    reference: str | None = typer.Option(None, "--reference", help="Your customer number: recording it "
                                         "again updates this relationship."),
) -> None:
    """Record (or update) one customer relationship; it goes to the evidence ledger."""
    spec = service.CustomerSpec(contact=contact, country=country.upper() if country else None,
                                kind=kind, name=name, paid=paid, started_on=_day(since, "--since"),
                                ended_on=_day(until, "--until"), reference=reference)
    try:
        with unit_of_work(current_database()) as session:
            relationship, change = service.record_customer(session, spec=spec, now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] customer relationship {relationship.id} {change} "
                  f"({'paid' if paid else 'unpaid'}).")


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV export of the CRM."),
    country: str | None = typer.Option(None, "--country", help="Country for rows without one."),
) -> None:
    """Import customer relationships from a CSV file, all or nothing.

    Columns: contact (or phone / email), country, kind, name, paid (yes/no, true/false, 1/0, ja/nee,
    oui/non), started_on, ended_on (YYYY-MM-DD), reference. Delimiter ; , or tab; UTF-8 (with or without
    BOM) or Windows-1252. A bad row refuses the whole file, naming each bad row and field.
    """
    try:
        with unit_of_work(current_database()) as session:
            summary = service.import_customers(session, data=file.read_bytes(), where=file.name,
                                               country=country.upper() if country else None,
                                               now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] {summary.rows} row(s): {summary.created} relationship(s) created, "
                  f"{summary.updated} updated, {summary.unchanged} already known; "
                  f"{summary.persons_created} new person(s).")
