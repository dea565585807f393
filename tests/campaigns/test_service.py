"""Campaigns and partners on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from leadgate.campaigns import service
from leadgate.campaigns.models import Campaign, CampaignCallCentre
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FILE = """
id = "winter-2026"
name = "Winter energy offers"
lawful_basis = "legitimate_interest"
sector = "energy"
caller_id = "+31 20 123 4567"

[[call_centre]]
name = "CallCo"
share = 60

[[call_centre]]
name = "BelBureau"
share = 40
"""


def setup_partners(url: str) -> None:
    with unit_of_work(url) as session:
        for name in ("CallCo", "BelBureau"):
            service.add_partner(session, name=name, kind="call_centre", now=NOW, actor="test")
        service.add_partner(session, name="LeadShop", kind="lead_supplier", now=NOW, actor="test")


def test_a_campaign_file_creates_the_campaign_its_call_centres_and_a_ledger_event(database_url: str) -> None:
    setup_partners(database_url)
    spec = service.read_campaign_file(FILE, "campaign.toml")
    with unit_of_work(database_url) as session:
        service.create_campaign(session, spec, now=NOW, actor="test")
    with unit_of_work(database_url) as session:
        campaign = session.get(Campaign, "winter-2026")
        assert campaign is not None
        assert (campaign.caller_id, campaign.lia_approved_on) == ("+31201234567", None)
        shares = sorted(session.scalars(select(CampaignCallCentre.share)))
        assert shares == [40, 60]
        events = [e["body"] for e in ledger.export(session)]
    assert events[-1]["kind"] == "campaign.created"
    assert events[-1]["data"]["campaign"]["caller_id"] == "+31201234567"


@pytest.mark.parametrize(("text", "field"), [
    (FILE.replace('lawful_basis = "legitimate_interest"', 'lawful_basis = "vibes"'), "lawful_basis"),
    (FILE.replace('sector = "energy"', 'sector = "energy"\nbudget = 10'), "budget"),
    (FILE.replace("share = 40", "share = 30"), "call_centre"),
    (FILE.replace('"BelBureau"', '"LeadShop"'), "call_centre"),
    (FILE.replace('"+31 20 123 4567"', '"020 1234"'), "caller_id"),
    ("id = ", None),
])
def test_a_bad_campaign_file_is_named_and_stores_nothing(database_url: str, text: str, field: str | None) -> None:
    setup_partners(database_url)
    with pytest.raises(InvalidInput) as caught:
        spec = service.read_campaign_file(text, "campaign.toml")
        with unit_of_work(database_url) as session:
            service.create_campaign(session, spec, now=NOW, actor="test")
    assert caught.value.field == field
    assert "campaign.toml" in caught.value.message or field in ("call_centre", "caller_id")
    with unit_of_work(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0
        assert session.scalar(select(func.count()).select_from(CampaignCallCentre)) == 0
        assert ledger.count(session) == 3  # the three partners only


def test_the_balancing_test_is_approved_on_a_day_not_in_the_future(database_url: str) -> None:
    setup_partners(database_url)
    with unit_of_work(database_url) as session:
        service.create_campaign(session, service.read_campaign_file(FILE, "f"), now=NOW, actor="test")
    with pytest.raises(InvalidInput, match="future"), unit_of_work(database_url) as session:
        service.approve_lia(session, campaign_id="winter-2026", on=date(2026, 11, 23), now=NOW, actor="test")
    with unit_of_work(database_url) as session:
        service.approve_lia(session, campaign_id="winter-2026", on=date(2026, 3, 1), now=NOW, actor="test")
    with unit_of_work(database_url) as session:
        campaign = session.get(Campaign, "winter-2026")
        assert campaign is not None and campaign.lia_approved_on == date(2026, 3, 1)
        assert [e["body"]["kind"] for e in ledger.export(session)][-1] == "campaign.lia_approved"


def test_a_consent_campaign_has_no_balancing_test_to_approve(database_url: str) -> None:
    text = FILE.replace('"legitimate_interest"', '"consent"').split("[[call_centre]]")[0]
    with unit_of_work(database_url) as session:
        service.create_campaign(session, service.read_campaign_file(text, "f"), now=NOW, actor="test")
    with pytest.raises(InvalidInput, match="not legitimate interest"), unit_of_work(database_url) as session:
        service.approve_lia(session, campaign_id="winter-2026", on=date(2026, 3, 1), now=NOW, actor="test")


def test_duplicates_are_refused(database_url: str) -> None:
    setup_partners(database_url)
    with pytest.raises(InvalidInput, match="exists already"), unit_of_work(database_url) as session:
        service.add_partner(session, name="CallCo", kind="call_centre", now=NOW, actor="test")
    spec = service.read_campaign_file(FILE, "f")
    with unit_of_work(database_url) as session:
        service.create_campaign(session, spec, now=NOW, actor="test")
    with pytest.raises(InvalidInput, match="exists already"), unit_of_work(database_url) as session:
        service.create_campaign(session, spec, now=NOW, actor="test")
