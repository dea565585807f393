"""`leadgate registers ...`: do-not-call register files in (full lists, check-service answers), the file of
numbers to submit to a check service out, and how fresh each register the rulebooks name is."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError

from leadgate.cli.common import OrgOption, current_database, err_console, fail, load_rulebooks
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.moments import parse_moment
from leadgate.kit.settings import Settings
from leadgate.registers import service
from leadgate.registers.parse import FORMATS, Format

app = typer.Typer(help="Do-not-call registers (be-dncm, gb-tps, gb-ctps, fr-bloctel, ...): import the lists and "
                       "check-service answers the rules screen against, and see how fresh they are.",
                  no_args_is_help=True)
console = Console()
ACTOR = "cli"

CheckedAt = typer.Option(..., "--checked-at", help="When the register produced the file (download time of a full "
                         "list, answer time of a check service), ISO 8601 with UTC offset, e.g. "
                         "2026-11-23T06:00:00+01:00. The rules count a register's age from it.")


class _Stages:
    """A spinner naming the current stage on a terminal; one line per stage on stderr otherwise."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.status = err_console.status("starting") if err_console.is_terminal else None

    def __enter__(self) -> _Stages:
        if self.status is not None:
            self.status.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.status is not None:
            self.status.stop()

    def __call__(self, name: str) -> None:
        elapsed = time.perf_counter() - self.began
        if self.status is not None:
            self.status.update(f"{name} ({elapsed:.0f} s)")
        else:
            err_console.print(f"[{elapsed:6.1f} s] {name} ...", highlight=False)


def _moment(text: str) -> datetime:
    try:
        return parse_moment(text)
    except ValueError as exc:
        fail(f"--checked-at: {exc}")


def _run(call: Any) -> Any:
    try:
        return call()
    except LeadgateError as exc:
        fail(exc.message)
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        fail("The database is busy with another write; nothing was stored. Run again when it is done.")


@app.command("import")
def import_command(
    name: str = typer.Argument(..., help="The register, as the rulebooks name it (see `leadgate registers status`)."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The register's whole list."),
    checked_at: str = CheckedAt,
    force: bool = typer.Option(False, "--force", help="Accept a list with fewer than 80 % of the previous one's "
                               "numbers (only if the register really shrank: a truncated download would unlist "
                               "numbers)."),
    column: str | None = typer.Option(None, "--column", help="CSV with a header: the column holding the number."),
    fmt: str | None = typer.Option(None, "--format", help="dncm: 'number;registration date' lines (any of ; , tab "
                                   "or spaces; header optional); tps: one national number a line; csv: a CSV "
                                   "with a header (see --column). Default: tps for gb-*, else dncm."),
    org: Path | None = OrgOption,
) -> None:
    """Import a register's full list as it stood at --checked-at.

    Numbers may be national (0470 12 34 56; the register's country is the default region), 32470...,
    +32470... or 0032470... . Bad lines are counted and shown (masked), not fatal. Only the changes since
    the previous list are stored (listing intervals), so every past list can still be answered. The same
    file twice adds nothing.
    """
    if fmt is not None and fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    books = load_rulebooks(org)
    when = _moment(checked_at)
    url = current_database()
    data = file.read_bytes()
    started = time.perf_counter()
    with _Stages() as stages:
        def work() -> service.SnapshotSummary:
            with unit_of_work(url) as session:
                return service.import_full(
                    session, register=name, data=data, where=file.name, checked_at=when, now=datetime.now(UTC),
                    actor=ACTOR, force=force, data_dir=Settings().data_dir, fmt=fmt_of(fmt), column=column,
                    books=books, stage=stages)
        summary = _run(work)
    _report(summary, time.perf_counter() - started)


def fmt_of(text: str | None) -> Format | None:
    return next((f for f in FORMATS if f == text), None)


@app.command("import-check")
def import_check_command(
    name: str = typer.Argument(..., help="The register whose check service answered (e.g. fr-bloctel)."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The service's answer as a CSV."),
    checked_at: str = CheckedAt,
    column: str | None = typer.Option(None, "--column", help="The column holding the number (default: one named "
                                      "number/numero/phone/telephone/msisdn, else the first)."),
    org: Path | None = OrgOption,
) -> None:
    """Import a check service's answer: a CSV with a header, one submitted number a row and whether it is
    listed.

    The flag column is one named listed/status/statut/result/inscrit/bloctel, else the second column.
    Listed: 1, true, yes, oui, listed, inscrit, bloctel; not listed: 0, false, no, non, not listed,
    non inscrit, libre. Any other flag makes the row invalid. Numbers not in the file were not checked.
    """
    books = load_rulebooks(org)
    when = _moment(checked_at)
    url = current_database()
    data = file.read_bytes()
    started = time.perf_counter()

    def work() -> service.SnapshotSummary:
        with unit_of_work(url) as session:
            return service.import_check(session, register=name, data=data, where=file.name, checked_at=when,
                                        now=datetime.now(UTC), actor=ACTOR, data_dir=Settings().data_dir,
                                        column=column, books=books)
    _report(_run(work), time.perf_counter() - started)


def _report(summary: service.SnapshotSummary, seconds: float) -> None:
    if summary.already_imported:
        console.print(f"{summary.file_name} was already imported for {summary.register} (snapshot "
                      f"{summary.snapshot_id}, checked at {summary.checked_at:%Y-%m-%d %H:%M} UTC, same SHA-256); "
                      "nothing changed.", highlight=False)
        return
    what = "full list" if summary.kind == "full" else "check-service answer"
    table = Table(title=f"{summary.register}: {what} {summary.file_name}", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right", overflow="fold")
    table.add_row("lines", f"{summary.lines_total:,}")
    table.add_row("invalid lines", f"{summary.lines_invalid:,}")
    if summary.kind == "full":
        table.add_row("numbers listed", f"{summary.numbers_listed:,}")
        if summary.previous_id is not None:
            table.add_row(f"vs snapshot {summary.previous_id}", f"+{summary.added:,} / -{summary.removed:,} "
                          f"(was {summary.previous_listed or 0:,})")
    else:
        table.add_row("numbers checked", f"{summary.numbers_checked:,}")
        table.add_row("numbers listed", f"{summary.numbers_listed:,}")
    table.add_row("checked at", f"{summary.checked_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    table.add_row("file SHA-256", summary.sha256)
    table.add_row("time", f"{seconds:.1f} s")
    console.print(table)
    if summary.invalid_examples:
        console.print("First invalid lines (masked): " + ", ".join(
            f"line {n}: {value}" for n, value in summary.invalid_examples), highlight=False)
    if summary.forced:
        console.print("[yellow]![/] accepted with --force although it lists fewer than 80 % of the previous list.")
    console.print(f"[green]✔[/] snapshot {summary.snapshot_id} stored (ledger event {summary.ledger_seq}).",
                  highlight=False)


@app.command("export-for-check")
def export_command(
    name: str = typer.Argument(..., help="The register whose check service will receive the file (e.g. fr-bloctel)."),
    campaign: str = typer.Option(..., "--campaign", help="The campaign whose candidate numbers to submit."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The file to write."),
) -> None:
    """Write the campaign's candidate numbers of the register's country, as its check service takes them:
    fr-bloctel 10-digit national numbers (0612345678), any other register E.164; one a line. Upload the
    file, then import the answer with `leadgate registers import-check`."""
    url = current_database()

    def work() -> service.CheckExport:
        with unit_of_work(url) as session:
            return service.export_for_check(session, register=name, campaign_id=campaign, out=out,
                                            now=datetime.now(UTC), actor=ACTOR)
    done = _run(work)
    console.print(f"[green]✔[/] {done.numbers:,} number(s) written to {out} (SHA-256 {done.sha256}, ledger event "
                  f"{done.ledger_seq}).", highlight=False)


@app.command("status")
def status_command(org: Path | None = OrgOption) -> None:
    """Every register the rulebooks name: its latest snapshot and whether it is fresh enough for the rules
    (green: fresh; yellow: in the last 20 % of its maximum age; red: stale or missing; grey: no rule
    naming it is in force today)."""
    books = load_rulebooks(org)
    url = current_database()

    def work() -> list[service.RegisterStatus]:
        with unit_of_work(url) as session:
            return service.snapshot_status(session, now=datetime.now(UTC), books=books)
    rows = _run(work)
    table = Table(title="Do-not-call registers", title_justify="left")
    table.add_column("register", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for heading in ("age", "max age", "snapshot", "listed"):
        table.add_column(heading, justify="right")
    table.add_column("checked at (UTC)")
    for r in rows:
        table.add_row(
            r.name, f"[{_style(r)}]{r.status}[/]", f"{r.age_days:.1f} d" if r.age_days is not None else "-",
            f"{r.max_age_days} d", f"{r.snapshot_id} ({r.kind})" if r.snapshot_id is not None else "-",
            f"{r.numbers_listed:,}" if r.numbers_listed is not None else "-",
            f"{r.checked_at:%Y-%m-%d %H:%M}" if r.checked_at else "-", style="grey50" if not r.in_force else None)
    console.print(table)
    idle = [r.name for r in rows if not r.in_force]
    if idle:
        console.print(f"[grey50]Not in force today (no rule naming them applies): {', '.join(idle)}.[/]",
                      highlight=False)


def _style(r: service.RegisterStatus) -> str:
    if not r.in_force:
        return "grey50"
    if r.status != "fresh" or r.age_days is None:
        return "red"
    return "yellow" if r.age_days > 0.8 * r.max_age_days else "green"
