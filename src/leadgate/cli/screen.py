"""`leadgate screen --campaign ID --out DIR`: a campaign's call lists per call centre, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from leadgate.cli.common import OrgOption, current_database, fail, load_rulebooks
from leadgate.cli.progress import StageBar
from leadgate.intake.mapping import Mapping, read_mapping
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings
from leadgate.screening.export import Screened
from leadgate.screening.service import screen

console = Console()
ACTOR = "cli"


def parse_moment(value: str | None, option: str) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a moment like 2026-11-26T09:00:00+01:00.")
    if moment.tzinfo is None:
        fail(f"{option} needs a UTC offset, e.g. 2026-11-26T09:00:00+01:00.")
    return moment


def screen_command(
    campaign: str = typer.Option(..., "--campaign", help="The campaign to screen for (its id)."),
    out: Path = typer.Option(..., "--out", help="Directory for the files: one folder per call centre with "
                             "leadflow/klantflow, plus blocked.csv, reasons.csv and summary.json.", file_okay=False),
    leads: Path | None = typer.Option(None, "--leads", help="Screen this lead file (CSV, XLSX or Parquet; the "
                                      "intake's column names) instead of the campaign's stored candidates.",
                                      dir_okay=False, exists=True),
    at: str | None = typer.Option(None, "--at", help="The planned moment of calling (ISO 8601 with offset); "
                                  "default now. Rows blocked only by calling hours that open later that day are "
                                  "decided for the opening."),
    mapping: Path | None = typer.Option(None, "--mapping", help="Mapping file (TOML) for the lead file's columns.",
                                        dir_okay=False, exists=True),
    country: str | None = typer.Option(None, "--country", help="Country of lead-file rows that give none: the "
                                       "default region for national numbers."),
    xlsx: bool = typer.Option(False, "--xlsx", help="Write the call lists as XLSX instead of CSV."),
    org: Path | None = OrgOption,
) -> None:
    """Screen a campaign's candidates against registers, objections and suppressions, consents, customer
    relationships, contact history, data sources, calling rules and the campaign's governance — through the
    same decision core as `leadgate decide` — and write a call list per call centre.

    Every row left out is in blocked.csv with its reason categories and codes (the reasons' text in
    reasons.csv); the export (files and their SHA-256, counts, register snapshots used) is recorded in the
    ledger. Needs LEADGATE_SUPPRESSION_KEY.
    """
    moment = parse_moment(at, "--at")
    books = load_rulebooks(org)
    url = current_database()
    started = time.perf_counter()
    try:
        settings = Settings()
        key = settings.suppression_key_bytes()
        chosen = read_mapping(mapping) if mapping else Mapping()
        with StageBar() as bar, unit_of_work(url) as session:
            def stage(name: str, total: int | None) -> Callable[[int], None]:
                bar.stage(name, total)
                return bar.advance

            result = screen(session, campaign_id=campaign, at=moment, books=books, key=key,
                            data_dir=settings.data_dir, out_dir=out, now=datetime.now(UTC), actor=ACTOR,
                            leads=leads, mapping=chosen, country=country.upper() if country else None, xlsx=xlsx,
                            stage=stage)
    except LeadgateError as exc:
        fail(exc.message)
    report(result, time.perf_counter() - started)


def report(result: Screened, seconds: float) -> None:
    summary = result.summary
    console.print(f"[green]✔[/] screened {result.rows:,} row(s) for campaign {summary['campaign']} in "
                  f"{seconds:.1f} s: {result.exported:,} to call, {result.blocked:,} left out "
                  f"(export {result.export_id}, ledger #{summary['ledger_seq']}).")
    centres = Table(title="Call lists", title_justify="left")
    for column in ("call centre", "leadflow", "klantflow"):
        centres.add_column(column, justify="left" if column == "call centre" else "right")
    for name, counts in summary["per_call_centre"].items():
        centres.add_row(name, f"{counts['leadflow']:,}", f"{counts['klantflow']:,}")
    console.print(centres)
    reasons = Table(title="Left out, by reason", title_justify="left",
                    caption="a row can have several reasons; each row's are in blocked.csv", caption_justify="left")
    reasons.add_column("category")
    reasons.add_column("rows", justify="right")
    for category, count in summary["left_out_by_category"].items():
        reasons.add_row(category, f"{count:,}")
    console.print(reasons)
    snapshots = ", ".join(f"{name} #{ids[-1]}" for name, ids in summary["register_snapshots"].items() if ids)
    console.print(f"Register snapshots: {snapshots or 'none imported'}. Files in {result.out_dir}.")
