"""Contact attempts as call centres report them. `record_attempt` (in `attempts.record`) stores one; a
call centre's outcome file is read, checked whole (a bad row refuses the file, naming every bad row and
field), then recorded in time order with one `outcomes.imported` ledger event. Flushes, never commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.attempts.record import (
    OUTCOMES,
    AttemptSpec,
    Lookups,
    Recorded,
    call_centre_named,
    check_attempt,
    record_attempt,
)
from leadgate.campaigns.models import Campaign
from leadgate.kit.csvrows import Row, RowErrors, read_rows
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import parse_moment
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.people.models import ContactPoint, Person, new_id

__all__ = ["OUTCOMES", "AttemptSpec", "OutcomesImport", "Recorded", "call_centre_named", "check_attempt",
           "import_outcomes", "record_attempt", "record_batch"]


@dataclass(frozen=True)
class OutcomesImport:
    rows: int
    recorded: int
    already_known: int
    persons_created: int
    objections: int
    consents_used: int
    file_sha256: str


def _spec_of(session: Session, row: Row, country: str | None, now: datetime, errors: RowErrors,
             campaigns: set[str]) -> AttemptSpec | None:
    bad = len(errors.problems)
    for column, value in (("call_id", row.get("call_id")), ("contact", row.get("contact", "phone", "email")),
                          ("campaign", row.get("campaign")), ("at", row.get("at")),
                          ("outcome", row.get("outcome"))):
        if not value:
            errors.add(row.number, column, "empty")
    at: datetime | None = None
    if row.get("at"):
        try:
            at = parse_moment(row.get("at"))
        except ValueError as exc:
            errors.add(row.number, "at", str(exc) if "offset" in str(exc) else f"{row.get('at')!r} is not an "
                       "ISO 8601 moment like 2026-11-23T10:15:00+01:00")
    rings: int | None = None
    if row.get("rings"):
        try:
            rings = int(row.get("rings"))
        except ValueError:
            errors.add(row.number, "rings", f"{row.get('rings')!r} is not a whole number")
    if len(errors.problems) > bad or at is None:
        return None
    spec = AttemptSpec(contact=row.get("contact", "phone", "email"),
                       country=(row.get("country") or country or "").upper() or None,
                       campaign_id=row.get("campaign"), at=at, outcome=row.get("outcome").lower(),
                       call_id=row.get("call_id"), rings=rings, channel=row.get("channel").lower() or "phone",
                       kind=row.get("kind").lower() or "consumer")
    try:
        return check_attempt(session, spec, now=now, campaigns=campaigns)
    except InvalidInput as exc:
        errors.add(row.number, exc.field or "row", exc.message)
        return None


def _same_call(one: AttemptSpec, other: AttemptSpec) -> bool:
    """Whether two rows with one call id report the same call (the number may be written differently)."""
    return (replace(one, contact="", country=None) == replace(other, contact="", country=None)
            and people.normalise(one.contact, country=one.country)[:2]
            == people.normalise(other.contact, country=other.country)[:2])


def _specs(session: Session, rows: list[Row], country: str | None, now: datetime, where: str) -> list[AttemptSpec]:
    errors = RowErrors(where)
    seen: dict[str, tuple[int, AttemptSpec]] = {}
    specs: list[AttemptSpec] = []
    campaigns = set(session.scalars(select(Campaign.id)))
    for row in rows:
        spec = _spec_of(session, row, country, now, errors, campaigns)
        if spec is None or spec.call_id is None:
            continue
        first = seen.setdefault(spec.call_id, (row.number, spec))
        if first[1] is not spec and not _same_call(first[1], spec):
            errors.add(row.number, "call_id", f"{spec.call_id!r} is also on row {first[0]} with other data")
        specs.append(spec)
    errors.raise_if_any()
    # In time order, so a connected call consumes exactly the consents given before it.
    return sorted(specs, key=lambda s: s.at)


def _chunks(values: list[str], size: int = 1000) -> list[list[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _lookups(session: Session, call_centre_id: str, specs: list[AttemptSpec]) -> Lookups:
    lookups = Lookups()
    call_ids = sorted({s.call_id for s in specs if s.call_id is not None})
    for chunk in _chunks(call_ids):
        lookups.attempts.update((a.call_id, a) for a in session.scalars(select(ContactAttempt).where(
            ContactAttempt.call_centre_id == call_centre_id, ContactAttempt.call_id.in_(chunk))) if a.call_id)
    values = sorted({people.normalise(s.contact, country=s.country)[1] for s in specs})
    for chunk in _chunks(values):
        lookups.points.update(((p.medium, p.value), p) for p in session.scalars(
            select(ContactPoint).where(ContactPoint.value.in_(chunk))))
    return lookups


def _create_missing(session: Session, lookups: Lookups, specs: list[AttemptSpec], now: datetime) -> int:
    """Create the persons of the numbers not known yet, all at once (an attempt on an unknown number still
    counts for contact pressure). Persons first, then their contact points: no ORM relationship orders
    the two tables within one flush."""
    new: dict[tuple[str, str], tuple[Person, ContactPoint]] = {}
    for spec in specs:
        if spec.call_id in lookups.attempts:
            continue
        medium, value, region, mobile = people.normalise(spec.contact, country=spec.country)
        if (medium, value) in lookups.points or (medium, value) in new:
            continue
        person = Person(id=new_id(), kind=spec.kind, country=spec.country, created_at=now)
        new[(medium, value)] = person, ContactPoint(id=new_id(), person_id=person.id, medium=medium, value=value,
                                                    region=region, mobile=mobile, created_at=now)
    session.add_all(person for person, _ in new.values())
    session.flush()
    session.add_all(point for _, point in new.values())
    session.flush()
    lookups.points.update((key, point) for key, (_, point) in new.items())
    return len(new)


def record_batch(session: Session, *, call_centre_id: str, specs: list[AttemptSpec], now: datetime, actor: str,
                 key: bytes) -> list[Recorded]:
    """Checked attempts of one call centre recorded in the order given, with one read of the call ids and
    numbers already known and the new persons created at once (the API's batches of outcomes)."""
    lookups = _lookups(session, call_centre_id, specs)
    _create_missing(session, lookups, specs, now)
    return [record_attempt(session, call_centre_id=call_centre_id, spec=spec, now=now, actor=actor, key=key,
                           checked=True, lookups=lookups) for spec in specs]


def import_outcomes(session: Session, *, data: bytes, where: str, call_centre: str, country: str | None,
                    now: datetime, actor: str, key: bytes) -> OutcomesImport:
    """A call centre's outcome file, all or nothing; one `outcomes.imported` ledger event."""
    partner = call_centre_named(session, call_centre)
    rows = read_rows(data, where, required=(("call_id",), ("contact", "phone", "email"), ("campaign",), ("at",),
                                            ("outcome",)))
    specs = _specs(session, rows, country, now, where)
    lookups = _lookups(session, partner.id, specs)
    created = _create_missing(session, lookups, specs, now)
    results = [record_attempt(session, call_centre_id=partner.id, spec=spec, now=now, actor=actor, key=key,
                              checked=True, lookups=lookups) for spec in specs]
    summary = OutcomesImport(
        rows=len(rows), recorded=sum(r.new for r in results), already_known=sum(not r.new for r in results),
        persons_created=created,
        objections=sum(r.objection_id is not None for r in results),
        consents_used=sum(r.consents_used for r in results), file_sha256=hashlib.sha256(data).hexdigest())
    ledger.append(session, kind="outcomes.imported", actor=actor, at=now, data={
        "file_sha256": summary.file_sha256, "call_centre": partner.id, "rows": summary.rows,
        "recorded": summary.recorded, "already_known": summary.already_known,
        "persons_created": summary.persons_created, "objections": summary.objections,
        "consents_used": summary.consents_used})
    return summary
