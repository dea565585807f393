"""A small store for the tests of the commands that use it: a call centre, a lead supplier and a
legitimate-interest campaign with an approved balancing test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from leadgate.campaigns import service as campaigns
from leadgate.kit.db import unit_of_work

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
KEY = b"test-suppression-key-0123456789"
CAMPAIGN = "winter-2026"


def setup_store(url: str, *, sector: str = "energy", lawful_basis: str = "legitimate_interest") -> None:
    with unit_of_work(url) as session:
        campaigns.add_partner(session, name="CallCo", kind="call_centre", now=NOW, actor="test")
        campaigns.add_partner(session, name="LeadShop", kind="lead_supplier", now=NOW, actor="test")
        spec = campaigns.CampaignSpec(id=CAMPAIGN, name="Winter", lawful_basis=lawful_basis,  # type: ignore[arg-type]
                                      sector=sector, caller_id="+31 20 123 4567")  # type: ignore[arg-type]
        campaigns.create_campaign(session, spec, now=NOW, actor="test")
        if lawful_basis == "legitimate_interest":
            campaigns.approve_lia(session, campaign_id=CAMPAIGN, on=date(2026, 3, 1), now=NOW, actor="test")


def count(url: str, model: type[Any]) -> int:
    with unit_of_work(url) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
