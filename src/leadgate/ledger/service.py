"""Appending to, verifying and exporting the ledger. Services flush; the caller's unit of work commits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, make_transient_to_detached

from leadgate.kit.db import in_pipeline, on_postgresql
from leadgate.kit.sqljson import json_field
from leadgate.ledger.models import GENESIS, LedgerEvent

_PG_LOCK = 0x1EAD6A7E  # advisory lock id: one appender at a time on PostgreSQL
_HEAD = "leadgate.ledger.head"  # session.info: (transaction, hash of the event this transaction appended last)
_LOCKED = "leadgate.ledger.locked"  # session.info: the transaction that holds the PostgreSQL lock


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8, ISO timestamps."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


# A statement and its parameters, in psycopg's style (%(name)s).
Statement = tuple[str, Mapping[str, Any]]
# In a statement passed as `then`: the seq of the event just appended (PostgreSQL's sequence of the table).
PG_APPENDED_SEQ = "currval(pg_get_serial_sequence('ledger_events', 'seq'))"


def append(session: Session, *, kind: str, actor: str, data: dict[str, Any], at: datetime | None = None,
           subject: str | None = None) -> LedgerEvent:
    """Add one event after the current head and return it (flushed, not committed). `subject` is the id
    of the person the event is about; it is part of the hashed body."""
    moment, body = _body(kind=kind, actor=actor, data=data, at=at, subject=subject)
    if on_postgresql(session):
        return _queue_pg(session, moment=moment, kind=kind, actor=actor, subject=subject, body=body).event()
    prev_hash = _head(session)
    event = LedgerEvent(at=moment, kind=kind, actor=actor, subject=subject, body=body, prev_hash=prev_hash,
                        hash=chain_hash(prev_hash, body))
    session.add(event)
    session.flush()
    session.info[_HEAD] = (session.get_transaction(), event.hash)
    return event


class Queued:
    """An appended event whose row is read when first asked for. Inside `kit.db.committed_together` on
    PostgreSQL the statements wait for the commit and go to the server with it: asking for `seq` before
    the commit sends them at once (correct, one round trip more)."""

    def __init__(self, cursors: list[Any] | None = None, event: LedgerEvent | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        self._cursors, self._event, self._fields = cursors or [], event, fields or {}

    def event(self) -> LedgerEvent:
        if self._event is None:
            row = self._cursors[0].fetchone()
            for cursor in self._cursors:
                cursor.close()
            assert row is not None
            self._event = _stored(self._fields, row)
        return self._event

    @property
    def seq(self) -> int:
        return self.event().seq


def append_queued(session: Session, *, kind: str, actor: str, data: dict[str, Any], at: datetime | None = None,
                  subject: str | None = None, then: Statement | None = None,
                  orm_then: Callable[[int], object] | None = None) -> Queued:
    """`append` for the pre-dial check, with the row that refers to the event: on PostgreSQL `then`, a
    statement sent right after the event (PG_APPENDED_SEQ is the event's seq in it); on SQLite `orm_then`,
    given the seq, returns the ORM object to add."""
    moment, body = _body(kind=kind, actor=actor, data=data, at=at, subject=subject)
    if on_postgresql(session):
        return _queue_pg(session, moment=moment, kind=kind, actor=actor, subject=subject, body=body, then=then)
    event = append(session, kind=kind, actor=actor, data=data, at=at, subject=subject)
    if orm_then is not None:
        session.add(orm_then(event.seq))
        session.flush()
    return Queued(event=event)


def _body(*, kind: str, actor: str, data: dict[str, Any], at: datetime | None, subject: str | None
          ) -> tuple[datetime, str]:
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    content: dict[str, Any] = {"kind": kind, "at": moment, "actor": actor, "data": data}
    if subject is not None:
        content["subject"] = subject
    return moment, canonical(content)


# The head, the chain hash over it (the same SHA-256 as chain_hash: verify() recomputes it in Python) and
# the insert in one statement. It runs after the lock's statement, so its snapshot holds the previous
# appender's commit; within this transaction it sees this transaction's own earlier events.
PG_APPEND = f"""
INSERT INTO ledger_events (at, kind, actor, subject, body, prev_hash, hash)
SELECT %(at)s, %(kind)s, %(actor)s, %(subject)s, %(body)s, head.hash,
       encode(sha256(convert_to(head.hash || %(body)s, 'UTF8')), 'hex')
  FROM (SELECT coalesce((SELECT hash FROM ledger_events ORDER BY seq DESC LIMIT 1), '{GENESIS}') AS hash) head
RETURNING seq, prev_hash, hash"""


PG_LOCK: Statement = ("SELECT pg_advisory_xact_lock(%(lock)s)", {"lock": _PG_LOCK})


def event_fields(*, kind: str, actor: str, data: dict[str, Any], at: datetime | None = None,
                 subject: str | None = None) -> dict[str, Any]:
    """The stored fields of an event to append (at, kind, actor, subject, body): several of them go to
    a batch of `pg_append_many` (decisions.recorder)."""
    moment, body = _body(kind=kind, actor=actor, data=data, at=at, subject=subject)
    return {"at": moment, "kind": kind, "actor": actor, "subject": subject, "body": body}


# PostgreSQL, for decisions.recorder: the values of an event in a JSON batch (kit.sqljson.json_rows), and the
# statement that appends the events of such a batch in order.
EVENT_FIELDS = ("at", "kind", "actor", "subject", "body")
_EVENT_TYPES = ("timestamptz", "text", "text", "text", "text")


def event_values(event: Mapping[str, Any]) -> list[Any]:
    """An event of `event_fields` as the first values of a batch row of `pg_append_many`."""
    return [event[name] for name in EVENT_FIELDS]


def pg_append_many(rows: str) -> str:
    """SQL appending the events of `rows`, a relation (ord, v) whose v are JSON arrays starting with
    `event_values`, in the order of ord, in one statement (the function of migration 0009 takes the chain's
    lock and reads the head after it); a row per event, (ord, seq): ord as given (from 1) and its seq."""
    arrays = ", ".join(f"ARRAY(SELECT {json_field('v', i, type_)} FROM {rows} ORDER BY ord)"
                       for i, type_ in enumerate(_EVENT_TYPES))
    return f"SELECT ord, seq FROM leadgate_ledger_append({arrays})"


def _stored(fields: dict[str, Any], row: Sequence[Any]) -> LedgerEvent:
    event = LedgerEvent(seq=row[0], prev_hash=row[1], hash=row[2], **fields)
    make_transient_to_detached(event)  # stored already: never to be added to a session
    return event


def _queue_pg(session: Session, *, moment: datetime, kind: str, actor: str, subject: str | None, body: str,
              then: Statement | None = None) -> Queued:
    """The append on PostgreSQL: the lock (once per transaction), the insert and `then` go out together
    (psycopg's pipeline; prepared statements on the driver's cursors). Every other appender waits from the
    lock until this transaction commits, so what this process does in between bounds the chain's
    throughput: an ORM flush there cost ~0.4 ms of CPU, and each round trip a wait for the GIL under load.
    In the caller's pipeline (kit.db.committed_together) they are sent with the commit; else now."""
    # A savepoint rolled back releases a lock taken inside it: the lock is kept per innermost transaction
    # (taking it again where this transaction holds it already costs nothing).
    transaction = session.get_nested_transaction() or session.get_transaction()
    lock = session.info.get(_LOCKED) is not transaction or transaction is None or not transaction.is_active
    session.flush()  # the statements bypass the ORM: they must follow what this unit of work added
    connection: Any = session.connection().connection.driver_connection
    cursors = [connection.cursor(), connection.cursor()]
    fields = {"at": moment, "kind": kind, "actor": actor, "subject": subject, "body": body}
    queued = Queued(cursors, fields=fields)
    with nullcontext() if in_pipeline(connection) else connection.pipeline():
        if lock:
            cursors[1].execute(*PG_LOCK, prepare=True)
        cursors[0].execute(PG_APPEND, fields, prepare=True)
        if then is not None:
            cursors[1].execute(then[0], then[1], prepare=True)
    session.info[_LOCKED] = transaction
    return queued


def _head(session: Session) -> str:
    """The hash the next event follows on SQLite. Read from the table once per transaction: BEGIN IMMEDIATE
    keeps every other appender out until commit, so later appends in the same transaction follow the
    event appended before them without asking again."""
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD)
    if cached is not None and cached[0] is transaction and transaction is not None and transaction.is_active \
            and not session.in_nested_transaction():
        return str(cached[1])
    head = session.scalars(select(LedgerEvent.hash).order_by(LedgerEvent.seq.desc()).limit(1)).first()
    return head or GENESIS


@dataclass(frozen=True)
class Verification:
    events: int
    head: str
    problem: str | None = None  # the first broken event, in words
    seq: int | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(session: Session) -> Verification:
    """Walk the chain from the start; stop at the first event that was changed, removed or reordered."""
    # Sequence numbers may skip (PostgreSQL does not give back the numbers of a rolled-back transaction),
    # so a removed event shows as the next event not following the one before it, not as a gap.
    prev_hash, count = GENESIS, 0
    for event in session.scalars(select(LedgerEvent).order_by(LedgerEvent.seq).execution_options(yield_per=1000)):
        if event.prev_hash != prev_hash:
            return Verification(count, prev_hash, f"event {event.seq} does not follow the event before it (an "
                                                  "event before it was removed, or events were reordered)",
                                event.seq)
        if chain_hash(prev_hash, event.body) != event.hash:
            return Verification(count, prev_hash, f"event {event.seq} was changed (its hash does not match "
                                                  "its body)", event.seq)
        body = json.loads(event.body)
        if (body.get("kind"), body.get("actor"), body.get("subject")) != (event.kind, event.actor, event.subject) or \
                datetime.fromisoformat(body["at"]) != event.at.replace(tzinfo=event.at.tzinfo or UTC):
            return Verification(count, prev_hash, f"event {event.seq} was changed (its columns do not match "
                                                  "its body)", event.seq)
        prev_hash, count = event.hash, count + 1
    return Verification(count, prev_hash)


def export(session: Session, *, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The events (oldest first) as auditor records: seq, hashes and the canonical body."""
    query = select(LedgerEvent).order_by(LedgerEvent.seq)
    if since is not None:
        query = query.where(LedgerEvent.at >= since)
    for event in session.scalars(query.execution_options(yield_per=1000)):
        yield {"seq": event.seq, "prev_hash": event.prev_hash, "hash": event.hash, "body": json.loads(event.body)}


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEvent)) or 0
