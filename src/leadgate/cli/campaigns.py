"""`leadgate campaign create|approve-lia` and `leadgate partner add`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console

from leadgate.campaigns import service
from leadgate.cli.common import current_database, fail
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError

campaign_app = typer.Typer(help="Campaigns: lawful basis, balancing test, caller ID, call centres.",
                           no_args_is_help=True)
partner_app = typer.Typer(help="Partners: lead suppliers and call centres.", no_args_is_help=True)
console = Console()
ACTOR = "cli"


@partner_app.command("add")
def partner_add_command(
    name: str = typer.Argument(..., help="The partner's name, as used in campaign files and exports."),
    kind: str = typer.Option(..., "--kind", help="call_centre or lead_supplier."),
) -> None:
    """Register a lead supplier or call centre."""
    if kind not in ("call_centre", "lead_supplier"):
        fail(f"--kind must be call_centre or lead_supplier, not {kind!r}")
    try:
        with unit_of_work(current_database()) as session:
            partner = service.add_partner(session, name=name, kind=kind,  # type: ignore[arg-type]
                                          now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] partner {partner.name} ({partner.kind}) added.")


@campaign_app.command("create")
def campaign_create_command(
    file: Path = typer.Option(..., "--file", exists=True, dir_okay=False, help="The campaign file (TOML)."),
) -> None:
    """Create a campaign from a file: id, name, lawful_basis, sector, caller_id, automated_dialer,
    relevant_to_role and [[call_centre]] entries with name and share (adding up to 100)."""
    try:
        spec = service.read_campaign_file(file.read_text("utf-8"), str(file))
        with unit_of_work(current_database()) as session:
            campaign = service.create_campaign(session, spec, now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] campaign {campaign.id} created ({campaign.lawful_basis}).")


@campaign_app.command("approve-lia")
def approve_lia_command(
    campaign: str = typer.Argument(..., help="Campaign id."),
    on: str = typer.Option(..., "--date", help="The day the balancing test was approved (YYYY-MM-DD)."),
) -> None:
    """Record the approval of a legitimate-interest campaign's balancing test (belangenafweging)."""
    try:
        day = date.fromisoformat(on)
    except ValueError:
        fail(f"--date {on!r} is not a date like 2026-03-01")
    try:
        with unit_of_work(current_database()) as session:
            service.approve_lia(session, campaign_id=campaign, on=day, now=datetime.now(UTC), actor=ACTOR)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] balancing test of {campaign} approved on {day.isoformat()}.")
