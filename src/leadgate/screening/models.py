"""Exports (one screening run written to files) and which call centre received which number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, PrimaryKeyConstraint, String, Text
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
    number only, so the number leads the key and there is no other index: on SQLite the table is that one
    B-tree (WITHOUT ROWID), on PostgreSQL the heap and that one index. Each further index or B-tree would
    cost every export of millions of rows. An export's rows are not found by export_id (that would scan
    the table): whoever needs them has them. On SQLite a later export's rows fall between the earlier
    ones', so each export rewrites pages all over the table (see BENCHMARKS.md for how that grows).

    No foreign keys: only write_export writes these rows, with the export it has just added and the call
    centres it assigned. Checking them cost one lookup per row and key, ~85% of the COPY on PostgreSQL;
    and with no index leading by export_id or call centre, deleting an export or a partner would scan the
    table for each. The evidence pack reports a row whose export is missing."""

    __tablename__ = "export_contacts"
    __table_args__ = (PrimaryKeyConstraint("number", "export_id"), {"sqlite_with_rowid": False})

    export_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # exports.id
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # E.164 digits
    call_centre_id: Mapped[str] = mapped_column(String(32))  # partners.id
    flow: Mapped[str] = mapped_column(String(10))  # lead | customer
    person_id: Mapped[str | None] = mapped_column(String(32))
