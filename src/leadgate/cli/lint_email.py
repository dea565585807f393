"""`leadgate lint-email FILE.eml --campaign ID`: what the rules require the message to carry and it lacks.

Exit status: 0 when no finding is an error, 1 when one is, 2 when the message or campaign cannot be read.
Reads the store only for the campaign.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from leadgate.cli.common import OrgOption, fail, load_rulebooks
from leadgate.core.facts import CONTACT_KINDS
from leadgate.kit.db import ensure_current, unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings
from leadgate.lint import service
from leadgate.lint.core import Report
from leadgate.lint.message import MAX_MESSAGE_BYTES

console = Console()
if not console.is_terminal:
    console.width = max(console.width, 150)  # piped or captured: tables stay readable

_SOURCES = ("webform", "purchased_list", "rented_list", "crm", "customer_record", "public_register",
            "public_website", "phonebook", "social_network", "referral")


def _print(report: Report, name: str) -> None:
    where = report.jurisdiction or "common rules only"
    if not report.findings:
        console.print(f"[green]✔[/] {name}: nothing missing ({where}).")
        return
    table = Table(title=f"{name}: {len(report.findings)} finding(s) ({where})", show_lines=True)
    for col, style in (("Severity", ""), ("Code", "bold"), ("What to add", ""), ("Reference", "dim")):
        table.add_column(col, style=style, overflow="fold")
    for f in report.findings:
        severity = "[red]error[/]" if f.severity == "error" else "[yellow]warning[/]"
        reference = f.reference + (f"\n{f.rule} (confidence {f.confidence})" if f.rule else "")
        table.add_row(severity, f.code, f.message, reference)
    console.print(table)
    console.print("[red]✘ the rules require what the errors name.[/]" if not report.ok
                  else "[green]✔ no errors[/] (warnings are good practice or depend on what is not known).")


def lint_email_command(
    file: Path = typer.Argument(..., help="The message as a raw RFC 5322 file (.eml); - for standard input.",
                                allow_dash=True),
    campaign: str = typer.Option(..., "--campaign", help="The campaign id the message is sent for."),
    country: str | None = typer.Option(None, "--country", help="The recipient's country (NL, BE, FR, DE, GB); "
                                       "without it only the common rules are checked."),
    kind: str | None = typer.Option(None, "--kind", help=f"The recipient's kind: {', '.join(CONTACT_KINDS)}."),
    first_contact: bool | None = typer.Option(None, "--first-contact/--not-first-contact",
                                              help="Whether this is the first message to the person "
                                                   "[default: unknown]."),
    source_kind: str | None = typer.Option(None, "--source-kind", help=f"Where the address came from: "
                                           f"{', '.join(_SOURCES)}."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    org: Path | None = OrgOption,
) -> None:
    """Check an e-mail message against what the rules require for a campaign."""
    if kind is not None and kind not in CONTACT_KINDS:
        fail(f"--kind must be one of {', '.join(CONTACT_KINDS)}, not {kind!r}.", 2)
    if source_kind is not None and source_kind not in _SOURCES:
        fail(f"--source-kind must be one of {', '.join(_SOURCES)}, not {source_kind!r}.", 2)
    if country is not None and not (len(country) == 2 and country.isalpha()):
        fail(f"--country {country!r} is not a two-letter country code like NL.", 2)
    try:
        if str(file) == "-":
            raw = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
        else:
            with file.open("rb") as handle:
                raw = handle.read(MAX_MESSAGE_BYTES + 1)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}", 2)
    books = load_rulebooks(org)
    try:
        url = Settings().database_url
        ensure_current(url)
        with unit_of_work(url) as session:
            report = service.lint_email(
                session, raw=raw, campaign_id=campaign, books=books, at=datetime.now(UTC),
                recipient=service.Recipient(country=country, kind=kind, first_contact=first_contact,
                                            source_kind=source_kind))
    except LeadgateError as exc:
        fail(exc.message, 2)
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print(report, file.name if str(file) != "-" else "standard input")
    raise typer.Exit(0 if report.ok else 1)
