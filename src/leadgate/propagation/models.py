"""The outbox: one row per (opt-out, call centre, number). Rows are never deleted; their state moves
pending → delivered (the webhook answered 2xx) → acknowledged (the call centre confirmed by id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import leadgate.campaigns.models  # noqa: F401  (call centres are partners)
from leadgate.kit.db import Base
from leadgate.people.models import new_id

SEQ = BigInteger().with_variant(Integer, "sqlite")


class Propagation(Base):
    __tablename__ = "propagations"
    __table_args__ = (
        # One opt-out reaches each call centre once per number it holds, however many exports or checks
        # gave it that number. (Acknowledged rows forget the number, so they no longer take part.)
        UniqueConstraint("cause_seq", "call_centre_id", "contact", name="uq_propagations_cause_call_centre"),
        Index("ix_propagations_due", "acknowledged_at", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    call_centre_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    cause: Mapped[str] = mapped_column(String(20))  # objection | withdrawal
    cause_seq: Mapped[int] = mapped_column(SEQ)  # the ledger event of the objection or withdrawal
    medium: Mapped[str] = mapped_column(String(10))  # phone | email
    # The contact point to stop using (what the call centre already holds); cleared once acknowledged.
    contact: Mapped[str | None] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(10))  # phone | email | sms | all
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when the person opted out
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # acknowledged by then, else overdue
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: nothing to send
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ack_seq: Mapped[int | None] = mapped_column(SEQ)  # the ledger event of the acknowledgement
