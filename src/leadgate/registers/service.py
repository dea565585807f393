"""Importing register files (full lists as listing intervals, check-service answers), the status of every
register the rulebooks name, and the file of numbers to submit to a check service. Services flush; the
command's unit of work commits.

A full list is the law's answer for every number, so a short file must not quietly unlist millions: an
import below 80 % of the previous snapshot is refused unless forced (a truncated download looks exactly
like that).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from leadgate.intake.bulk import insert_frame
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import from_store, to_store
from leadgate.ledger import service as ledger
from leadgate.registers.cache import listed_digest, listed_numbers, write_cache
from leadgate.registers.export import CheckExport, export_numbers
from leadgate.registers.lookup import RegisterState, register_checks, register_states
from leadgate.registers.models import RegisterCheckResult, RegisterNumber, RegisterSnapshot
from leadgate.registers.parse import Format, ParsedFile, parse_check, parse_full
from leadgate.rules.loader import load
from leadgate.rules.model import RegisterParams, Rule, Rulebooks

__all__ = ["CheckExport", "RegisterState", "RegisterStatus", "SnapshotSummary", "export_for_check", "import_check",
           "import_full", "known_registers", "listed_numbers", "register_checks", "register_states",
           "snapshot_status"]

SHRINK_LIMIT = 0.8
UNLIST_CHUNK = 10_000
LIST_CHUNK = 100_000
ANALYZE_AFTER = 100_000
Stage = Callable[[str], None]


@dataclass(frozen=True)
class SnapshotSummary:
    register: str
    kind: str  # full | check
    snapshot_id: int
    file_name: str
    sha256: str
    checked_at: datetime
    lines_total: int
    lines_invalid: int
    invalid_examples: tuple[tuple[int, str], ...]  # (line number, masked value)
    numbers_checked: int  # distinct valid numbers in the file
    numbers_listed: int
    added: int = 0  # full: newly listed since the previous full snapshot
    removed: int = 0  # full: no longer listed
    previous_id: int | None = None
    previous_listed: int | None = None
    forced: bool = False
    ledger_seq: int | None = None
    encoding: str = ""
    already_imported: bool = False  # this exact file (SHA-256) was imported before: nothing changed


def known_registers(books: Rulebooks | None = None) -> dict[str, tuple[Rule, ...]]:
    """Every register a rulebook names (in a `register` rule's params), with the rules naming it."""
    books = books if books is not None else load(None)
    found: dict[str, dict[str, Rule]] = {}
    for book in books.books.values():
        for rule in (*book.rules, *book.disabled):
            if isinstance(rule.params, RegisterParams):
                found.setdefault(rule.params.name, {})[rule.id] = rule
    return {name: tuple(rules.values()) for name, rules in sorted(found.items())}


def _check_inputs(register: str, checked_at: datetime, now: datetime, books: Rulebooks | None) -> None:
    known = known_registers(books)
    if register not in known:
        raise InvalidInput(f"Unknown register {register!r}: the rulebooks name {', '.join(known)}.", field="register")
    if checked_at.tzinfo is None:
        raise InvalidInput("checked_at needs a UTC offset (e.g. 2026-11-23T06:00:00+01:00): the moment the "
                           "register was downloaded or the check service answered.", field="checked_at")
    if checked_at > now:
        raise InvalidInput(f"checked_at {checked_at.isoformat()} is in the future (now {now.isoformat()}): give the "
                           "moment the register file was produced.", field="checked_at")


def _already(session: Session, register: str, sha256: str) -> SnapshotSummary | None:
    earlier = session.scalars(select(RegisterSnapshot).where(
        RegisterSnapshot.register == register, RegisterSnapshot.file_sha256 == sha256)).first()
    return None if earlier is None else _summary(earlier, already_imported=True)


def _summary(s: RegisterSnapshot, **extra: object) -> SnapshotSummary:
    return SnapshotSummary(
        register=s.register, kind=s.kind, snapshot_id=s.id, file_name=s.file_name, sha256=s.file_sha256,
        checked_at=from_store(s.checked_at), lines_total=s.lines_total, lines_invalid=s.lines_invalid,
        invalid_examples=(), numbers_checked=s.numbers_checked, numbers_listed=s.numbers_listed,
        forced=s.forced, ledger_seq=s.ledger_seq, **extra)  # type: ignore[arg-type]


def _snapshot(session: Session, *, register: str, kind: str, parsed: ParsedFile, listed: pl.Series, where: str,
              sha256: str, checked_at: datetime, now: datetime, forced: bool) -> RegisterSnapshot:
    snapshot = RegisterSnapshot(
        register=register, kind=kind, checked_at=to_store(checked_at), imported_at=to_store(now),
        file_name=where[:500], file_sha256=sha256, lines_total=parsed.lines_total,
        lines_invalid=parsed.lines_invalid, numbers_checked=parsed.numbers.len(), numbers_listed=listed.len(),
        listed_sha256=listed_digest(listed), forced=forced)
    session.add(snapshot)
    session.flush()
    return snapshot


def _lock(session: Session, register: str) -> None:
    """One full import per register at a time: two would both diff against the same previous list. SQLite
    serialises writers already (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"leadgate.register:{register}"})


def _latest_full(session: Session, register: str) -> RegisterSnapshot | None:
    return session.scalars(select(RegisterSnapshot).where(
        RegisterSnapshot.register == register, RegisterSnapshot.kind == "full")
        .order_by(RegisterSnapshot.id.desc()).limit(1)).first()


def _list(session: Session, register: str, numbers: pl.Series, snapshot_id: int) -> None:
    """Open a listing for each number from `snapshot_id` on."""
    if session.get_bind().dialect.name != "sqlite":
        rows = numbers.to_frame("number").select(pl.lit(register).alias("register"), "number",
                                                 pl.lit(snapshot_id, dtype=pl.Int64).alias("listed_from"))
        insert_frame(session, RegisterNumber.__table__, rows)  # type: ignore[arg-type]
        if numbers.len() >= ANALYZE_AFTER:
            # Without fresh statistics the planner takes the table for small and the next import's unlisting
            # scans every listing of the register instead of using the (register, number) index.
            session.execute(text("ANALYZE register_numbers"))
        return
    # SQLite: one statement per chunk, its numbers as a JSON array unpacked inside SQLite: 25 million rows
    # cost a few µs each instead of executemany's Python tuples (3x slower).
    session.flush()
    connection = session.connection()
    sql = "INSERT INTO register_numbers (register, number, listed_from) SELECT ?, value, ? FROM json_each(?)"
    for part in numbers.to_frame("n").iter_slices(LIST_CHUNK):
        array = "[" + str(part["n"].cast(pl.String).str.join(",").item()) + "]"
        connection.exec_driver_sql(sql, (register, snapshot_id, array))


def _unlist(session: Session, register: str, numbers: pl.Series, snapshot_id: int) -> None:
    """Close the open listing of each number: it is not listed from `snapshot_id` on."""
    for start in range(0, numbers.len(), UNLIST_CHUNK):
        chunk = numbers.slice(start, UNLIST_CHUNK).to_list()
        session.execute(update(RegisterNumber).where(
            RegisterNumber.register == register, RegisterNumber.listed_to.is_(None),
            RegisterNumber.number.in_(chunk)).values(listed_to=snapshot_id).execution_options(
            synchronize_session=False))


def import_full(session: Session, *, register: str, data: bytes, where: str, checked_at: datetime, now: datetime,
                actor: str, force: bool = False, data_dir: Path, fmt: Format | None = None,
                column: str | None = None, books: Rulebooks | None = None, stage: Stage | None = None
                ) -> SnapshotSummary:
    """Import a register's whole list as listed at `checked_at`: a new snapshot, the listing intervals
    moved by the difference with the previous one, the cache file, and one ledger event."""
    say = stage or (lambda _: None)
    _check_inputs(register, checked_at, now, books)
    _lock(session, register)
    sha256 = hashlib.sha256(data).hexdigest()
    if (done := _already(session, register, sha256)) is not None:
        return done
    previous = _latest_full(session, register)
    if previous is not None and from_store(previous.checked_at) >= checked_at:
        last = from_store(previous.checked_at)
        raise InvalidInput(f"{register} already has a full snapshot checked at {last:%Y-%m-%d %H:%M} UTC (snapshot "
                           f"{previous.id}); a full list must be newer than the last one (this one: "
                           f"{checked_at.isoformat()}). Import register files in the order they were produced.",
                           field="checked_at")
    say("reading and normalising numbers")
    parsed = parse_full(data, register=register, where=where, fmt=fmt, column=column)
    numbers = parsed.numbers
    shrunk = previous is not None and numbers.len() < SHRINK_LIMIT * previous.numbers_listed
    if previous is not None and shrunk and not force:
        raise InvalidInput(
            f"{where} lists {numbers.len():,} number(s), fewer than 80 % of the {previous.numbers_listed:,} of the "
            f"previous {register} snapshot ({previous.id}). A truncated or partial download must not unlist "
            "numbers, so nothing was imported. If the register really shrank, import again with --force.",
            field="file")
    say("comparing with the previous snapshot")
    before = listed_numbers(session, snapshot=previous, data_dir=data_dir) if previous is not None else None
    snapshot = _snapshot(session, register=register, kind="full", parsed=parsed, listed=numbers, where=where,
                         sha256=sha256, checked_at=checked_at, now=now,
                         forced=shrunk)
    before = before if before is not None else pl.Series("number", [], dtype=pl.Int64)
    added = numbers.filter(~numbers.is_in(before.implode()))
    removed = before.filter(~before.is_in(numbers.implode()))
    say(f"storing {added.len():,} added and {removed.len():,} removed numbers")
    _list(session, register, added, snapshot.id)
    if removed.len():
        _unlist(session, register, removed, snapshot.id)
    say("writing the cache file")
    write_cache(data_dir, snapshot, numbers)
    event = ledger.append(session, kind="register.imported", actor=actor, at=now, data={
        "register": register, "kind": "full", "snapshot": snapshot.id, "checked_at": checked_at.isoformat(),
        "file": where, "file_sha256": sha256, "listed_sha256": snapshot.listed_sha256,
        "counts": {"lines": parsed.lines_total, "invalid": parsed.lines_invalid, "listed": numbers.len(),
                   "added": added.len(), "removed": removed.len()},
        "previous": previous.id if previous is not None else None, "forced": snapshot.forced})
    snapshot.ledger_seq = event.seq
    session.flush()
    return SnapshotSummary(
        register=register, kind="full", snapshot_id=snapshot.id, file_name=where, sha256=sha256,
        checked_at=checked_at, lines_total=parsed.lines_total, lines_invalid=parsed.lines_invalid,
        invalid_examples=parsed.examples, numbers_checked=numbers.len(), numbers_listed=numbers.len(),
        added=added.len(), removed=removed.len(), previous_id=previous.id if previous is not None else None,
        previous_listed=previous.numbers_listed if previous is not None else None, forced=snapshot.forced,
        ledger_seq=event.seq, encoding=parsed.encoding)


def import_check(session: Session, *, register: str, data: bytes, where: str, checked_at: datetime, now: datetime,
                 actor: str, data_dir: Path, column: str | None = None, books: Rulebooks | None = None
                 ) -> SnapshotSummary:
    """Import a check service's answer (see `parse.parse_check` for the file): each submitted number with
    whether it is listed, as of `checked_at`. Numbers not in the file were not checked by it."""
    del data_dir  # check answers live in the database only; the parameter keeps the import calls alike
    _check_inputs(register, checked_at, now, books)
    sha256 = hashlib.sha256(data).hexdigest()
    if (done := _already(session, register, sha256)) is not None:
        return done
    parsed = parse_check(data, register=register, where=where, column=column)
    assert parsed.listed is not None
    listed = parsed.numbers.filter(parsed.listed)
    snapshot = _snapshot(session, register=register, kind="check", parsed=parsed, listed=listed, where=where,
                         sha256=sha256, checked_at=checked_at, now=now, forced=False)
    insert_frame(session, RegisterCheckResult.__table__,  # type: ignore[arg-type]
                 pl.DataFrame({"snapshot_id": pl.Series([snapshot.id] * parsed.numbers.len(), dtype=pl.Int64),
                               "number": parsed.numbers, "listed": parsed.listed}))
    event = ledger.append(session, kind="register.imported", actor=actor, at=now, data={
        "register": register, "kind": "check", "snapshot": snapshot.id, "checked_at": checked_at.isoformat(),
        "file": where, "file_sha256": sha256, "listed_sha256": snapshot.listed_sha256,
        "counts": {"lines": parsed.lines_total, "invalid": parsed.lines_invalid,
                   "checked": parsed.numbers.len(), "listed": listed.len()},
        "forced": False})
    snapshot.ledger_seq = event.seq
    session.flush()
    return SnapshotSummary(
        register=register, kind="check", snapshot_id=snapshot.id, file_name=where, sha256=sha256,
        checked_at=checked_at, lines_total=parsed.lines_total, lines_invalid=parsed.lines_invalid,
        invalid_examples=parsed.examples, numbers_checked=parsed.numbers.len(), numbers_listed=listed.len(),
        ledger_seq=event.seq, encoding=parsed.encoding)


@dataclass(frozen=True)
class RegisterStatus:
    name: str
    rules: tuple[str, ...]  # the rules naming it
    in_force: bool  # a rule naming it is in force today
    max_age_days: int  # the strictest max_age_days among those rules
    snapshot_id: int | None  # the latest snapshot (None: never imported)
    kind: str | None
    checked_at: datetime | None
    numbers_checked: int | None
    numbers_listed: int | None
    age_days: float | None
    status: str  # fresh | stale | missing


def snapshot_status(session: Session, *, now: datetime, books: Rulebooks | None = None) -> list[RegisterStatus]:
    """Every register the rulebooks name, with its latest snapshot and whether that is fresh enough."""
    out = []
    for name, rules in known_registers(books).items():
        max_age = min(r.params.max_age_days for r in rules)
        in_force = any(r.in_force(now.date()) for r in rules)
        latest = session.scalars(select(RegisterSnapshot).where(
            RegisterSnapshot.register == name, RegisterSnapshot.checked_at <= to_store(now))
            .order_by(RegisterSnapshot.checked_at.desc(), RegisterSnapshot.id.desc()).limit(1)).first()
        if latest is None:
            out.append(RegisterStatus(name, tuple(r.id for r in rules), in_force, max_age, None, None, None, None,
                                      None, None, "missing"))
            continue
        checked_at = from_store(latest.checked_at)
        age = (now - checked_at).total_seconds() / 86400
        out.append(RegisterStatus(name, tuple(r.id for r in rules), in_force, max_age, latest.id, latest.kind,
                                  checked_at, latest.numbers_checked, latest.numbers_listed, age,
                                  "fresh" if age <= max_age else "stale"))
    return out


def export_for_check(session: Session, *, register: str, campaign_id: str, out: Path, now: datetime, actor: str,
                     books: Rulebooks | None = None) -> CheckExport:
    """Write the campaign's candidate numbers of the register's country, as the check service takes them
    (see `registers.export`), atomically, with one ledger event."""
    return export_numbers(session, register=register, campaign_id=campaign_id, out=out, now=now, actor=actor,
                          books=books)
