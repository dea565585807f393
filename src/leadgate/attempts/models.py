"""Contact attempts reported by call centres."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import leadgate.campaigns.models  # noqa: F401  (campaigns and call centres)
from leadgate.kit.db import Base
from leadgate.people.models import new_id


class ContactAttempt(Base):
    """One call (or message) and its outcome. `call_id` is the call centre's own id: reporting the same
    call twice records it once."""

    __tablename__ = "contact_attempts"
    __table_args__ = (UniqueConstraint("call_centre_id", "call_id", name="uq_contact_attempts_call"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    contact_point_id: Mapped[str | None] = mapped_column(ForeignKey("contact_points.id", ondelete="SET NULL"),
                                                         index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    call_centre_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"), index=True)
    call_id: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    outcome: Mapped[str] = mapped_column(String(30))  # the facts' attempts[].outcome
    rings: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
