"""`leadgate intake FILE --supplier NAME`: a supplier's lead file into the evidence store, in one transaction."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError

from leadgate.cli.common import current_database, fail
from leadgate.cli.progress import StageBar
from leadgate.intake.service import Summary, now_utc, run_intake
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError

console = Console()
ACTOR = "cli"


def intake_command(
    file: Path = typer.Argument(..., help="The supplier's file: CSV (any delimiter, UTF-8 or Windows-1252) or "
                                          "XLSX (first sheet).", dir_okay=False),
    supplier: str = typer.Option(..., "--supplier", help="The lead supplier (a partner of kind lead_supplier)."),
    mapping: Path | None = typer.Option(None, "--mapping", help="Mapping file (TOML): the supplier's column names "
                                        "-> leadgate fields, extra columns, defaults.", dir_okay=False),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report (and write the rejected file), "
                                 "store nothing."),
    country: str | None = typer.Option(None, "--country", help="Country of rows that give none (NL, BE, FR, DE, "
                                       "GB): the default region for national numbers like 06-12345678."),
    campaign: str | None = typer.Option(None, "--campaign", help="The campaign the file was bought or collected "
                                        "for: its leads become that campaign's candidates for `leadgate screen`."),
    timezone: str | None = typer.Option(None, "--timezone", help="Time zone of consent times written without a "
                                        "UTC offset (e.g. Europe/Amsterdam); without it they are rejected."),
) -> None:
    """Import a supplier's lead file: validate every row, match persons by number and e-mail, store leads and
    consents with their proof in one transaction, and record the file in the ledger.

    Rejected rows go to FILE's name with .rejected.csv, next to it. The same file imported twice adds nothing.
    """
    url = current_database()
    started = time.perf_counter()
    try:
        with StageBar() as bar, unit_of_work(url) as session:
            summary = run_intake(session, path=file, supplier=supplier, now=now_utc(), actor=ACTOR,
                                 mapping_path=mapping, dry_run=dry_run, country=country, timezone=timezone,
                                 progress=bar, campaign=campaign)
    except LeadgateError as exc:
        fail(exc.message)
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        fail("The database is busy with another write (another intake?); nothing was stored. Run again when it "
             "is done.")
    _report(summary, time.perf_counter() - started)


def _report(summary: Summary, seconds: float) -> None:
    if summary.already_imported_at is not None:
        console.print(f"{summary.file_name} was already imported on "
                      f"{summary.already_imported_at:%Y-%m-%d %H:%M} UTC (intake {summary.intake_id}, same SHA-256); "
                      "nothing was added.", highlight=False)
        return
    table = Table(title=f"Intake of {summary.file_name}" + (" (dry run: nothing stored)" if summary.dry_run else ""),
                  show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right", overflow="fold")  # the whole SHA-256, never "…"
    rate = summary.rows_read / seconds if seconds else 0.0
    for what, value in (
        ("rows read", summary.rows_read), ("rows imported", summary.rows_imported),
        ("rows rejected", summary.rows_rejected), ("persons created", summary.persons_created),
        ("persons matched", summary.persons_matched), ("customers matched (klantflow)", summary.customers_matched),
        ("consents created", summary.consents_created), ("data sources created", summary.sources_created),
    ):
        table.add_row(what, f"{value:,}")
    table.add_row("file SHA-256", summary.sha256)
    table.add_row("read as", summary.encoding + (f", delimiter {summary.delimiter!r}" if summary.delimiter else ""))
    table.add_row("time", f"{seconds:.1f} s ({rate:,.0f} rows/s)")
    console.print(table)
    if summary.reasons:
        reasons = Table(title="Rejected rows by reason", title_justify="left")
        reasons.add_column("field")
        reasons.add_column("reason")
        reasons.add_column("rows", justify="right")
        for field, reason, count in summary.reasons:
            reasons.add_row(field, reason, f"{count:,}")
        console.print(reasons)
        console.print(f"Rejected rows with their original columns: {summary.rejected_file}", highlight=False)
    if summary.ignored_columns:
        console.print("Ignored columns (not mapped, not stored): " + ", ".join(summary.ignored_columns),
                      highlight=False)
    if summary.extra_columns:
        console.print("Kept as lead context: " + ", ".join(summary.extra_columns), highlight=False)
    if not summary.dry_run:
        console.print(f"[green]✔[/] intake {summary.intake_id} stored in one transaction (ledger event "
                      f"{summary.ledger_seq}).", highlight=False)
    sys.stdout.flush()
