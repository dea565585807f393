"""Register snapshots, listing intervals of full lists, and the results of check services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.kit.db import Base

SEQ = BigInteger().with_variant(Integer, "sqlite")


class RegisterSnapshot(Base):
    """One imported register file. `kind` is `full` (the whole list: a number not in it is not listed at
    `checked_at`) or `check` (a check service's answer: only the submitted numbers were checked)."""

    __tablename__ = "register_snapshots"
    __table_args__ = (Index("ix_register_snapshots_register_checked_at", "register", "checked_at"),)

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    register: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10))  # full | check
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    lines_total: Mapped[int] = mapped_column(Integer)
    lines_invalid: Mapped[int] = mapped_column(Integer)
    numbers_checked: Mapped[int] = mapped_column(Integer)  # distinct valid numbers in the file
    numbers_listed: Mapped[int] = mapped_column(Integer)
    # SHA-256 over the sorted listed numbers (E.164 digits as little-endian int64): verifies the cache file.
    listed_sha256: Mapped[str] = mapped_column(String(64))
    forced: Mapped[bool] = mapped_column(Boolean, default=False)  # accepted despite the shrink guard
    ledger_seq: Mapped[int | None] = mapped_column(SEQ)


class RegisterNumber(Base):
    """A number listed on a full register from snapshot `listed_from` until (excluding) `listed_to`."""

    __tablename__ = "register_numbers"
    __table_args__ = (Index("ix_register_numbers_register_number", "register", "number"),)

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    register: Mapped[str] = mapped_column(String(50))
    number: Mapped[int] = mapped_column(BigInteger)  # E.164 digits without the +
    listed_from: Mapped[int] = mapped_column(ForeignKey("register_snapshots.id"))
    listed_to: Mapped[int | None] = mapped_column(ForeignKey("register_snapshots.id"))


class RegisterCheckResult(Base):
    """One number's answer from a check service (upload-and-return) in one check snapshot."""

    __tablename__ = "register_check_results"
    __table_args__ = (Index("ix_register_check_results_number", "number"),)

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("register_snapshots.id", ondelete="CASCADE"),
                                             primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    listed: Mapped[bool] = mapped_column(Boolean)
