"""Persons and contact points."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.kit.db import Base


def new_id() -> str:
    return uuid.uuid4().hex


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))  # consumer | sole_trader | business | company_general
    country: Mapped[str | None] = mapped_column(String(2))
    name: Mapped[str | None] = mapped_column(String(200))  # as the lead gave it: the agent needs it, nothing more
    # B2B: the legal entity and its registration number, validated with python-stdnum (see people.orgid).
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    organisation_id_kind: Mapped[str | None] = mapped_column(String(20))  # kvk | kbo | siren | siret | vat ...
    organisation_id: Mapped[str | None] = mapped_column(String(40), index=True)  # compact form
    job_title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContactPoint(Base):
    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("medium", "value", name="uq_contact_points_medium_value"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    medium: Mapped[str] = mapped_column(String(10))  # phone | email
    value: Mapped[str] = mapped_column(String(320))  # E.164 number or normalised address
    region: Mapped[str | None] = mapped_column(String(3))  # the number's region (RE, GP, ...) or the e-mail country
    mobile: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustomerRelationship(Base):
    """A customer relationship: `paid` false (a free gadget, a contest) is not a customer for the
    customer exceptions; `ended_on` None while the contract runs."""

    __tablename__ = "customer_relationships"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    paid: Mapped[bool]
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(100))  # the organisation's customer number
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
