"""`leadgate consent add|withdraw` and `leadgate object`: permissions and opt-outs, recorded as proof."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from leadgate.cli.common import current_database, fail
from leadgate.consent import service
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings

app = typer.Typer(help="Consents (opt-ins): record them with their proof, withdraw them.", no_args_is_help=True)
console = Console()
ACTOR = "cli"

ContactArg = typer.Option(..., "--contact", help="Phone number (any format) or e-mail address.")
CountryOpt = typer.Option(None, "--country", help="Country for national number formats (NL, BE, FR, DE, GB).")


def _moment(value: datetime | None, field: str, now: datetime | None = None) -> datetime:
    if value is None:
        return now or datetime.now(UTC)
    if value.tzinfo is None:
        fail(f"--{field} needs a UTC offset, e.g. 2026-11-23T10:15:00+01:00")
    return value


@contextmanager
def _work() -> Iterator[Session]:
    url = current_database()
    try:
        with unit_of_work(url) as session:
            yield session
    except LeadgateError as exc:
        fail(exc.message)


def _run(action: Callable[[Session], Any]) -> Any:
    with _work() as session:
        return action(session)


@app.command("add")
def add_command(
    contact: str = ContactArg,
    country: str | None = CountryOpt,
    channel: str = typer.Option(..., "--channel", help="phone, email or sms."),
    text: str = typer.Option(..., "--text", help="The exact text the person agreed to."),
    source: str = typer.Option(..., "--source", help="Source code of the opt-in (landing page, partner)."),
    purpose: str | None = typer.Option(None, "--purpose"),
    kind: str = typer.Option("consumer", "--kind", help="consumer, sole_trader, business or company_general."),
    given_at: datetime | None = typer.Option(None, "--given-at", help="When it was given [default: now]."),
    method: str = typer.Option("import", "--method", help="How: webform, phone, paper, import, ..."),
    own_initiative: bool = typer.Option(False, "--own-initiative", help="The person asked for the contact."),
    single_use: bool = typer.Option(False, "--single-use", help="Consumed by the first connected call."),
) -> None:
    """Record a consent with its proof; it goes to the evidence ledger."""
    now = datetime.now(UTC)
    consent = _run(lambda s: service.give_consent(
        s, contact=contact, country=country, kind=kind, channel=channel, text=text, source_code=source,
        given_at=_moment(given_at, "given-at", now), now=now, actor=ACTOR, purpose=purpose, collection_method=method,
        own_initiative=own_initiative, single_use=single_use))
    console.print(f"[green]✔[/] consent {consent.id} recorded ({channel}, source {consent.source_code}).")


@app.command("withdraw")
def withdraw_command(
    contact: str = ContactArg,
    country: str | None = CountryOpt,
    channel: str = typer.Option(..., "--channel", help="phone, email or sms."),
    at: datetime | None = typer.Option(None, "--at", help="When [default: now]."),
    via: str = typer.Option("customer_service", "--via", help="How the withdrawal reached you."),
) -> None:
    """Withdraw every active consent of a contact point for a channel."""
    withdrawn = _run(lambda s: service.withdraw_consents(
        s, contact=contact, country=country, channel=channel, at=_moment(at, "at"), via=via, actor=ACTOR))
    console.print(f"[green]✔[/] {len(withdrawn)} consent(s) withdrawn.")


def object_command(
    contact: str = typer.Argument(..., help="Phone number (any format) or e-mail address."),
    country: str | None = CountryOpt,
    channel: str = typer.Option("all", "--channel", help="phone, email, sms or all."),
    at: datetime | None = typer.Option(None, "--at", help="When [default: now]."),
    via: str = typer.Option("customer_service", "--via", help="How the objection reached you."),
) -> None:
    """Record an objection (opt-out): in force at once, kept as a keyed hash even after erasure."""
    try:
        key = Settings().suppression_key_bytes()
    except LeadgateError as exc:
        fail(exc.message)
    objection = _run(lambda s: service.record_objection(
        s, contact=contact, country=country, channel=channel, at=_moment(at, "at"), via=via, actor=ACTOR, key=key))
    console.print(f"[green]✔[/] objection {objection.id} recorded ({channel}).")
