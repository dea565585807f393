"""Recording contact attempts as call centres report them. Flushes, never commits.

An attempt is known by the call centre's own call id: reporting it again adds nothing. An `opt_out`
becomes an objection at once; a `connected` call uses up the single-use consents given before it.
An attempt on a number we do not know still counts for contact pressure, so its person is created.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Campaign, Partner
from leadgate.consent import service as consents
from leadgate.consent.models import Consent
from leadgate.core.facts import CHANNELS, CONTACT_KINDS, Outcome
from leadgate.kit.csvrows import Row, RowErrors, read_rows
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import from_store, parse_moment, to_store
from leadgate.ledger import service as ledger
from leadgate.people import service as people

OUTCOMES: tuple[str, ...] = get_args(Outcome)


@dataclass(frozen=True)
class AttemptSpec:
    contact: str
    country: str | None
    campaign_id: str
    at: datetime
    outcome: str
    call_id: str | None = None
    rings: int | None = None
    channel: str = "phone"
    kind: str = "consumer"  # for a person created by this attempt


@dataclass(frozen=True)
class Recorded:
    attempt: ContactAttempt
    new: bool  # False: the call centre had reported this call before
    person_created: bool = False
    objection_id: str | None = None
    consents_used: int = 0


@dataclass(frozen=True)
class OutcomesImport:
    rows: int
    recorded: int
    already_known: int
    persons_created: int
    objections: int
    consents_used: int
    file_sha256: str


def call_centre_named(session: Session, name: str) -> Partner:
    partner = session.scalars(select(Partner).where(Partner.name == name)).first()
    if partner is None or partner.kind != "call_centre":
        raise InvalidInput(f"{name!r} is not a known call centre; add it with "
                           f"`leadgate partner add {name!r} --kind call_centre`.", field="call_centre")
    return partner


def check_attempt(session: Session, spec: AttemptSpec, *, now: datetime, campaigns: set[str] | None = None
                  ) -> AttemptSpec:
    """The spec, or InvalidInput naming the field. `campaigns`: the known campaign ids, when the caller
    checks many attempts (else each check asks the database)."""
    if spec.outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}, not {spec.outcome!r}.", field="outcome")
    if spec.channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}, not {spec.channel!r}.", field="channel")
    if spec.kind not in CONTACT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(CONTACT_KINDS)}, not {spec.kind!r}.", field="kind")
    if spec.at.tzinfo is None:
        raise InvalidInput("at needs a UTC offset, e.g. 2026-11-23T10:15:00+01:00.", field="at")
    if spec.at > now:
        raise InvalidInput(f"at {spec.at.isoformat()} is in the future.", field="at")
    if spec.rings is not None and not 0 <= spec.rings <= 1000:
        raise InvalidInput(f"rings must be 0 to 1000, not {spec.rings}.", field="rings")
    if spec.call_id is not None and not 0 < len(spec.call_id) <= 100:
        raise InvalidInput("call_id must be 1 to 100 characters.", field="call_id")
    known = spec.campaign_id in campaigns if campaigns is not None else session.get(Campaign, spec.campaign_id)
    if not known:
        raise InvalidInput(f"No campaign {spec.campaign_id!r}; create it with `leadgate campaign create`.",
                           field="campaign")
    medium = people.normalise(spec.contact, country=spec.country)[0]  # raises naming "contact"
    if (medium == "email") != (spec.channel == "email"):
        needs = "an e-mail address" if spec.channel == "email" else "a phone number"
        raise InvalidInput(f"a {spec.channel} attempt needs {needs}, not {spec.contact!r}.", field="channel")
    return spec


def _use_consents(session: Session, *, point_id: str, person_id: str, spec: AttemptSpec, attempt_id: str,
                  actor: str, now: datetime) -> int:
    """A connected call consumes the active single-use consents for its channel given before it."""
    candidates = session.scalars(select(Consent).where(
        Consent.contact_point_id == point_id, Consent.channel == spec.channel, Consent.single_use.is_(True),
        Consent.used_at.is_(None)))
    used = 0
    for consent in candidates:
        withdrawn = consent.withdrawn_at and from_store(consent.withdrawn_at)
        if from_store(consent.given_at) > spec.at or (withdrawn and withdrawn <= spec.at):
            continue
        consent.used_at = to_store(spec.at)
        ledger.append(session, kind="consent.used", actor=actor, at=now, subject=person_id,
                      data={"consent": consent.id, "attempt": attempt_id, "used_at": spec.at.isoformat()})
        used += 1
    session.flush()
    return used


def record_attempt(session: Session, *, call_centre_id: str | None, spec: AttemptSpec, now: datetime,
                   actor: str, key: bytes, checked: bool = False) -> Recorded:
    """Store one attempt (or find it, when the call centre reported this call id before) and act on its
    outcome. `key` is the suppression key an opt-out needs; `checked` skips `check_attempt` (done already)."""
    if not checked:
        check_attempt(session, spec, now=now)
    if spec.call_id is not None:
        known = session.scalars(select(ContactAttempt).where(ContactAttempt.call_centre_id == call_centre_id,
                                                             ContactAttempt.call_id == spec.call_id)).first()
        if known is not None:
            return Recorded(known, new=False)
    found = people.find_contact(session, spec.contact, country=spec.country)
    point = found or people.find_or_create_contact(session, spec.contact, country=spec.country, kind=spec.kind,
                                                   now=now)
    attempt = ContactAttempt(person_id=point.person_id, contact_point_id=point.id, campaign_id=spec.campaign_id,
                             call_centre_id=call_centre_id, call_id=spec.call_id, channel=spec.channel,
                             at=to_store(spec.at), outcome=spec.outcome, rings=spec.rings, recorded_at=now)
    session.add(attempt)
    session.flush()
    objection_id, used = None, 0
    if spec.outcome == "opt_out":
        objection_id = consents.record_objection(
            session, contact=spec.contact, country=spec.country, channel=spec.channel, at=to_store(spec.at),
            via="call_centre", actor=actor, key=key).id
    elif spec.outcome == "connected":
        used = _use_consents(session, point_id=point.id, person_id=point.person_id, spec=spec,
                             attempt_id=attempt.id, actor=actor, now=now)
    return Recorded(attempt, new=True, person_created=found is None, objection_id=objection_id,
                    consents_used=used)


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


def import_outcomes(session: Session, *, data: bytes, where: str, call_centre: str, country: str | None,
                    now: datetime, actor: str, key: bytes) -> OutcomesImport:
    """A call centre's outcome file, all or nothing; one `outcomes.imported` ledger event."""
    partner = call_centre_named(session, call_centre)
    rows = read_rows(data, where, required=(("call_id",), ("contact", "phone", "email"), ("campaign",), ("at",),
                                            ("outcome",)))
    results = [record_attempt(session, call_centre_id=partner.id, spec=spec, now=now, actor=actor, key=key,
                              checked=True) for spec in _specs(session, rows, country, now, where)]
    summary = OutcomesImport(
        rows=len(rows), recorded=sum(r.new for r in results), already_known=sum(not r.new for r in results),
        persons_created=sum(r.person_created for r in results),
        objections=sum(r.objection_id is not None for r in results),
        consents_used=sum(r.consents_used for r in results), file_sha256=hashlib.sha256(data).hexdigest())
    ledger.append(session, kind="outcomes.imported", actor=actor, at=now, data={
        "file_sha256": summary.file_sha256, "call_centre": partner.id, "rows": summary.rows,
        "recorded": summary.recorded, "already_known": summary.already_known,
        "persons_created": summary.persons_created, "objections": summary.objections,
        "consents_used": summary.consents_used})
    return summary
