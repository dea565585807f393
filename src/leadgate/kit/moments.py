"""Moments in the store: written in UTC, read back aware.

SQLite keeps a DateTime(timezone=True) as its wall-clock text without the offset, so a value written
with +01:00 comes back naive and an hour off. Writing UTC and reading naive values as UTC keeps both
databases equal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def to_store(moment: datetime) -> datetime:
    """The UTC moment to write (the value must be aware)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime cannot be stored")
    return moment.astimezone(UTC)


def from_store(moment: datetime) -> datetime:
    """The stored moment in UTC, whatever the database's session time zone."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment with its UTC offset; ValueError says what is wrong."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError(f"{text.strip()!r} has no UTC offset (e.g. 2026-11-23T10:15:00+01:00)")
    return value


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date like 2026-03-01") from None
