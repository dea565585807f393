"""Recorded decisions: the facts as they were assembled (personal data, erasable) beside the ledger
event that holds their hash and the decision (no personal data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import leadgate.campaigns.models  # noqa: F401  (campaigns)
from leadgate.kit.db import Base
from leadgate.people.models import new_id


class DecisionRecord(Base):
    __tablename__ = "decision_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    contact_point_id: Mapped[str | None] = mapped_column(ForeignKey("contact_points.id", ondelete="SET NULL"),
                                                         index=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the moment decided about
    allowed: Mapped[bool]
    facts: Mapped[str] = mapped_column(Text)  # canonical JSON of the facts handed to the core
    facts_sha256: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(Text)  # JSON of the decision
    ledger_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    # The call centre that asked (a pre-dial check over the API): it must hear of a later opt-out.
    call_centre_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"), index=True)
