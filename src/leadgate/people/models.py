"""Persons and contact points."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.kit.db import Base


def new_id() -> str:
    return uuid.uuid4().hex


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))  # consumer | sole_trader | business | company_general
    country: Mapped[str | None] = mapped_column(String(2))
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
