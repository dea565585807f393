"""Exports (one screening run written to files) and which call centre received which number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, PrimaryKeyConstraint, String, Text, UniqueConstraint
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


class ExportSheet(Base):
    """One call sheet of an export: the file (leadflow or klantflow) one call centre received. The receipt's
    rows name their sheet by this small integer instead of repeating the export's and the call centre's
    32-character ids and the flow on each of millions of rows (a 10M-row list exports ~2.5M): on SQLite
    that made the table ~4x wider and its inserts ~2x slower."""

    __tablename__ = "export_sheets"
    __table_args__ = (UniqueConstraint("export_id", "call_centre_id", "flow"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    export_id: Mapped[str] = mapped_column(ForeignKey("exports.id"))
    call_centre_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    flow: Mapped[str] = mapped_column(String(10))  # lead | customer


class ExportContact(Base):
    """A number a call centre received in an export (on which sheet): whom to tell when that person objects.
    Looked up by number only, so the number leads the key and there is no other index: on SQLite the table
    is that one B-tree (WITHOUT ROWID), on PostgreSQL the heap and that one index. Each further index or
    B-tree would cost every export of millions of rows. An export's rows are not found by their sheet (that
    would scan the table): whoever needs them has them. On SQLite a later export's rows fall between the
    earlier ones', so each export rewrites pages all over the table (see BENCHMARKS.md for how that grows).

    A number is on one sheet per export (write_export gives each person one call centre and flow, and
    each number once); the key (number, sheet) does not repeat that rule.

    No foreign keys: only write_export writes these rows, with the sheets it has just added. Checking them
    cost one lookup per row (most of the COPY on PostgreSQL). The evidence pack reports a row whose sheet
    or export is missing."""

    __tablename__ = "export_contacts"
    __table_args__ = (PrimaryKeyConstraint("number", "sheet_id"), {"sqlite_with_rowid": False})

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # E.164 digits
    sheet_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # export_sheets.id
    person_id: Mapped[str | None] = mapped_column(String(32))
