"""What the HTTP API added to the evidence pack, on SQLite and PostgreSQL, over a store written by the real
services: pre-dial checks name the call centre that asked; an opt-out shows every call centre that held
the number was told (queued, delivered, acknowledged, due by, OVERDUE), each row re-checked against its
ledger events; a double opt-in consent shows when the form was submitted and when it was confirmed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from leadgate.campaigns import service as campaigns
from leadgate.campaigns.models import Partner
from leadgate.consent import doubleoptin
from leadgate.consent import service as consents
from leadgate.decisions import service as decisions
from leadgate.evidence import render, service
from leadgate.evidence.ledgerview import Entry
from leadgate.evidence.propagations import WHAT
from leadgate.evidence.service import Pack
from leadgate.kit.db import unit_of_work
from leadgate.people.models import Person
from leadgate.propagation import service as propagation
from leadgate.propagation.models import Propagation
from leadgate.rules.model import Rulebooks
from leadgate.screening.models import ExportContact, ExportSheet
from tests.evidence.screened import EXPORTED, Screened, build
from tests.evidence.test_service import sql
from tests.screening.builder import CAMPAIGN, KEY, NOW

OBJECTED = NOW + timedelta(hours=1)  # the person objects (by phone)
ACKED = OBJECTED + timedelta(hours=2)  # the call centre that exported the number confirms
MASKED = "+32 4 •••• 56"


def pack_of(url: str, contact: str = EXPORTED, *, now: datetime) -> Pack:
    with unit_of_work(url) as session:
        return service.build_pack(session, contact=contact, country=None, key=KEY, now=now)


def centre_id(url: str, name: str) -> str:
    with unit_of_work(url) as session:
        return session.scalars(select(Partner.id).where(Partner.name == name)).one()


@pytest.fixture
def told(database_url: str, tmp_path: Path, books: Rulebooks) -> tuple[Screened, str, str]:
    """The number exported to one call centre (the screening service), checked before dialling by the
    other (as the API records a pre-dial check), then objected to; the exporter acknowledges, the other
    does not. Returns (store, exporter, checker)."""
    screened = build(database_url, tmp_path)
    with unit_of_work(database_url) as session:
        exporter = session.scalars(select(Partner.name).join(ExportSheet, ExportSheet.call_centre_id == Partner.id)
                                   .join(ExportContact, ExportContact.sheet_id == ExportSheet.id)
                                   .where(ExportContact.number == int(EXPORTED[1:]))).one()
    checker = "BelBureau" if exporter == "CallCo" else "CallCo"
    with unit_of_work(database_url) as session:
        decisions.decide_stored(session, contact=EXPORTED, country=None, campaign_id=CAMPAIGN, channel="phone",
                                at=NOW, key=KEY, books=books, record=True, now=NOW, actor="api",
                                call_centre_id=centre_id(database_url, checker))
    with unit_of_work(database_url) as session:
        consents.record_objection(session, contact=EXPORTED, country=None, channel="phone", at=OBJECTED,
                                  via="phone", actor="test", key=KEY, now=OBJECTED)
    with unit_of_work(database_url) as session:
        rows = {name: row for row, name in session.execute(
            select(Propagation, Partner.name).join(Partner, Partner.id == Propagation.call_centre_id))}
        assert set(rows) == {exporter, checker}
        # The webhook worker's mark: the checker's endpoint answered 2xx.
        rows[checker].delivered_at = OBJECTED + timedelta(minutes=1)
        propagation.acknowledge(session, ids=[rows[exporter].id], call_centre_id=rows[exporter].call_centre_id,
                                now=ACKED, actor="call-centre")
    return screened, exporter, checker


def told_entries(pack: Pack) -> dict[str, Entry]:
    return {e.details["call_centre"]: e for e in pack.entries if e.what.startswith(WHAT)}


def test_every_call_centre_holding_the_number_was_told(told: tuple[Screened, str, str]) -> None:
    screened, exporter, checker = told
    pack = pack_of(screened.url, now=OBJECTED + timedelta(days=2))  # past the 24-hour deadline
    assert pack.problems == ()
    entries = told_entries(pack)
    assert set(entries) == {exporter, checker} and pack.propagations == tuple(
        e for e in pack.entries if e.what.startswith(WHAT))
    done, late = entries[exporter].details, entries[checker].details
    for details in (done, late):
        assert (details["cause"], details["cause_kind"], details["channel"]) == ("objection", "objection", "phone")
        assert details["queued_at"] == OBJECTED and details["opted_out_at"] == OBJECTED
        assert details["due_by"] == OBJECTED + timedelta(hours=24)
    assert (done["status"], done["overdue"], done["acknowledged_at"]) == ("acknowledged", False, ACKED)
    assert done["number"] is None  # an acknowledged row has forgotten the number
    assert done["ack_ledger_seq"] is not None and done["delivered_at"] is None
    assert late["overdue"] and late["status"].startswith("OVERDUE") and late["acknowledged_at"] is None
    assert late["delivered_at"] == OBJECTED + timedelta(minutes=1) and late["number"] == MASKED
    assert any("match ledger event" in c for c in entries[checker].checks)
    assert any(c.startswith("acknowledgement recorded by ledger event") for c in entries[exporter].checks)
    # Both were queued by the objection's one event, which the pack ties each row to.
    assert {e.ledger.kind for e in entries.values() if e.ledger} == {"propagation.queued"}
    assert not [e for e in pack.entries if e.what.startswith("ledger event propagation")]
    assert f"1 acknowledged, 1 OVERDUE: {checker}" in next(s for s in pack.summary if s.startswith("opt-out"))
    objection = next(i for i, e in enumerate(pack.entries) if e.what.startswith("objection"))
    assert all(pack.entries.index(e) > objection for e in entries.values())


def test_before_the_deadline_nothing_is_overdue(told: tuple[Screened, str, str]) -> None:
    screened, _, checker = told
    pack = pack_of(screened.url, now=ACKED)
    late = told_entries(pack)[checker].details
    assert not late["overdue"] and late["status"] == "delivered, awaiting acknowledgement"
    assert "1 awaiting acknowledgement" in next(s for s in pack.summary if s.startswith("opt-out"))


def test_the_pre_dial_check_names_the_call_centre_that_asked(told: tuple[Screened, str, str]) -> None:
    screened, _, checker = told
    pack = pack_of(screened.url, now=ACKED)
    [decision] = [e for e in pack.entries if e.what.startswith("decision recorded")]
    assert decision.what == f"decision recorded (phone), pre-dial check asked by call centre {checker}"
    assert decision.details["call_centre"] == checker
    assert any("the call centre that asked matches ledger event" in c for c in decision.checks)
    assert f"(pre-dial checks asked by {checker})" in next(s for s in pack.summary if "recorded decisions" in s)
    sql(screened.url, "UPDATE decision_records SET call_centre_id = NULL")
    [decision] = [e for e in pack_of(screened.url, now=ACKED).entries if e.what.startswith("decision recorded")]
    assert decision.details["call_centre"] is None
    assert any("MISMATCH" in p and "call centre that asked" in p for p in decision.problems)


def test_markdown_and_json_show_the_same_propagations(told: tuple[Screened, str, str]) -> None:
    screened, exporter, checker = told
    pack = pack_of(screened.url, now=OBJECTED + timedelta(days=2))
    md = render.to_markdown(pack)
    assert EXPORTED not in md and "32470123456" not in md
    assert "## Opt-out propagation to call centres" in md
    [late_row] = [line for line in md.splitlines() if line.startswith(f"| {checker} | objection | {MASKED} |")]
    assert "**OVERDUE: not acknowledged by due by**" in late_row
    assert f"{(OBJECTED + timedelta(hours=24)):%Y-%m-%d %H:%M:%S} UTC" in late_row
    [done_row] = [line for line in md.splitlines() if line.startswith(f"| {exporter} | objection | — |")]
    assert f"{ACKED:%Y-%m-%d %H:%M:%S} UTC | " in done_row and "acknowledged in event" in done_row
    doc = json.loads(render.to_json(pack))
    assert doc["format"] == "leadgate-evidence-pack/3" and EXPORTED not in json.dumps(doc["propagations"])
    by_centre = {p["call_centre"]: p for p in doc["propagations"]}
    assert by_centre[checker]["overdue"] is True and by_centre[checker]["acknowledged_at"] is None
    assert datetime.fromisoformat(by_centre[exporter]["acknowledged_at"]) == ACKED
    assert by_centre[exporter]["ledger"]["kind"] == "propagation.queued" and by_centre[exporter]["problems"] == []
    timeline = {e["details"]["propagation"] for e in doc["timeline"] if e["what"].startswith(WHAT)}
    assert timeline == {p["propagation"] for p in doc["propagations"]}


@pytest.mark.parametrize(("change", "words"), [
    # The row now claims another call centre than the one the ledger says was told.
    ("UPDATE propagations SET call_centre_id = (SELECT id FROM partners WHERE name = 'LeadShop') "
     "WHERE acknowledged_at IS NULL", "MISMATCH with ledger event"),
    ("UPDATE propagations SET due_by = created_at WHERE acknowledged_at IS NULL", "due by"),
    # Acknowledged without the call centre's confirmation in the ledger.
    ("UPDATE propagations SET acknowledged_at = due_by WHERE acknowledged_at IS NULL",
     "NO LEDGER EVENT records the acknowledgement"),
    # The acknowledgement points at an event that is not one.
    ("UPDATE propagations SET ack_seq = cause_seq WHERE ack_seq IS NOT NULL",
     "NO LEDGER EVENT records the acknowledgement"),
    ("UPDATE propagations SET acknowledged_at = NULL WHERE ack_seq IS NOT NULL", "but is not acknowledged"),
    # A row removed: its queued event still names it (and the call centre it was for).
    ("DELETE FROM propagations WHERE acknowledged_at IS NULL", "IS NOT STORED: ledger event"),
    ("DELETE FROM propagations", "IS NOT STORED: ledger event"),
])
def test_a_row_that_disagrees_with_the_ledger_is_a_problem(told: tuple[Screened, str, str], change: str,
                                                           words: str) -> None:
    screened, _, _ = told
    assert pack_of(screened.url, now=ACKED).problems == ()
    sql(screened.url, change)
    problems = pack_of(screened.url, now=ACKED).problems  # non-empty: `leadgate evidence` exits 2
    assert any(words in p for p in problems), problems


def test_a_withdrawal_is_propagated_with_its_cause(database_url: str, tmp_path: Path) -> None:
    screened = build(database_url, tmp_path)
    with unit_of_work(database_url) as session:
        consents.withdraw_consents(session, contact=EXPORTED, country=None, channel="phone", at=OBJECTED,
                                   via="e-mail", actor="test", now=OBJECTED)
    pack = pack_of(screened.url, now=OBJECTED)
    assert pack.problems == ()
    [entry] = pack.propagations
    assert (entry.details["cause"], entry.details["cause_kind"]) == ("withdrawal", "consent.withdrawn")
    assert entry.details["status"] == "queued, awaiting delivery or acknowledgement"


SUBMITTED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
CONFIRMED = SUBMITTED + timedelta(minutes=7)


def test_a_double_opt_in_consent_shows_submission_and_confirmation(database_url: str) -> None:
    with unit_of_work(database_url) as session:
        campaigns.add_partner(session, name="CallCo", kind="call_centre", now=SUBMITTED, actor="t")
        request = doubleoptin.request_consent(
            session, contact="jan@example.nl", country="NL", kind="consumer", purpose="newsletter",
            text="Ja, mail mij.", text_version="v1", source_code="FORM-1", ip_address="192.0.2.1",
            user_agent="test", single_use=False, own_initiative=False, now=SUBMITTED,
            expires_at=SUBMITTED + timedelta(days=2), actor="webform")
    with unit_of_work(database_url) as session:
        doubleoptin.confirm(session, request_id=request.id, now=CONFIRMED, actor="webform")
    pack = pack_of(database_url, "jan@example.nl", now=CONFIRMED + timedelta(days=1))
    assert pack.problems == ()
    [given] = [e for e in pack.entries if e.what.startswith("consent given")]
    assert (given.details["submitted_at"], given.details["confirmed_at"]) == (SUBMITTED, CONFIRMED)
    assert given.details["double_opt_in_request"] == request.id and given.details["given_at"] == CONFIRMED
    assert any("the submission (ledger event" in c for c in given.checks)
    assert not [e for e in pack.entries if e.what.startswith("ledger event consent.")]
    md = render.to_markdown(pack)
    assert f"- submitted at: {SUBMITTED:%Y-%m-%d %H:%M:%S} UTC" in md
    assert f"- confirmed at: {CONFIRMED:%Y-%m-%d %H:%M:%S} UTC" in md
    sql(database_url, "UPDATE consent_requests SET submitted_at = :at", at=SUBMITTED - timedelta(days=1))
    problems = pack_of(database_url, "jan@example.nl", now=CONFIRMED).problems
    assert any("stored request" in p for p in problems), problems


def test_an_erased_person_still_shows_who_was_told(told: tuple[Screened, str, str]) -> None:
    screened, exporter, checker = told
    with unit_of_work(screened.url) as session:
        session.execute(delete(Person))
    pack = pack_of(screened.url, now=OBJECTED + timedelta(days=2))
    assert pack.erased and pack.problems == ()
    assert set(told_entries(pack)) == {exporter, checker}
    assert told_entries(pack)[checker].details["overdue"]


def test_a_double_opt_in_consent_without_its_confirmation_is_a_problem(database_url: str, tmp_path: Path) -> None:
    screened = build(database_url, tmp_path)
    assert pack_of(screened.url, now=OBJECTED).problems == ()
    # A consent made to look confirmed by e-mail link: nothing in the ledger says the person clicked.
    sql(screened.url, "UPDATE consents SET collection_method = :method", method=doubleoptin.METHOD)
    problems = pack_of(screened.url, now=OBJECTED).problems
    assert any("NO LEDGER EVENT (consent.confirmed)" in p for p in problems), problems
