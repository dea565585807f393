"""`leadgate propagation status|deliver`: what each call centre still has to acknowledge, what is overdue
(exit code 1, for cron), and the webhook delivery loop as its own process."""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from leadgate.cli.common import current_database, fail
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.moments import parse_moment
from leadgate.kit.settings import Settings
from leadgate.propagation import service

app = typer.Typer(help="Opt-out propagation to call centres: what is pending, acknowledged, overdue.",
                  no_args_is_help=True)
console = Console()


@app.command("status")
def status_command(
    at: str | None = typer.Option(None, "--at", help="Judge overdue as of this moment (ISO 8601 with offset; "
                                  "default now)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object instead of the table."),
) -> None:
    """Per call centre: pending (not acknowledged), of which delivered by webhook and overdue (past the
    campaign's deadline), and acknowledged. Exits 1 when anything is overdue, so it can run from cron."""
    try:
        moment = parse_moment(at) if at is not None else datetime.now(UTC)
    except ValueError as exc:
        fail(f"--at: {exc}")
    with unit_of_work(current_database()) as session:
        centres = service.overview(session, now=moment)
    overdue = sum(c.overdue for c in centres)
    if as_json:
        out: dict[str, Any] = {"at": moment.isoformat(), "overdue": overdue,
                               "call_centres": [c.as_dict() for c in centres]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif not centres:
        console.print("No opt-out has been propagated to a call centre yet.")
    else:
        table = Table("call centre", "pending", "delivered", "overdue", "acknowledged", "oldest overdue since",
                      title=f"Opt-out propagation at {moment.isoformat(timespec='seconds')}")
        for c in centres:
            since = c.oldest_overdue.isoformat(timespec="minutes") if c.oldest_overdue else ""
            table.add_row(c.call_centre, str(c.pending), str(c.delivered),
                          f"[bold red]{c.overdue}[/]" if c.overdue else "0", str(c.acknowledged), since)
        console.print(table)
        if overdue:
            console.print(f"[bold red]{overdue} opt-out(s) overdue:[/] not acknowledged within the campaign's "
                          "deadline. Ask the call centre to confirm them (POST /v1/propagations/ack).")
    raise typer.Exit(1 if overdue else 0)


@app.command("deliver")
def deliver_command(
    once: bool = typer.Option(False, "--once", help="One round (send what is due now), then exit."),
) -> None:
    """Send queued opt-outs to call centres' webhooks (signed, retried with backoff) until stopped with
    Ctrl-C or SIGTERM. Run it beside `leadgate serve` when LEADGATE_API_DELIVER=false."""
    from leadgate.propagation import worker  # the HTTP client stack only for this command

    current_database()
    settings = Settings()
    try:
        if once:
            delivered = worker.deliver_once(settings)
            console.print(f"{delivered} opt-out(s) delivered.")
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        console.print("Delivering opt-outs to call centres' webhooks; Ctrl-C stops.")
        worker.run_forever(settings, stop)
    except LeadgateError as exc:
        fail(exc.message)
