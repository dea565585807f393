"""Exports (one screening run written to files) and which call centre received which number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import leadgate.campaigns.models  # noqa: F401  (call centres are partners)
from leadgate.kit.db import Base
from leadgate.people.models import new_id

SEQ = BigInteger().with_variant(Integer, "sqlite")


class Export(Base):
    """One screening run: when, for which campaign and moment, against which register snapshots."""

    __tablename__ = "exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the moment decided for
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(500))  # "store" or the lead file's name
    summary: Mapped[str] = mapped_column(Text)  # JSON: counts, files and their SHA-256, snapshot ids
    ledger_seq: Mapped[int | None] = mapped_column(SEQ)


class ExportContact(Base):
    """A number a call centre received in an export: whom to tell when that person objects. Looked up by
    number only; each further index would cost every export of millions of rows."""

    __tablename__ = "export_contacts"
    __table_args__ = (Index("ix_export_contacts_number", "number"),)

    export_id: Mapped[str] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # E.164 digits
    call_centre_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    flow: Mapped[str] = mapped_column(String(10))  # lead | customer
    person_id: Mapped[str | None] = mapped_column(String(32))
