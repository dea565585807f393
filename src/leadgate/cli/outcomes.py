"""`leadgate outcomes import`: what the call centres report about their calls."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console

from leadgate.attempts import service
from leadgate.cli.common import current_database, fail
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings

app = typer.Typer(help="Call outcomes from call centres: contact pressure, opt-outs, used consents.",
                  no_args_is_help=True)
console = Console()
ACTOR = "cli"


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The call centre's CSV file."),
    call_centre: str = typer.Option(..., "--call-centre", help="The call centre that made the calls."),
    country: str | None = typer.Option(None, "--country", help="Country for national number formats."),
) -> None:
    """Import call outcomes, all or nothing; a call reported again (same call_id) is recorded once.

    Columns: call_id, contact (or phone / email), country, campaign, at (ISO 8601 with UTC offset),
    outcome (no_answer, busy, voicemail, connected, not_interested, callback_requested, opt_out,
    wrong_number), rings (optional), channel (default phone), kind (for numbers not known yet; default
    consumer). An opt_out is an objection at once; a connected call uses up single-use consents given
    before it. Needs LEADGATE_SUPPRESSION_KEY.
    """
    try:
        key = Settings().suppression_key_bytes()
        with unit_of_work(current_database()) as session:
            summary = service.import_outcomes(session, data=file.read_bytes(), where=file.name,
                                              call_centre=call_centre, country=country.upper() if country else None,
                                              now=datetime.now(UTC), actor=ACTOR, key=key)
    except LeadgateError as exc:
        fail(exc.message)
    console.print(f"[green]✔[/] {summary.rows} row(s): {summary.recorded} attempt(s) recorded, "
                  f"{summary.already_known} already known; {summary.objections} opt-out(s) recorded as "
                  f"objections, {summary.consents_used} single-use consent(s) used, "
                  f"{summary.persons_created} new person(s).")
