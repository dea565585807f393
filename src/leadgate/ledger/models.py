"""The ledger table. Rows are only ever inserted: no code path updates or deletes them, and database
triggers (see the migration) refuse UPDATE and DELETE on both SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.kit.db import Base

GENESIS = "0" * 64


class LedgerEvent(Base):
    __tablename__ = "ledger_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    # The person the event is about (a copy of the body's "subject"), so an evidence pack finds its events
    # by index. None for events about no single person (an intake, a campaign).
    subject: Mapped[str | None] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of {kind, at, actor, data}
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # a fork of the chain cannot be stored
    hash: Mapped[str] = mapped_column(String(64), unique=True)
