"""The main job on bundled sample data: a demo database built the way an organisation builds its own.

Partners, a campaign with its balancing test, the CRM's customers, a messy supplier file through the
intake (for the campaign), a consent from the website, a call centre's outcomes with an opt-out, a
Belgian do-not-call register snapshot, then a recorded decision for every stored contact point, the
campaign screened into call lists per call centre, and one evidence pack. Everything goes through the
same services as the real commands; only the database (a file in the demo folder) and the suppression key
are the demo's own.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.service import import_outcomes
from leadgate.campaigns import service as campaigns
from leadgate.cli.screen import report
from leadgate.consent.service import give_consent
from leadgate.decisions.service import decide_stored
from leadgate.evidence import render
from leadgate.evidence.service import build_pack, mask
from leadgate.intake.service import run_intake
from leadgate.intake.sources import add_source
from leadgate.kit.db import alembic_config, unit_of_work
from leadgate.people.customers import import_customers
from leadgate.people.models import ContactPoint, CustomerRelationship, Person
from leadgate.registers.service import import_full
from leadgate.rules.model import Rulebooks
from leadgate.screening.service import screen

SAMPLES = ("leads.csv", "mapping.toml", "customers.csv", "outcomes.csv", "campaign.toml", "dncm.txt")
# Only ever used for the demo database; a real installation sets LEADGATE_SUPPRESSION_KEY to its own secret.
DEMO_KEY = b"leadgate-demo-suppression-key-not-a-secret"
# A Tuesday morning: the calling hours are open, so what blocks a contact is the law, not the clock.
DEMO_AT = datetime.fromisoformat("2026-11-24T10:30:00+01:00")
# The Belgian register file was downloaded the evening before (DNCM: at most 5 days old).
REGISTER_CHECKED_AT = datetime.fromisoformat("2026-11-23T22:00:00+01:00")
ACTOR = "demo"
T = TypeVar("T")


def prepare(directory: Path) -> str:
    """Copy the sample files into `directory` and start a fresh demo database there; its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in SAMPLES:
        with resources.as_file(resources.files("leadgate.samples") / "demo" / name) as sample:
            shutil.copyfile(sample, directory / name)
    for stale in ("leadgate-demo.db", "leads.rejected.csv"):
        (directory / stale).unlink(missing_ok=True)
    for tree in ("data", "call-lists"):
        shutil.rmtree(directory / tree, ignore_errors=True)
    url = f"sqlite:///{directory / 'leadgate-demo.db'}"
    from alembic import command  # see cli.db: commands other than these start without alembic

    command.upgrade(alembic_config(url), "head")
    return url


def build(url: str, directory: Path, console: Console) -> None:
    now = datetime.now(UTC)

    def step(title: str, action: Callable[[Session], T], said: Callable[[T], str]) -> T:
        with unit_of_work(url) as session:
            result = action(session)
        console.print(f"[green]✔[/] {title}: {said(result)}", highlight=False)
        return result

    def partners(s: Session) -> list[str]:
        for name, kind in (("Leadbron B.V.", "lead_supplier"), ("CallCo", "call_centre"),
                           ("BelBureau", "call_centre")):
            campaigns.add_partner(s, name=name, kind=kind, now=now, actor=ACTOR)  # type: ignore[arg-type]
        return ["Leadbron B.V. (supplier)", "CallCo", "BelBureau (call centres)"]

    def campaign(s: Session) -> str:
        spec = campaigns.read_campaign_file((directory / "campaign.toml").read_text("utf-8"), "campaign.toml")
        campaigns.create_campaign(s, spec, now=now, actor=ACTOR)
        campaigns.approve_lia(s, campaign_id=spec.id, on=date(2026, 3, 1), now=now, actor=ACTOR)
        return f"{spec.id} ({spec.lawful_basis}, {spec.sector}), balancing test approved 2026-03-01"

    step("partners", partners, ", ".join)
    step("campaign", campaign, str)
    step("customers from the CRM", lambda s: import_customers(
        s, data=(directory / "customers.csv").read_bytes(), where="customers.csv", country="NL", now=now,
        actor=ACTOR), lambda r: f"{r.rows} rows, {r.created} relationships")
    step("intake of the supplier file leads.csv", lambda s: run_intake(
        s, path=directory / "leads.csv", supplier="Leadbron B.V.", mapping_path=directory / "mapping.toml",
        now=now, actor=ACTOR, campaign="winter-2026"), _intake_said)
    step("data source KVK-EXPORT-2026", lambda s: add_source(
        s, supplier="Leadbron B.V.", code="KVK-EXPORT-2026", kind="public_register", now=now, actor=ACTOR,
        purpose="company register extract"), lambda _: "a public register: needs a compatibility assessment")
    step("consent from the website", lambda s: give_consent(
        s, contact="+31 6 23456789", country="NL", kind="consumer", channel="phone",
        text="Ja, Voorbeeld Energie mag mij bellen over het winteraanbod.", source_code="WEB-ACCOUNT",
        given_at=datetime.fromisoformat("2026-11-20T18:12:00+01:00"), now=now, actor=ACTOR,
        collection_method="webform", ip_address="203.0.113.7", user_agent="Mozilla/5.0 (demo)"),
        lambda c: f"phone consent {c.id[:8]}… via source WEB-ACCOUNT")
    step("outcomes from CallCo", lambda s: import_outcomes(
        s, data=(directory / "outcomes.csv").read_bytes(), where="outcomes.csv", call_centre="CallCo",
        country="NL", now=now, actor=ACTOR, key=DEMO_KEY),
        lambda r: f"{r.recorded} calls, {r.objections} opt-out(s) recorded as objection")
    step("register snapshot be-dncm (dncm.txt)", lambda s: import_full(
        s, register="be-dncm", data=(directory / "dncm.txt").read_bytes(), where="dncm.txt",
        checked_at=REGISTER_CHECKED_AT, now=now, actor=ACTOR, data_dir=directory / "data"),
        lambda r: f"{r.numbers_listed} numbers listed, checked {REGISTER_CHECKED_AT.isoformat()} "
                  f"(snapshot #{r.snapshot_id})")


def screen_campaign(url: str, directory: Path, books: Rulebooks, at: datetime, console: Console) -> None:
    """The campaign's stored candidates screened into call lists per call centre, as `leadgate screen`."""
    started = time.perf_counter()
    with unit_of_work(url) as session:
        result = screen(session, campaign_id="winter-2026", at=at, books=books, key=DEMO_KEY,
                        data_dir=directory / "data", out_dir=directory / "call-lists", now=datetime.now(UTC),
                        actor=ACTOR)
    console.rule("Call lists for winter-2026 (leadgate screen)")
    report(result, time.perf_counter() - started)


def _intake_said(summary: Any) -> str:
    reasons = "; ".join(f"{n}× {field}: {reason}" for field, reason, n in summary.reasons)
    return (f"{summary.rows_read} rows, {summary.rows_imported} imported, {summary.rows_rejected} rejected "
            f"({reasons}) → {summary.rejected_file.name if summary.rejected_file else '-'}; "
            f"{summary.persons_created} persons, {summary.consents_created} consents, "
            f"{summary.customers_matched} matched a paying customer (klantflow)")


def decide_all(url: str, books: Rulebooks, at: datetime, console: Console) -> None:
    """A recorded decision for every stored contact point, shown as a table."""
    table = Table(title=f"May we contact them for winter-2026 on {at.isoformat()}?", show_lines=True)
    for col, width in (("Person", 18), ("Contact", 20), ("Flow", 9), ("Allowed", 7), ("Why", None),
                       ("Next allowed", 25)):
        table.add_column(col, overflow="fold", max_width=width, ratio=None if width else 1)
    allowed = total = 0
    with unit_of_work(url) as session:
        rows = session.execute(select(ContactPoint, Person).join(Person, Person.id == ContactPoint.person_id)
                               .order_by(ContactPoint.created_at, ContactPoint.value)).all()
        customers = set(session.scalars(select(CustomerRelationship.person_id)
                                        .where(CustomerRelationship.paid.is_(True))))
        for point, person in rows:
            channel = "phone" if point.medium == "phone" else "email"
            result = decide_stored(session, contact=point.value, country=person.country, campaign_id="winter-2026",
                                   channel=channel, at=at, key=DEMO_KEY, books=books, record=True,
                                   now=datetime.now(UTC), actor=ACTOR)
            decision = result.decision.as_dict()
            total += 1
            allowed += decision["allowed"]
            items = decision["reasons"] or decision["grounds"]
            colour = "red" if decision["reasons"] else "green"
            table.add_row(
                person.name or "-", f"{mask(point.medium, point.value)}\n{channel}, {person.kind}",
                "klant" if person.id in customers else "lead",
                "[bold green]yes[/]" if decision["allowed"] else "[bold red]no[/]",
                "\n".join(f"[{colour}]{r['code']}[/] {r['message']}" for r in items),
                decision["next_allowed_at"] or "-")
    console.print(table)
    console.print(f"{allowed} of {total} contact points allowed; each decision is recorded in the ledger.")


def show_evidence(url: str, contact: str, console: Console) -> None:
    with unit_of_work(url) as session:
        pack = build_pack(session, contact=contact, country="NL", key=DEMO_KEY)
    console.rule(f"Evidence pack for {pack.masked} (leadgate evidence)")
    text = render.to_markdown(pack)
    console.print(Markdown(text) if console.is_terminal else text, highlight=False)
