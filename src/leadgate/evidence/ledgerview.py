"""The ledger as an evidence pack reads it: events found by the ids in their bodies, each re-hashed, and
the stored rows compared with what the events recorded."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from leadgate.ledger.models import LedgerEvent
from leadgate.ledger.service import chain_hash


@dataclass(frozen=True)
class LedgerRef:
    seq: int
    hash: str
    kind: str


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when, what, the details, the ledger event that records it, and what was
    re-verified (`checks`) or found wrong (`problems`, said out loud in the pack)."""

    at: datetime  # UTC
    what: str
    details: dict[str, Any]
    ledger: LedgerRef | None
    checks: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their offset; the store reads those as UTC everywhere.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _parse(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def same(recorded: Any, stored: Any) -> bool:
    """Whether a ledger body value and a stored value say the same thing."""
    if isinstance(stored, datetime):
        moment = _parse(recorded)
        if moment is None or moment.tzinfo is None:
            return False
        # A naive stored value (SQLite) may hold the wall-clock time as given, without its offset.
        return utc(stored) == moment.astimezone(UTC) or (stored.tzinfo is None and
                                                         moment.replace(tzinfo=None) == stored)
    if isinstance(stored, date):
        return bool(recorded == stored.isoformat())
    return bool(recorded == stored)


def recorded_moment(stored: datetime, recorded: Any) -> datetime:
    """The stored time, or the ledger's when the store kept only its wall-clock time (SQLite)."""
    moment = _parse(recorded)
    if stored.tzinfo is None and moment is not None and moment.tzinfo is not None and \
            moment.replace(tzinfo=None) == stored:
        return moment.astimezone(UTC)
    return utc(stored)


class Events:
    """The events a pack reads, indexed by (kind, body data key, id); remembers which ones it used."""

    def __init__(self, events: Iterable[LedgerEvent], broken_seq: int | None) -> None:
        self.by_seq: dict[int, LedgerEvent] = {}
        self.data: dict[int, dict[str, Any]] = {}
        self.index: dict[tuple[str, str, str], list[LedgerEvent]] = {}
        self.used: set[int] = set()
        self.broken_seq = broken_seq
        for event in events:
            self.add(event)

    def add(self, event: LedgerEvent) -> None:
        if event.seq in self.by_seq:
            return
        self.by_seq[event.seq] = event
        try:
            data = json.loads(event.body).get("data")
        except (ValueError, AttributeError):
            data = None  # an unreadable body: `ref` reports the event as changed
        self.data[event.seq] = data if isinstance(data, dict) else {}
        for key, value in self.data[event.seq].items():
            if isinstance(value, str):
                found = self.index.setdefault((event.kind, key, value), [])
                found.append(event)
                found.sort(key=lambda e: e.seq)

    def find(self, kind: str, key: str, value: str) -> LedgerEvent | None:
        """The latest event of this kind naming this id (a record may be recorded again when it changes)."""
        found = self.index.get((kind, key, value))
        return found[-1] if found else None

    def earlier(self, kind: str, key: str, value: str) -> list[LedgerEvent]:
        return self.index.get((kind, key, value), [])[:-1]

    def load(self, session: Session, seq: int) -> LedgerEvent | None:
        if seq not in self.by_seq:
            event = session.get(LedgerEvent, seq)
            if event is None:
                return None
            self.add(event)
        return self.by_seq[seq]

    def recording(self, session: Session, seq: int | None, *, kind: str, key: str, value: Any
                  ) -> LedgerEvent | None:
        """The event at `seq` when it is the `kind` event naming `value` under `key`, else None: a stored
        row's own ledger event, or proof that the row's reference to it is wrong."""
        event = self.load(session, seq) if seq is not None else None
        if event is None or event.kind != kind or self.data[event.seq].get(key) != value:
            return None
        return event

    def ref(self, event: LedgerEvent, problems: list[str]) -> LedgerRef:
        """The reference to put on an entry, after checking the event itself."""
        self.used.add(event.seq)
        if chain_hash(event.prev_hash, event.body) != event.hash:
            problems.append(f"LEDGER EVENT {event.seq} WAS CHANGED after it was written: its hash does not "
                            "match its body")
        if self.broken_seq is not None and event.seq >= self.broken_seq:
            problems.append(f"ledger event {event.seq} lies at or after the break in the chain (event "
                            f"{self.broken_seq}): it cannot be trusted")
        return LedgerRef(event.seq, event.hash, event.kind)

    def compare(self, event: LedgerEvent, stored: dict[str, Any], checks: list[str], problems: list[str],
                at: datetime | None = None) -> None:
        """Compare the stored fields with those the event recorded (fields it did not record are skipped);
        `at` is a stored time that must be the event's own time (an objection, a withdrawal)."""
        recorded = dict(self.data[event.seq])
        if at is not None:
            recorded["at"], stored = utc(event.at).isoformat(), {"at": at} | stored
        compared = [key for key in stored if key in recorded]
        differ = [key for key in compared if not same(recorded[key], stored[key])]
        if differ:
            problems.append(f"MISMATCH with ledger event {event.seq}: the stored {', '.join(differ)} "
                            "differ(s) from what the ledger recorded")
        elif compared:
            checks.append(f"{', '.join(compared)} match ledger event {event.seq}")
