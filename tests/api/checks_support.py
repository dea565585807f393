"""Helpers of the pre-dial check and outcome tests: exports that assign numbers to a call centre (the rows
a screening run writes: an export of the campaign and who received which number), people with a history
through the services, and `decide --contact`'s own path for comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from leadgate.campaigns import service as campaigns
from leadgate.campaigns.models import Partner
from leadgate.consent import service as consent
from leadgate.decisions import service as decisions
from leadgate.kit.db import unit_of_work
from leadgate.people import service as people
from leadgate.rules.model import Rulebooks
from leadgate.screening.models import Export, ExportContact, ExportSheet
from tests.store_helpers import CAMPAIGN, KEY, NOW


def assign(url: str, call_centre: str, *contacts: str, campaign: str = CAMPAIGN, country: str | None = None) -> str:
    """An export of `campaign` that gave these contacts (phone numbers in any format) to `call_centre`; its id."""
    with unit_of_work(url) as session:
        partner = session.scalars(select(Partner).where(Partner.name == call_centre)).one()
        export = Export(campaign_id=campaign, planned_at=NOW, created_at=NOW, source="test", summary="{}")
        session.add(export)
        session.flush()
        sheet = ExportSheet(export_id=export.id, call_centre_id=partner.id, flow="lead")
        session.add(sheet)
        session.flush()
        for contact in contacts:
            medium, value, _, _ = people.normalise(contact, country=country)
            assert medium == "phone"
            point = people.find_contact(session, contact, country=country)
            session.add(ExportContact(sheet_id=sheet.id, number=int(value[1:]),
                                      person_id=point.person_id if point else None))
        return export.id


def second_campaign(url: str, campaign: str = "spring-2027") -> str:
    with unit_of_work(url) as session:
        spec = campaigns.CampaignSpec(id=campaign, name="Spring", lawful_basis="consent",
                                      sector="energy", caller_id="+31 20 123 4567")
        campaigns.create_campaign(session, spec, now=NOW, actor="test")
    return campaign


def consent_to(url: str, contact: str, *, given_at: datetime, country: str | None = None, channel: str = "phone",
               single_use: bool = False, kind: str = "consumer") -> str:
    """A phone (or other) consent with its proof; the consent's id."""
    with unit_of_work(url) as session:
        return consent.give_consent(session, contact=contact, country=country, kind=kind, channel=channel,
                                    text="Ja, bel mij over energieaanbiedingen.", source_code="LP-ENERGY-07",
                                    given_at=given_at, now=given_at, actor="test", purpose="energy offers",
                                    single_use=single_use).id


def object_to(url: str, contact: str, *, at: datetime, channel: str = "all", country: str | None = None) -> None:
    with unit_of_work(url) as session:
        consent.record_objection(session, contact=contact, country=country, channel=channel, at=at, via="test",
                                 actor="test", key=KEY)


def decide_contact(url: str, books: Rulebooks, *, contact: str, at: datetime, channel: str = "phone",
                   country: str | None = None, campaign: str = CAMPAIGN, kind: str | None = None) -> dict[str, Any]:
    """What `leadgate decide --contact` answers for the same store (its service path, nothing recorded)."""
    with unit_of_work(url) as session:
        return decisions.decide_stored(session, contact=contact, country=country, campaign_id=campaign,
                                       channel=channel, at=at, key=KEY, books=books, record=False, now=at,
                                       actor="test", kind=kind).decision.as_dict()
