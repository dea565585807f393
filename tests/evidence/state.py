"""A store with one complaint's worth of history: a supplier file with a consent, a customer relationship,
a consent from a web form, a recorded decision, a connected call, an objection and a withdrawal.

Consents, objections, withdrawals and campaigns go through their services; intakes, customers, attempts
and decision records are inserted with the models plus ledger events shaped as their services write them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns import service as campaigns
from leadgate.consent import service as consents
from leadgate.consent.digest import batch_digest
from leadgate.consent.models import Consent
from leadgate.decisions.models import DecisionRecord
from leadgate.intake.models import DataSource, Intake, Lead
from leadgate.kit.db import unit_of_work
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.people.models import CustomerRelationship, Person

KEY = b"evidence-test-suppression-key-0123"
PHONE = "06-12345678"
E164 = "+31612345678"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FORM_TEXT = "Ja, Voorbeeld Energie mag mij bellen over energieaanbiedingen."
SUPPLIER_TEXT = "Ik wil gebeld worden door partners van Leadhuis over energie."
ORDER = ["consent given (phone)", "lead received", "customer relationship", "consent given (phone)",
         "decision recorded (phone)", "contact attempt (phone)", "consent used (phone)", "objection (phone)",
         "consent withdrawn (phone)", "consent withdrawn (phone)"]


@dataclass(frozen=True)
class State:
    url: str
    person: str
    form_consent: str
    supplier_consent: str
    intake: str
    decision: str


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _intake(session: Session, supplier_id: str, person_id: str, point_id: str) -> tuple[str, str]:
    intake = Intake(file_name="leadhuis-2026-09.csv", file_sha256=hashlib.sha256(b"file").hexdigest(),
                    supplier_id=supplier_id, at=at(9, 5), rows_total=2, rows_imported=2, rows_rejected=0,
                    persons_created=2, persons_matched=0, customers_matched=0, consents_created=2)
    source = DataSource(supplier_id=supplier_id, code="LH-ENERGY-3", kind="webform", purpose="energy offers",
                        purpose_compatible=True, created_at=at(9, 1))
    session.add_all([intake, source])
    session.flush()
    other = people.find_or_create_contact(session, "0687654321", country="NL", kind="consumer", now=at(9, 5))
    rows = [Consent(person_id=p, contact_point_id=c, channel="phone", text=SUPPLIER_TEXT,
                    text_sha256=hashlib.sha256(SUPPLIER_TEXT.encode()).hexdigest(), given_at=at(9, 1, 8),
                    source_code="LH-ENERGY-3", collection_method="import", intake_id=intake.id)
            for p, c in ((person_id, point_id), (other.person_id, other.id))]
    session.add_all(rows)
    session.add(Lead(person_id=person_id, data_source_id=source.id, intake_id=intake.id, row_number=2,
                     received_at=at(9, 5)))
    session.flush()
    digest = batch_digest((c.id, c.text_sha256, c.given_at, c.source_code, c.channel) for c in rows)
    event = ledger.append(session, kind="intake", actor="test", at=at(9, 5), data={
        "intake": intake.id, "file_sha256": intake.file_sha256, "consents_sha256": digest, "rows": 2})
    intake.ledger_seq = event.seq
    return intake.id, rows[0].id


def build(url: str) -> State:
    with unit_of_work(url) as session:
        supplier = campaigns.add_partner(session, name="Leadhuis", kind="lead_supplier", now=at(8, 1), actor="t")
        centre = campaigns.add_partner(session, name="CallCo", kind="call_centre", now=at(8, 1), actor="t")
        campaigns.create_campaign(session, campaigns.CampaignSpec(
            id="winter-2026", name="Winter", lawful_basis="consent", sector="energy", caller_id="+31201234567"),
            now=at(8, 2), actor="t")
        point = people.find_or_create_contact(session, PHONE, country="NL", kind="business", now=at(9, 5))
        person = session.get(Person, point.person_id)
        assert person is not None
        person.name, person.organisation_name, person.organisation_id_kind = "Jan Jansen", "Jansen BV", "kvk"
        person.organisation_id, person.job_title = "12345678", "Inkoper"
        intake_id, supplier_consent = _intake(session, supplier.id, person.id, point.id)
        relationship = CustomerRelationship(person_id=person.id, paid=True, started_on=date(2026, 9, 10),
                                            reference="K-1001", created_at=at(9, 12))
        session.add(relationship)
        session.flush()
        ledger.append(session, kind="customer.recorded", actor="t", at=at(9, 12), subject=person.id, data={
            "relationship": relationship.id, "change": "created", "paid": True, "started_on": "2026-09-10",
            "ended_on": None})
        form = consents.give_consent(
            session, contact="+31 6 1234 5678", country=None, kind="business", channel="phone", text=FORM_TEXT,
            source_code="LP-ENERGY-07", given_at=at(10, 1), now=at(10, 1, 11), actor="t",
            collection_method="webform", ip_address="203.0.113.7", user_agent="Mozilla/5.0", single_use=True)
        facts = ledger.canonical({"id": "x", "contact": {"phone": E164}, "channel": "phone"})
        facts_sha = hashlib.sha256(facts.encode()).hexdigest()
        decision = {"allowed": True, "reasons": [], "rulebook": "nl/2021-07-01", "grounds": [
            {"code": "CONSENT", "message": "Consent given 2026-10-01 via source LP-ENERGY-07."}]}
        event = ledger.append(session, kind="decision.recorded", actor="t", at=at(10, 5), subject=person.id, data={
            "decision_record": "d" * 32, "contact_point": point.id, "campaign": "winter-2026", "channel": "phone",
            "at": at(10, 5).isoformat(), "facts_sha256": facts_sha, "allowed": True, "rulebook": "nl/2021-07-01",
            "reasons": []})
        session.add(DecisionRecord(id="d" * 32, person_id=person.id, contact_point_id=point.id,
                                   campaign_id="winter-2026", channel="phone", at=at(10, 5), allowed=True,
                                   facts=facts, facts_sha256=facts_sha, decision=json.dumps(decision),
                                   ledger_seq=event.seq))
        attempt = ContactAttempt(person_id=person.id, contact_point_id=point.id, campaign_id="winter-2026",
                                 call_centre_id=centre.id, call_id="c-1", at=at(10, 6), outcome="connected",
                                 rings=3, recorded_at=at(10, 7))
        session.add(attempt)
        session.flush()
        form.used_at = at(10, 6)
        ledger.append(session, kind="consent.used", actor="t", at=at(10, 7), subject=person.id, data={
            "consent": form.id, "attempt": attempt.id, "used_at": at(10, 6).isoformat()})
        consents.record_objection(session, contact=E164, country=None, channel="phone", at=at(11, 1), via="phone",
                                  actor="t", key=KEY)
        consents.withdraw_consents(session, contact=PHONE, country="NL", channel="phone", at=at(11, 2),
                                   via="email", actor="t")
        return State(url, person.id, form.id, supplier_consent, intake_id, "d" * 32)
