"""A store for the screening tests: two call centres sharing a campaign, a lead supplier, and helpers that
give people a history (consents, objections, customer relationships, attempts) through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from leadgate.attempts.record import AttemptSpec, record_attempt
from leadgate.campaigns import service as campaigns
from leadgate.consent import service as consent
from leadgate.kit.db import unit_of_work
from leadgate.people.customers import CustomerSpec, record_customer

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
KEY = b"test-suppression-key-0123456789"
CAMPAIGN = "winter-2026"


def setup_campaign(url: str, *, shares: tuple[tuple[str, int, str | None], ...] = (("CallCo", 60, None),
                                                                                   ("BelBureau", 40, None))) -> None:
    """The campaign (legitimate interest, approved balancing test, energy) with its call centres."""
    with unit_of_work(url) as session:
        for name, _, _ in shares:
            campaigns.add_partner(session, name=name, kind="call_centre", now=NOW, actor="test")
        campaigns.add_partner(session, name="LeadShop", kind="lead_supplier", now=NOW, actor="test")
        spec = campaigns.CampaignSpec(
            id=CAMPAIGN, name="Winter", lawful_basis="legitimate_interest", sector="energy",
            caller_id="+31 20 123 4567",
            call_centre=[campaigns.CallCentreShare(name=n, share=s, regions=[r] if r else [])
                         for n, s, r in shares])
        campaigns.create_campaign(session, spec, now=NOW, actor="test")
        campaigns.approve_lia(session, campaign_id=CAMPAIGN, on=date(2026, 3, 1), now=NOW, actor="test")


def give_consent(url: str, contact: str, *, country: str | None = None, given_at: datetime, kind: str = "consumer",
                 withdrawn_at: datetime | None = None) -> None:
    with unit_of_work(url) as session:
        consent.give_consent(session, contact=contact, country=country, kind=kind, channel="phone",
                             text="Ja, bel mij over energieaanbiedingen.", source_code="web-1", given_at=given_at,
                             now=given_at, actor="test", purpose="energy offers")
        if withdrawn_at is not None:
            consent.withdraw_consents(session, contact=contact, country=country, channel="phone", at=withdrawn_at,
                                      via="test", actor="test")


def object_to(url: str, contact: str, *, country: str | None = None, at: datetime, channel: str = "phone") -> None:
    with unit_of_work(url) as session:
        consent.record_objection(session, contact=contact, country=country, channel=channel, at=at, via="test",
                                 actor="test", key=KEY)


def make_customer(url: str, contact: str, *, country: str | None = None, paid: bool = True,
                  ended_on: date | None = None, kind: str | None = None) -> None:
    with unit_of_work(url) as session:
        record_customer(session, spec=CustomerSpec(contact=contact, country=country, kind=kind, name="Klant",
                                                   paid=paid, started_on=date(2020, 1, 1), ended_on=ended_on,
                                                   reference=None), now=NOW, actor="test")


def attempt(url: str, contact: str, *, country: str | None = None, at: datetime, outcome: str) -> None:
    with unit_of_work(url) as session:
        record_attempt(session, call_centre_id=None, spec=AttemptSpec(contact=contact, country=country,
                                                                      campaign_id=CAMPAIGN, at=at, outcome=outcome),
                       now=NOW, actor="test", key=KEY)


def write_leads(path: Path, rows: list[dict[str, str | None]]) -> Path:
    """A lead file with the intake's column names (phone, country, kind, name, ...)."""
    import csv

    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
