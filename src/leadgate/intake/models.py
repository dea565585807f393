"""Data sources, intakes (one per imported file) and leads (a person received through a source)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import leadgate.campaigns.models  # noqa: F401  (suppliers are partners)
from leadgate.kit.db import Base
from leadgate.people.models import new_id


class DataSource(Base):
    """Where personal data came from: a supplier's source code, how it was acquired and for what purpose.
    A source that is switched off (complaints) blocks its leads; see the DATA_SOURCE rule."""

    __tablename__ = "data_sources"
    __table_args__ = (UniqueConstraint("supplier_id", "code", name="uq_data_sources_supplier_code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    supplier_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"), index=True)
    code: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # the facts' source.kind: webform | purchased_list | ...
    purpose: Mapped[str | None] = mapped_column(Text)
    purpose_compatible: Mapped[bool | None]  # None = nobody assessed it
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Intake(Base):
    """One imported file. The SHA-256 is unique: the same file imported twice adds nothing."""

    __tablename__ = "intakes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_imported: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    persons_created: Mapped[int] = mapped_column(Integer)
    persons_matched: Mapped[int] = mapped_column(Integer)
    customers_matched: Mapped[int] = mapped_column(Integer)  # matched a paying customer: klantflow
    consents_created: Mapped[int] = mapped_column(Integer)
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    # The campaign the file was bought or collected for: its leads are that campaign's stored candidates.
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"), index=True)


class Lead(Base):
    """A person as received from a data source in an intake, with what the lead told us (belscript context)."""

    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    data_source_id: Mapped[str] = mapped_column(ForeignKey("data_sources.id"), index=True)
    intake_id: Mapped[str | None] = mapped_column(ForeignKey("intakes.id"), index=True)
    row_number: Mapped[int | None] = mapped_column(Integer)  # in the supplier's file, for complaints
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    extra: Mapped[str | None] = mapped_column(Text)  # JSON object: extra information the lead gave
