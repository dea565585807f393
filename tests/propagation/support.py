"""A store for the propagation tests: the campaign of tests.store_helpers (CallCo, pull only), a second call
centre with a webhook (OtherCall) and a second campaign with a 4-hour deadline; helpers that give a call
centre a number the way the product does (an export's who-received-which-number row, a pre-dial check)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns import service as campaigns
from leadgate.campaigns.models import Partner
from leadgate.consent import service as consent
from leadgate.decisions import service as decisions
from leadgate.decisions.models import DecisionRecord
from leadgate.kit.db import unit_of_work
from leadgate.people.models import ContactPoint
from leadgate.propagation.models import Propagation
from leadgate.rules.model import Rulebooks
from leadgate.screening.models import Export, ExportContact, ExportSheet
from tests.store_helpers import CAMPAIGN, KEY, NOW, setup_store

FAST = "fast-2026"  # a campaign whose call centres must acknowledge within 4 hours
WEBHOOK = "https://othercall.example/leadgate"


def setup(url: str) -> None:
    setup_store(url)
    with unit_of_work(url) as session:
        campaigns.add_partner(session, name="OtherCall", kind="call_centre", now=NOW, actor="test")
        session.scalars(select(Partner).where(Partner.name == "OtherCall")).one().webhook_url = WEBHOOK
        spec = campaigns.CampaignSpec(id=FAST, name="Fast", lawful_basis="consent", propagation_deadline_hours=4)
        campaigns.create_campaign(session, spec, now=NOW, actor="test")


def partner(session: Session, name: str) -> str:
    return session.scalars(select(Partner.id).where(Partner.name == name)).one()


def consent_for(url: str, contact: str, *, country: str | None = "NL") -> str:
    """A phone (or e-mail) consent, so that the store knows the contact; returns its person id."""
    with unit_of_work(url) as session:
        given = consent.give_consent(session, contact=contact, country=country, kind="consumer",
                                     channel="email" if "@" in contact else "phone", text="Ja, bel mij.",
                                     source_code="LP-1", given_at=NOW - timedelta(days=30), now=NOW, actor="test")
        return given.person_id


def second_contact(url: str, person_id: str, value: str, medium: str = "phone") -> None:
    """Another contact point of the same person (as intake matching would attach it)."""
    with unit_of_work(url) as session:
        session.add(ContactPoint(person_id=person_id, medium=medium, value=value, region="NL", mobile=True,
                                 created_at=NOW))


def exported(url: str, centre: str, *numbers: str, campaign: str = CAMPAIGN, person_id: str | None = None) -> str:
    """An export of `campaign` that gave `centre` these numbers (E.164); returns its id."""
    with unit_of_work(url) as session:
        export = Export(campaign_id=campaign, planned_at=NOW, created_at=NOW, source="test", summary="{}")
        session.add(export)
        session.flush()
        sheet = ExportSheet(export_id=export.id, call_centre_id=partner(session, centre), flow="lead")
        session.add(sheet)
        session.flush()
        for number in numbers:
            session.add(ExportContact(sheet_id=sheet.id, number=int(number.lstrip("+")), person_id=person_id))
        return export.id


def checked(url: str, books: Rulebooks, centre: str, contact: str, *, campaign: str = CAMPAIGN) -> None:
    """A recorded pre-dial check of `contact` asked by `centre`."""
    with unit_of_work(url) as session:
        result = decisions.decide_stored(session, contact=contact, country="NL", campaign_id=campaign,
                                         channel="phone", at=NOW, key=KEY, books=books, record=True, now=NOW,
                                         actor="test")
        record = session.get(DecisionRecord, result.record_id)
        assert record is not None
        record.call_centre_id = partner(session, centre)  # as the API's pre-dial check records it


def outbox(url: str) -> list[tuple[Any, ...]]:
    """(call centre, cause, contact, channel, cause_seq) of every row, sorted."""
    with unit_of_work(url) as session:
        rows = [tuple(r) for r in session.execute(select(Partner.name, Propagation.cause, Propagation.contact,
                                                        Propagation.channel, Propagation.cause_seq)
                                                 .join(Partner, Partner.id == Propagation.call_centre_id))]
        return sorted(rows, key=lambda r: (r[0], r[1], r[2] or "", r[3], r[4]))
