"""Deciding about stored contacts on SQLite and PostgreSQL: the facts assembled from the store, the
core's answer, and recorded decisions as evidence."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from leadgate.attempts.record import AttemptSpec, record_attempt
from leadgate.campaigns.models import Partner
from leadgate.consent import service as consents
from leadgate.decisions import service
from leadgate.decisions.models import DecisionRecord
from leadgate.intake import sources
from leadgate.intake.models import Lead
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.people import customers
from leadgate.people.models import Person
from leadgate.rules.model import Rulebooks
from tests.store_helpers import CAMPAIGN, KEY, NOW, count, setup_store

MARCH = datetime.fromisoformat("2026-03-10T10:30:00+01:00")  # a Tuesday; the NL customer exception in force
PHONE = "06-12345678"


def decide(url: str, books: Rulebooks, *, at: datetime = MARCH, record: bool = False, contact: str = PHONE,
           channel: str = "phone", campaign: str = CAMPAIGN) -> service.StoredDecision:
    with unit_of_work(url) as session:
        return service.decide_stored(session, contact=contact, country="NL", campaign_id=campaign, channel=channel,
                                     at=at, key=KEY, books=books, record=record, now=NOW, actor="test")


def customer(url: str, *, paid: bool, started: str = "2019-04-01", ended: str | None = None) -> None:
    spec = customers.CustomerSpec(contact=PHONE, country="NL", kind=None, name=None, paid=paid,
                                  started_on=date.fromisoformat(started),
                                  ended_on=date.fromisoformat(ended) if ended else None, reference=None)
    with unit_of_work(url) as session:
        customers.record_customer(session, spec=spec, now=NOW, actor="test")


def codes(items: Any) -> list[str]:
    return [r.code for r in items]


def test_an_ongoing_paying_customer_rests_on_the_nl_customer_exception(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    customer(database_url, paid=False, started="2026-01-01")
    customer(database_url, paid=True)
    result = decide(database_url, books)
    assert result.facts.customer is not None and result.facts.customer.paid
    assert result.decision.allowed, result.decision.reasons
    assert "NL_PHONE_CUSTOMER_EXCEPTION" in codes(result.decision.grounds)


def test_the_ex_customer_window_and_retention(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    customer(database_url, paid=True, ended="2025-06-30")
    customer(database_url, paid=True, started="2014-01-01", ended="2016-12-31")
    customer(database_url, paid=False, started="2026-01-01")  # an unpaid one is less relevant than a paid one
    inside = decide(database_url, books)
    assert inside.facts.customer is not None and inside.facts.customer.relationship_ended == date(2025, 6, 30)
    assert inside.decision.allowed and "NL_PHONE_CUSTOMER_EXCEPTION" in codes(inside.decision.grounds)
    # More than two years after the end: the ex-customer data is past its retention period.
    later = decide(database_url, books, at=datetime.fromisoformat("2027-09-07T10:30:00+02:00"))
    assert not later.decision.allowed and "RETENTION_EX_CUSTOMER" in codes(later.decision.reasons)
    # Before the relationship started the person was not a customer yet: the older contract counts.
    early = decide(database_url, books, at=datetime.fromisoformat("2017-03-07T10:30:00+01:00"))
    assert early.facts.customer is not None and early.facts.customer.relationship_ended == date(2016, 12, 31)


def test_a_disabled_source_blocks_its_leads(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    customer(database_url, paid=True)
    with unit_of_work(database_url) as session:
        source, _ = sources.add_source(session, supplier="LeadShop", code="LP-1", kind="webform", compatible=True,
                                       now=NOW, actor="test")
        person_id = session.scalars(select(Person.id)).one()
        session.add(Lead(person_id=person_id, data_source_id=source.id, received_at=NOW))
    assert decide(database_url, books).decision.allowed
    with unit_of_work(database_url) as session:
        sources.disable_source(session, supplier="LeadShop", code="LP-1", reason="complaints", now=NOW, actor="t")
    blocked = decide(database_url, books)
    assert blocked.facts.source is not None and blocked.facts.source.disabled
    assert "DATA_SOURCE_DISABLED" in codes(blocked.decision.reasons)


def test_an_unknown_contact_is_decided_not_allowed_and_can_be_recorded(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    result = decide(database_url, books, record=True, contact="+31 6 87654321")
    assert not result.decision.allowed
    assert (result.person_id, result.contact_point_id, result.facts.consents) == (None, None, ())
    assert result.facts.contact.phone == "+31687654321"
    with unit_of_work(database_url) as session:
        record = session.get(DecisionRecord, result.record_id)
        assert record is not None and record.person_id is None
        assert json.loads(record.facts)["contact"]["phone"] == "+31687654321"
    assert count(database_url, Person) == 0  # deciding creates nobody


def test_an_unknown_campaign_or_channel_is_an_error(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    with pytest.raises(InvalidInput) as caught:
        decide(database_url, books, campaign="summer-2099")
    assert caught.value.field == "campaign" and "summer-2099" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        decide(database_url, books, channel="fax")
    assert caught.value.field == "channel"


def test_an_objection_outlives_the_erasure_of_the_person(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    customer(database_url, paid=True)
    with unit_of_work(database_url) as session:
        consents.record_objection(session, contact=PHONE, country="NL", channel="all", at=NOW.replace(year=2025),
                                  via="email", actor="test", key=KEY)
    assert "OBJECTION" in codes(decide(database_url, books).decision.reasons)
    with unit_of_work(database_url) as session:
        session.execute(delete(Person))
    erased = decide(database_url, books)
    assert erased.person_id is None and erased.facts.customer is None
    assert "OBJECTION" in codes(erased.decision.reasons)


def test_a_recorded_decision_keeps_its_facts_and_is_in_the_ledger(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    customer(database_url, paid=True)
    result = decide(database_url, books, record=True)
    with unit_of_work(database_url) as session:
        record = session.get(DecisionRecord, result.record_id)
        assert record is not None
        assert hashlib.sha256(record.facts.encode()).hexdigest() == record.facts_sha256
        assert json.loads(record.decision) == result.decision.as_dict()
        assert record.person_id == result.person_id and record.allowed
        event = next(e for e in ledger.export(session) if e["seq"] == record.ledger_seq)["body"]
        assert ledger.verify(session).intact
    assert event["kind"] == "decision.recorded" and event["subject"] == result.person_id
    assert event["data"] == {
        "decision_record": record.id, "contact_point": result.contact_point_id, "campaign": CAMPAIGN,
        "channel": "phone", "at": MARCH.isoformat(), "facts_sha256": record.facts_sha256, "allowed": True,
        "rulebook": result.decision.rulebook, "reasons": []}
    assert "12345678" not in json.dumps(event)
    # Without --record nothing is stored.
    decide(database_url, books)
    assert count(database_url, DecisionRecord) == 1


def test_the_facts_carry_the_proof_attempts_and_person(database_url: str) -> None:
    setup_store(database_url)
    given = datetime.fromisoformat("2026-11-01T10:00:00+01:00")
    with unit_of_work(database_url) as session:
        consents.give_consent(session, contact=PHONE, country="NL", kind="business", channel="phone",
                              text="Ja, bel mij.", source_code="LP-1", given_at=given, now=NOW, actor="test",
                              purpose="energy offers", single_use=True, own_initiative=True)
        person = session.scalars(select(Person)).one()
        person.job_title = "Inkoper"
    with unit_of_work(database_url) as session:
        centre = session.scalars(select(Partner).where(Partner.name == "CallCo")).one()
        record_attempt(session, call_centre_id=centre.id, spec=AttemptSpec(
            contact="+31612345678", country=None, campaign_id=CAMPAIGN, outcome="connected", rings=4, call_id="A1",
            at=datetime.fromisoformat("2026-11-20T10:00:00+01:00")), now=NOW, actor="test", key=KEY)
    with unit_of_work(database_url) as session:
        facts = service.facts_for(session, contact="+31 6 1234 5678", country=None, campaign_id=CAMPAIGN,
                                  channel="phone", at=MARCH, key=KEY)
    assert (facts.contact.kind, facts.contact.country, facts.contact.job_title) == ("business", "NL", "Inkoper")
    (consent,) = facts.consents
    assert (consent.text, consent.source, consent.purpose, consent.given_at) == ("Ja, bel mij.", "LP-1",
                                                                                 "energy offers", given)
    assert consent.single_use and consent.own_initiative
    assert consent.used_at == datetime.fromisoformat("2026-11-20T10:00:00+01:00")  # the connected call used it
    (attempt,) = facts.attempts
    assert (attempt.outcome, attempt.campaign, attempt.call_centre, attempt.rings) == ("connected", CAMPAIGN,
                                                                                       "CallCo", 4)
    assert facts.campaign.lia_approved_at == date(2026, 3, 1) and facts.registers == ()
