"""The pack over a store written by the real services (customers, attempts, recorded decisions): the
ledger shapes they write are the ones the pack reads, so a clean history gives a clean pack."""

from __future__ import annotations

import dataclasses
from datetime import date

from leadgate.attempts import service as attempts
from leadgate.campaigns import service as campaigns
from leadgate.consent import service as consents
from leadgate.decisions import service as decisions
from leadgate.kit.db import unit_of_work
from leadgate.people import customers
from leadgate.rules.model import Rulebooks
from tests.evidence.state import KEY, at
from tests.evidence.test_service import pack_of


def test_a_history_written_by_the_services_gives_a_clean_pack(database_url: str, books: Rulebooks) -> None:
    spec = customers.CustomerSpec(contact="06-12345678", country="NL", kind="consumer", name="Jan", paid=True,
                                  started_on=date(2024, 1, 1), ended_on=None, reference="K-1")
    with unit_of_work(database_url) as session:
        centre = campaigns.add_partner(session, name="CallCo", kind="call_centre", now=at(8, 1), actor="t")
        campaigns.create_campaign(session, campaigns.CampaignSpec(
            id="w", name="W", lawful_basis="consent", sector="energy", caller_id="+31201234567"), now=at(8, 1),
            actor="t")
        customers.record_customer(session, spec=spec, now=at(9, 1), actor="t")
        customers.record_customer(session, spec=dataclasses.replace(spec, ended_on=date(2026, 6, 30)),
                                  now=at(9, 2), actor="t")
        consents.give_consent(session, contact="0612345678", country="NL", kind="consumer", channel="phone",
                              text="Ja, bel mij.", source_code="LP-1", given_at=at(10, 1), now=at(10, 1),
                              actor="t", single_use=True)
        decisions.decide_stored(session, contact="+31612345678", country=None, campaign_id="w", channel="phone",
                                at=at(11, 24), key=KEY, books=books, record=True, now=at(11, 24), actor="t")
        attempts.record_attempt(session, call_centre_id=centre.id, now=at(11, 24, 12), actor="t", key=KEY,
                                spec=attempts.AttemptSpec(contact="+31612345678", country=None, campaign_id="w",
                                                          at=at(11, 24, 11), outcome="connected", call_id="1"))
    pack = pack_of(database_url)
    assert pack.problems == ()
    assert [e.what for e in pack.entries] == ["customer relationship", "consent given (phone)",
                                              "decision recorded (phone)", "contact attempt (phone)",
                                              "consent used (phone)"]
    assert all(e.ledger is not None for e in pack.entries)
    customer = pack.entries[0]
    assert customer.details["ended_on"] == date(2026, 6, 30)
    assert any("an earlier version is in ledger event" in c for c in customer.checks)
    decision = pack.entries[2]
    assert any("facts_sha256, allowed, channel, campaign, at match" in c for c in decision.checks)
