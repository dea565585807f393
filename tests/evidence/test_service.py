"""The evidence pack on SQLite and PostgreSQL: complete, in time order, tied to the ledger, and loud about
every record or event that was changed, removed or never recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, delete, select, text

from leadgate.consent import service as consents
from leadgate.evidence import service
from leadgate.evidence.service import Pack, UnknownContact
from leadgate.kit.db import unit_of_work
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import ContactPoint, Person
from tests.evidence.state import FORM_TEXT, KEY, ORDER, PHONE, SUPPLIER_TEXT, State, at, build
from tests.ledger.test_service import tamper


def pack_of(url: str, contact: str = PHONE, *, key: bytes | None = KEY) -> Pack:
    with unit_of_work(url) as session:
        return service.build_pack(session, contact=contact, country="NL", key=key,
                                  now=datetime(2026, 11, 25, tzinfo=UTC))


def sql(url: str, statement: str, **params: object) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


@pytest.fixture
def state(database_url: str) -> State:
    return build(database_url)


def test_the_pack_holds_everything_in_time_order_each_with_its_ledger_event(state: State) -> None:
    pack = pack_of(state.url)
    assert [e.what for e in pack.entries] == ORDER
    assert [e.at for e in pack.entries] == sorted(e.at for e in pack.entries)
    assert pack.problems == ()
    assert pack.chain.intact
    with unit_of_work(state.url) as session:
        hashes = {seq: h for seq, h in session.execute(select(LedgerEvent.seq, LedgerEvent.hash))}
    for entry in pack.entries:
        assert entry.ledger is not None, entry.what
        assert hashes[entry.ledger.seq] == entry.ledger.hash
    given = [e for e in pack.entries if e.what.startswith("consent given")]
    assert [e.details["text"] for e in given] == [SUPPLIER_TEXT, FORM_TEXT]
    assert given[0].details["intake_file"] == "leadhuis-2026-09.csv" and given[0].ledger.kind == "intake"
    assert any("consent batch digest matches ledger event" in c for c in given[0].checks)
    assert given[1].details["ip_address"] == "203.0.113.7" and given[1].ledger.kind == "consent.given"
    assert any("text_sha256, given_at, source, channel match" in c for c in given[1].checks)
    lead = pack.entries[1]
    assert (lead.details["supplier"], lead.details["source_code"], lead.details["purpose_compatible"]) == \
        ("Leadhuis", "LH-ENERGY-3", True)
    decision = next(e for e in pack.entries if e.what.startswith("decision"))
    assert decision.details["grounds"][0]["code"] == "CONSENT"
    assert any("facts SHA-256 recomputed" in c for c in decision.checks)
    attempt = next(e for e in pack.entries if e.what.startswith("contact attempt"))
    assert (attempt.details["call_centre"], attempt.details["outcome"], attempt.details["rings"]) == ("CallCo",
                                                                                                      "connected", 3)
    assert pack.person is not None and pack.person["organisation_id"] == "12345678"
    assert (pack.jurisdiction, pack.suppression) == ("NL", "on the suppression list for phone")
    assert pack.summary[0].startswith("consent on record for phone: yes, given 2026-10-01 10:00 UTC via source "
                                      "LP-ENERGY-07 (webform), withdrawn 2026-11-02 10:00 UTC via email")
    assert pack.summary[-1] == ("register checks: the NL rulebook names no do-not-call register in force on "
                                "2026-11-25 (nl-bel-me-niet applied from 2009-10-01 to 2021-06-30)")


def test_the_same_pack_for_any_format_of_the_number(state: State) -> None:
    assert [e.what for e in pack_of(state.url, "+31 (0)6 1234 5678").entries] == ORDER


@pytest.mark.parametrize(("statement", "words"), [
    ("UPDATE consents SET text = 'Ja, bel mij altijd.' WHERE id = :form", "CONSENT TEXT CHANGED"),
    ("UPDATE consents SET text = 'Ja, bel mij altijd.' WHERE id = :form", "MISMATCH with ledger event"),
    ("UPDATE consents SET source_code = 'LP-OTHER' WHERE id = :form", "MISMATCH with ledger event"),
    ("UPDATE consents SET text = 'Ja, bel mij altijd.' WHERE id = :supplier", "CONSENT TEXT CHANGED"),
    ("UPDATE consents SET source_code = 'LH-OTHER' WHERE id = :supplier", "CONSENT BATCH DIGEST MISMATCH"),
    ("DELETE FROM consents WHERE id <> :supplier AND intake_id IS NOT NULL", "CONSENT BATCH DIGEST MISMATCH"),
    ("UPDATE consents SET withdrawn_at = NULL, withdrawn_via = NULL WHERE id = :form",
     "(consent.withdrawn) has no matching stored record"),
    ("DELETE FROM objections", "(objection) has no matching stored record"),
    ("UPDATE objections SET at = :later", "MISMATCH with ledger event"),
    ("UPDATE consents SET withdrawn_at = :later WHERE id = :form", "MISMATCH with ledger event"),
    ("DELETE FROM suppressions", "the suppression list has no entry for this objection"),
    ("UPDATE decision_records SET facts = '{}'", "DECISION FACTS CHANGED"),
    ("UPDATE customer_relationships SET paid = false", "MISMATCH with ledger event"),
])
def test_a_changed_or_removed_record_is_reported(state: State, statement: str, words: str) -> None:
    sql(state.url, statement, form=state.form_consent, supplier=state.supplier_consent, later=at(11, 20))
    pack = pack_of(state.url)
    assert pack.chain.intact
    assert any(words in problem for problem in pack.problems), pack.problems


def test_a_broken_ledger_chain_is_said_loudly(state: State) -> None:
    with unit_of_work(state.url) as session:
        seq = session.scalars(select(LedgerEvent.seq).where(LedgerEvent.kind == "objection")).one()
    tamper(state.url, f"UPDATE ledger_events SET body = replace(body, '\"via\":\"phone\"', '\"via\":\"post\"') "
                      f"WHERE seq = {seq}")
    pack = pack_of(state.url)
    assert not pack.chain.intact and pack.chain.seq == seq
    assert pack.problems[0].startswith(f"LEDGER CHAIN BROKEN: event {seq} was changed")
    objection = next(e for e in pack.entries if e.what.startswith("objection"))
    assert any(f"LEDGER EVENT {seq} WAS CHANGED" in p for p in objection.problems)
    assert any("MISMATCH" in p for p in objection.problems)  # the row says phone, the body now says post
    later = [e for e in pack.entries if e.ledger and e.ledger.seq > seq]
    assert later and all(any("after the break" in p for p in e.problems) for e in later)


def test_an_erased_person_still_shows_the_objection(state: State) -> None:
    with unit_of_work(state.url) as session:
        session.execute(delete(Person).where(Person.id == state.person))
    pack = pack_of(state.url)
    assert pack.erased and pack.person is None
    assert [e.what for e in pack.entries] == ["objection (phone)"]
    assert pack.entries[0].details["suppression"] == "on the suppression list (channel phone)"
    assert pack.summary[0].startswith("person: erased")
    assert pack.problems == ()
    with pytest.raises(UnknownContact, match="LEADGATE_SUPPRESSION_KEY not set"):
        pack_of(state.url, key=None)


def test_an_objection_without_a_person_is_found_by_its_keyed_hash(database_url: str) -> None:
    with unit_of_work(database_url) as session:
        consents.record_objection(session, contact="+32470123456", country=None, channel="all", at=at(11, 1),
                                  via="letter", actor="t", key=KEY)
    with unit_of_work(database_url) as session:
        pack = service.build_pack(session, contact="0470 12 34 56", country="BE", key=KEY)
    assert pack.erased and [e.what for e in pack.entries] == ["objection (all)"]
    assert pack.jurisdiction == "BE" and pack.entries[0].ledger is not None


def test_an_unknown_contact_point_is_an_error(database_url: str) -> None:
    with pytest.raises(UnknownContact, match=r"holds nothing about \+31 6 •••• 78"):
        pack_of(database_url)


def test_without_a_key_the_suppression_list_is_not_checked_but_the_pack_is_made(state: State) -> None:
    pack = pack_of(state.url, key=None)
    assert pack.suppression == "suppression list not checked: LEADGATE_SUPPRESSION_KEY not set"
    objection = next(e for e in pack.entries if e.what.startswith("objection"))
    assert objection.details["suppression"].startswith("not checked") and not objection.problems


def test_a_consent_without_any_ledger_event_is_reported(state: State) -> None:
    sql(state.url, "INSERT INTO consents (id, person_id, contact_point_id, channel, text, text_sha256, given_at, "
                   "source_code, collection_method, single_use, own_initiative, automated_calls) SELECT 'x', "
                   "person_id, contact_point_id, 'sms', 'Ja', 'h', given_at, 'S', 'paper', false, false, false "
                   "FROM consents WHERE id = :form", form=state.form_consent)
    assert any("NO LEDGER EVENT records this consent" in p for p in pack_of(state.url).problems)


def test_an_objection_made_for_the_persons_other_address_is_shown_without_a_false_alarm(state: State) -> None:
    with unit_of_work(state.url) as session:
        session.add(ContactPoint(person_id=state.person, medium="email", value="jan@jansen.nl", region="NL",
                                 created_at=at(9, 5)))
        session.flush()
        consents.record_objection(session, contact="jan@jansen.nl", country="NL", channel="email", at=at(11, 3),
                                  via="email", actor="t", key=KEY)
    pack = pack_of(state.url)
    assert pack.problems == ()
    email = next(e for e in pack.entries if e.what == "objection (email)")
    assert email.details["suppression"] == ("on the suppression list (channel email), for another number or "
                                            "address of this person")
    assert pack.suppression == "on the suppression list for phone"
