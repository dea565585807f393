"""`leadgate campaign create|approve-lia` and `leadgate partner add|webhook`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from leadgate.campaigns import service
from leadgate.cli.common import current_database, err_console, fail
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings
from leadgate.propagation import webhooks

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


@partner_app.command("webhook")
def partner_webhook_command(
    name: str = typer.Argument(..., help="The call centre."),
    url: str | None = typer.Option(None, "--url", help="Where its opt-outs are POSTed (https; signed)."),
    remove: bool = typer.Option(False, "--remove", help="Stop pushing: the call centre pulls from the API."),
    show_secret: bool = typer.Option(False, "--show-secret",
                                     help="Print the call centre's signing secret (alone, on standard output)."),
) -> None:
    """Push a call centre's opt-outs to its webhook (its pending ones are sent at once), or --remove it.
    The signing secret is derived from LEADGATE_SECRET_KEY, so it can be shown again at any time; it is
    printed only with --show-secret, to keep it out of terminal logs when not needed."""
    if url is not None and remove:
        fail("give --url or --remove, not both")
    settings = Settings()
    try:
        settings.secret_key_bytes()  # refused before anything changes: nothing could be signed without it
        with unit_of_work(current_database()) as session:
            if url is None and not remove:
                partner = service.partner_named(session, name, kind="call_centre", field="name")
                change = None
            else:
                change = webhooks.set_webhook(session, partner=name, url=None if remove else url,
                                              now=datetime.now(UTC), actor=ACTOR)
                partner = change.partner
            secret = webhooks.call_centre_secret(settings, partner.id)
    except LeadgateError as exc:
        fail(exc.message)
    if change is not None and change.warning:
        err_console.print(Text.assemble(("warning:", "bold yellow"), " ", change.warning))
    if change is not None and remove:
        err_console.print(Text(f"✔ {partner.name} pulls its opt-outs from the API; {change.rescheduled} pending."))
    elif change is not None:
        err_console.print(Text(f"✔ {partner.name}'s opt-outs are POSTed to {url}; {change.rescheduled} pending "
                               "sent at the next delivery round."))
    elif not show_secret:
        where = partner.webhook_url or "none (pulls from the API)"
        err_console.print(Text(f"{partner.name}: webhook {where}."))
    if show_secret:
        typer.echo(secret)
    elif partner.webhook_url:
        err_console.print("Its signing secret is not shown; add --show-secret to print it for the call centre.")


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
