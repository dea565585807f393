"""Campaigns, partners and which call centres work which campaign."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.kit.db import Base
from leadgate.people.models import new_id


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # call_centre | lead_supplier
    # Where opt-outs are pushed (POST, signed); None: the call centre pulls them from the API.
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # the organisation's own code
    name: Mapped[str] = mapped_column(String(200))
    lawful_basis: Mapped[str] = mapped_column(String(30))
    sector: Mapped[str] = mapped_column(String(30))
    caller_id: Mapped[str | None] = mapped_column(String(20))  # E.164
    automated_dialer: Mapped[bool] = mapped_column(default=False)
    relevant_to_role: Mapped[bool] = mapped_column(default=False)
    lia_approved_on: Mapped[date | None] = mapped_column(Date)
    # Call centres must acknowledge an opt-out within this many hours, else it is reported overdue.
    propagation_deadline_hours: Mapped[int] = mapped_column(Integer, default=24)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignCallCentre(Base):
    __tablename__ = "campaign_call_centres"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), primary_key=True, index=True)
    share: Mapped[int] = mapped_column(Integer)  # percent of the campaign's contacts
    # Regions (ISO 3166 codes, comma-separated) this call centre takes; None = shares of the rest.
    regions: Mapped[str | None] = mapped_column(String(200))
