"""The outbox side of opt-out propagation: queueing, listing, acknowledging and the overdue report.

`enqueue` runs in the transaction that records an objection or a consent withdrawal (consent.service),
right after its ledger event: one row per (opt-out, call centre, phone number) for every call centre that
received the number in an export or asked about it in a pre-dial check. `catch_up_export` closes the race
with a screening export that read the suppressions before the objection committed and writes who received
which number after it: both take one advisory lock (PostgreSQL; SQLite serialises writers at BEGIN) before
they look at the other's rows, and the export re-reads every opt-out recorded since it started. Flushes,
never commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, and_, case, func, select, text
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Campaign, Partner
from leadgate.consent.buckets import e164_digits as digits
from leadgate.consent.buckets import phone_buckets
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.consent.suppressed import phone_digests
from leadgate.decisions.models import DecisionRecord
from leadgate.kit.errors import NotFound
from leadgate.kit.moments import from_store, to_store
from leadgate.ledger import service as ledger
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import ContactPoint
from leadgate.propagation.models import Propagation
from leadgate.screening.models import Export, ExportContact, ExportSheet

Status = Literal["pending", "delivered", "acknowledged", "overdue"]
STATUSES: tuple[str, ...] = get_args(Status)
# Call centres hold phone numbers: an objection to e-mail alone concerns none of them.
PROPAGATED_CHANNELS = ("phone", "sms", "all")
DEFAULT_DEADLINE_HOURS = 24
_PG_LOCK = 0x1EAD0B7  # advisory lock: enqueue (reads export_contacts) vs. an export catching up (reads opt-outs)
_CAUSE_KINDS = {"objection": "objection", "consent.withdrawn": "withdrawal"}


def _serialise(session: Session) -> None:
    """Held until commit. Both sides already hold the ledger's lock by the time they get here (each appended
    an event first); this one says what it protects and holds if the ledger's locking ever changes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})


def high_water(session: Session) -> int:
    """The last ledger seq committed now: an export reads it before the suppressions, and later catches up
    with every opt-out after it."""
    return session.scalar(select(func.max(LedgerEvent.seq))) or 0


def person_numbers(session: Session, person_id: str | None) -> set[int]:
    if person_id is None:
        return set()
    values = session.scalars(select(ContactPoint.value).where(ContactPoint.person_id == person_id,
                                                              ContactPoint.medium == "phone"))
    return {digits(v) for v in values}


def _recipients(session: Session, numbers: set[int], export_id: str | None) -> dict[tuple[str, int], int]:
    """(call centre, number) → the smallest acknowledgement deadline (hours) among the campaigns through
    which that call centre received that number: exports, and (unless one export is given) pre-dial checks."""
    found: dict[tuple[str, int], int] = {}

    def add(centre: str, number: int, hours: int | None) -> None:
        hours = hours or DEFAULT_DEADLINE_HOURS
        found[(centre, number)] = min(hours, found.get((centre, number), hours))

    exported = (select(ExportSheet.call_centre_id, ExportContact.number, Campaign.propagation_deadline_hours)
                .join(ExportSheet, ExportSheet.id == ExportContact.sheet_id)
                .join(Export, Export.id == ExportSheet.export_id).join(Campaign, Campaign.id == Export.campaign_id)
                .where(ExportContact.number.in_(sorted(numbers))))
    if export_id is not None:
        exported = exported.where(ExportSheet.export_id == export_id)
    for centre, number, hours in session.execute(exported):
        add(centre, number, hours)
    if export_id is None:
        checked = (select(DecisionRecord.call_centre_id, ContactPoint.value, Campaign.propagation_deadline_hours)
                   .join(ContactPoint, ContactPoint.id == DecisionRecord.contact_point_id)
                   .join(Campaign, Campaign.id == DecisionRecord.campaign_id)
                   .where(DecisionRecord.call_centre_id.is_not(None), ContactPoint.medium == "phone",
                          ContactPoint.value.in_(sorted(f"+{n}" for n in numbers))))
        for asker, value, hours in session.execute(checked):
            if asker is not None:
                add(asker, digits(value), hours)
    return found


def enqueue(session: Session, *, cause: str, cause_seq: int, channel: str, effective_at: datetime,
            numbers: Iterable[int], now: datetime, actor: str, subject: str | None,
            export_id: str | None = None) -> list[Propagation]:
    """Queue the opt-out recorded by ledger event `cause_seq` for every call centre that holds one of
    `numbers` (only those of export `export_id` when given). A (call centre, number) already queued for
    this opt-out and not yet acknowledged is not queued twice. One "propagation.queued" event lists the rows."""
    wanted = set(numbers)
    if channel not in PROPAGATED_CHANNELS or not wanted:
        return []
    _serialise(session)
    targets = _recipients(session, wanted, export_id)
    if not targets:
        return []
    queued = {(centre, contact) for centre, contact in session.execute(
        select(Propagation.call_centre_id, Propagation.contact).where(
            Propagation.cause_seq == cause_seq, Propagation.contact.is_not(None)))}
    hooks = {pid: url for pid, url in session.execute(select(Partner.id, Partner.webhook_url).where(
        Partner.id.in_(sorted({c for c, _ in targets}))))}
    created = to_store(now)
    rows = [Propagation(call_centre_id=centre, cause=cause, cause_seq=cause_seq, medium="phone",
                        contact=f"+{number}", channel=channel, effective_at=to_store(effective_at),
                        created_at=created, due_by=created + timedelta(hours=hours), attempts=0,
                        next_attempt_at=created if hooks.get(centre) else None)
            for (centre, number), hours in sorted(targets.items()) if (centre, f"+{number}") not in queued]
    if not rows:
        return []
    session.add_all(rows)
    session.flush()
    ledger.append(session, kind="propagation.queued", actor=actor, at=now, subject=subject, data={
        "cause": cause, "cause_seq": cause_seq, "export": export_id,
        "propagations": [{"id": r.id, "call_centre": r.call_centre_id, "due_by": from_store(r.due_by).isoformat()}
                         for r in rows]})
    return rows


def catch_up_export(session: Session, *, export_id: str, since_seq: int, key: bytes, now: datetime,
                    actor: str, numbers: npt.NDArray[np.int64] | None = None) -> list[Propagation]:
    """After an export wrote who received which number: every objection or withdrawal committed since the
    export read the store (ledger seq > `since_seq`) that concerns one of its numbers is queued for it.
    Without this, on PostgreSQL an objection committed between the export's read and its commit would be
    neither left out of the export nor propagated (its own enqueue could not see the uncommitted rows).

    `numbers`: the export's numbers (a superset will do: only those the export holds are queued), which the
    exporter has in memory. Without them they are read from export_contacts, which is keyed by number:
    that reads the whole table."""
    _serialise(session)
    events = session.execute(select(LedgerEvent.seq, LedgerEvent.kind, LedgerEvent.body, LedgerEvent.subject)
                             .where(LedgerEvent.seq > since_seq, LedgerEvent.kind.in_(sorted(_CAUSE_KINDS)))
                             .order_by(LedgerEvent.seq)).all()
    if not events:
        return []
    causes = [(seq, _CAUSE_KINDS[kind], json.loads(body)["data"], subject) for seq, kind, body, subject in events]
    by_digest = _exported_digests(session, export_id, key, {d["suppression"] for _, c, d, _ in causes
                                                            if c == "objection"}, numbers)
    created: list[Propagation] = []
    withdrawn: set[tuple[str, str, datetime]] = set()  # one withdrawal call: one event per consent, one cause
    for seq, cause, data, subject in causes:
        if cause == "objection":
            objection = session.get(Objection, data["objection"])
            if objection is None:
                continue
            wanted = person_numbers(session, objection.person_id) | by_digest.get(data["suppression"], set())
            channel, effective = objection.channel, objection.at
        else:
            consent = session.get(Consent, data["consent"])
            point = session.get(ContactPoint, consent.contact_point_id) if consent is not None else None
            if consent is None or point is None or point.medium != "phone" or consent.withdrawn_at is None \
                    or (point.id, consent.channel, consent.withdrawn_at) in withdrawn:
                continue
            withdrawn.add((point.id, consent.channel, consent.withdrawn_at))
            wanted, channel, effective = {digits(point.value)}, consent.channel, consent.withdrawn_at
        created += enqueue(session, cause=cause, cause_seq=seq, channel=channel, effective_at=from_store(effective),
                           numbers=wanted, now=now, actor=actor, subject=subject, export_id=export_id)
    return created


def _exported_digests(session: Session, export_id: str, key: bytes, digests: set[str],
                      numbers: npt.NDArray[np.int64] | None) -> dict[str, set[int]]:
    """Which of the export's numbers (`numbers`, or else its rows) have these suppression digests (objections
    of numbers the store does not know: the digest is all that names them). Hashes only the numbers in the
    digests' buckets. Given numbers may include some the export does not hold: enqueue, limited to the
    export, looks each one up by number."""
    buckets = set(session.scalars(select(Suppression.bucket).where(Suppression.digest.in_(sorted(digests)),
                                                                   Suppression.bucket >= 0)))
    if not buckets:
        return {}
    exported = np.asarray(numbers, dtype=np.int64) if numbers is not None else np.fromiter(
        session.scalars(select(ExportContact.number).join(ExportSheet, ExportSheet.id == ExportContact.sheet_id)
                        .where(ExportSheet.export_id == export_id)), dtype=np.int64)
    candidates = exported[np.isin(phone_buckets(key, exported), sorted(buckets))].tolist()
    found: dict[str, set[int]] = {}
    for number, digest in zip(candidates, phone_digests(key, candidates), strict=True):
        if digest in digests:
            found.setdefault(digest, set()).add(number)
    return found


# ---- reading and acknowledging ---------------------------------------------------------------------------

def status_clause(status: str, now: datetime) -> ColumnElement[bool]:
    """pending: not acknowledged yet (delivered or not, late or not); delivered: of those, the webhook
    answered 2xx; overdue: of those, past due_by; acknowledged: confirmed by the call centre."""
    open_ = Propagation.acknowledged_at.is_(None)
    return {"pending": open_,
            "delivered": and_(open_, Propagation.delivered_at.is_not(None)),
            "overdue": and_(open_, Propagation.due_by <= to_store(now)),
            "acknowledged": Propagation.acknowledged_at.is_not(None)}[status]


def list_propagations(session: Session, *, status: str, now: datetime, call_centre_id: str | None, limit: int,
                      offset: int = 0) -> list[tuple[Propagation, str]]:
    """(row, call centre name), oldest first; `call_centre_id` None: every call centre's."""
    query = (select(Propagation, Partner.name).join(Partner, Partner.id == Propagation.call_centre_id)
             .where(status_clause(status, now)).order_by(Propagation.created_at, Propagation.id)
             .limit(limit).offset(offset))
    if call_centre_id is not None:
        query = query.where(Propagation.call_centre_id == call_centre_id)
    return [(row, name) for row, name in session.execute(query)]


def of_person(session: Session, *, person_id: str) -> list[tuple[Propagation, str]]:
    """(row, call centre name) of every propagation of this person's objections and withdrawals, in the
    order queued: for an evidence pack (each row's cause_seq and ack_seq are its ledger events)."""
    causes = select(LedgerEvent.seq).where(LedgerEvent.subject == person_id,
                                           LedgerEvent.kind.in_(sorted(_CAUSE_KINDS)))
    query = (select(Propagation, Partner.name).join(Partner, Partner.id == Propagation.call_centre_id)
             .where(Propagation.cause_seq.in_(causes)).order_by(Propagation.created_at, Propagation.id))
    return [(row, name) for row, name in session.execute(query)]


def acknowledge(session: Session, *, ids: list[str], call_centre_id: str | None, now: datetime,
                actor: str) -> list[Propagation]:
    """Mark these rows acknowledged (once: acknowledging again changes nothing) and forget the contact point.
    `call_centre_id` None (admin) may acknowledge any row; a call centre only its own, and another's id is
    'not found' so that ids say nothing about other call centres. All or none: one unknown id refuses all."""
    wanted = list(dict.fromkeys(ids))
    query = select(Propagation).where(Propagation.id.in_(wanted)).order_by(Propagation.id).with_for_update()
    rows = {r.id: r for r in session.scalars(query)
            if call_centre_id is None or r.call_centre_id == call_centre_id}
    missing = [i for i in wanted if i not in rows]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise NotFound(f"No opt-out propagation {shown} for this caller.")
    fresh = [rows[i] for i in wanted if rows[i].acknowledged_at is None]
    if fresh:
        event = ledger.append(session, kind="propagation.acknowledged", actor=actor, at=now, data={
            "propagations": [r.id for r in fresh], "call_centres": sorted({r.call_centre_id for r in fresh})})
        for row in fresh:
            # The contact point was only here to be acted upon: once confirmed, the outbox forgets it.
            row.acknowledged_at, row.ack_seq, row.contact, row.next_attempt_at = to_store(now), event.seq, None, None
        session.flush()
    return [rows[i] for i in wanted]


@dataclass(frozen=True)
class CentreStatus:
    call_centre: str
    pending: int  # not acknowledged (delivered + not yet delivered)
    delivered: int  # of pending: the webhook answered
    overdue: int  # of pending: past due_by
    acknowledged: int
    oldest_overdue: datetime | None  # the earliest due_by that has passed

    def as_dict(self) -> dict[str, Any]:
        return {"call_centre": self.call_centre, "pending": self.pending, "delivered": self.delivered,
                "overdue": self.overdue, "acknowledged": self.acknowledged,
                "oldest_overdue_due_by": self.oldest_overdue.isoformat() if self.oldest_overdue else None}


def overview(session: Session, *, now: datetime) -> list[CentreStatus]:
    """Per call centre with any propagation, by name."""
    def count(status: str) -> Any:
        return func.sum(case((status_clause(status, now), 1), else_=0))

    late = status_clause("overdue", now)
    query = (select(Partner.name, count("pending"), count("delivered"), count("overdue"), count("acknowledged"),
                    func.min(case((late, Propagation.due_by), else_=None)))
             .join(Partner, Partner.id == Propagation.call_centre_id).group_by(Partner.name).order_by(Partner.name))
    return [CentreStatus(name, int(p or 0), int(d or 0), int(o or 0), int(a or 0),
                         from_store(oldest) if oldest is not None else None)
            for name, p, d, o, a, oldest in session.execute(query)]
