"""`leadgate evidence PHONE|EMAIL`: the evidence pack for a complaint about one contact point."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from leadgate.cli.common import current_database, fail
from leadgate.evidence import render, service
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings

err_console = Console(stderr=True)
FORMATS = ("md", "json")


def evidence_command(
    contact: str = typer.Argument(..., help="Phone number (any format) or e-mail address."),
    country: str | None = typer.Option(None, "--country", help="Country for national number formats "
                                       "(NL, BE, FR, DE, GB)."),
    output_format: str = typer.Option("md", "--format", help="md: the document for a regulator (contact point "
                                      "masked, no names); json: full values for your compliance officer."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the pack to this file "
                                    "[default: standard output].", dir_okay=False),
) -> None:
    """Everything leadgate holds that proves (or disproves) a contact was lawful, in time order, with ledger
    hashes: consents with their exact text and source, withdrawals, objections, leads and their supplier
    file, customer relationships, attempts and recorded decisions. Every proof is re-checked against the
    ledger; exit 2 when the pack reports a broken chain or a mismatch, 1 when the contact point is unknown."""
    if output_format not in FORMATS:
        fail(f"--format must be md or json, not {output_format!r}.")
    settings = Settings()
    key = settings.suppression_key.get_secret_value().encode("utf-8") if settings.suppression_key else None
    try:
        # Read-only: the unit of work commits nothing, and the pack sees one consistent snapshot.
        with unit_of_work(current_database()) as session:
            pack = service.build_pack(session, contact=contact, country=country, key=key)
    except LeadgateError as exc:
        fail(exc.message)
    text = render.to_json(pack) if output_format == "json" else render.to_markdown(pack)
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror}")
        err_console.print(f"evidence pack for {pack.masked} written to {out} ({len(pack.entries)} entries).",
                          highlight=False)
    if pack.problems:
        err_console.print(f"[bold red]warning:[/] the pack reports {len(pack.problems)} problem(s): "
                          f"{pack.problems[0]}", highlight=False)
        raise typer.Exit(2)
