"""Recording one contact attempt as a call centre (or later a dialer over HTTP) reports it; a whole file
goes through `attempts.service.import_outcomes`. Flushes, never commits.

An attempt is known by the call centre's own call id: reporting it again adds nothing. An `opt_out`
becomes an objection at once; a `connected` call uses up the single-use consents given before it.
An attempt on a number we do not know still counts for contact pressure, so its person is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Campaign, Partner
from leadgate.campaigns.service import partner_named
from leadgate.consent import service as consents
from leadgate.consent.models import Consent
from leadgate.core.facts import CHANNELS, CONTACT_KINDS, Outcome
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import from_store, to_store
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.people.models import ContactPoint, new_id

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


@dataclass
class Lookups:
    """What a file import read up front (a query per row is the cost on PostgreSQL): the call centre's
    attempts by call id and the contact points by (medium, value). `record_attempt` keeps them current."""

    attempts: dict[str, ContactAttempt] = field(default_factory=dict)
    points: dict[tuple[str, str], ContactPoint] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    attempt: ContactAttempt
    new: bool  # False: the call centre had reported this call before
    person_created: bool = False
    objection_id: str | None = None
    consents_used: int = 0


def call_centre_named(session: Session, name: str) -> Partner:
    return partner_named(session, name, kind="call_centre", field="call_centre")


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
    return used


def record_attempt(session: Session, *, call_centre_id: str | None, spec: AttemptSpec, now: datetime,
                   actor: str, key: bytes, checked: bool = False, lookups: Lookups | None = None) -> Recorded:
    """Store one attempt (or find it, when the call centre reported this call id before) and act on its
    outcome. `key` is the suppression key an opt-out needs; `checked` skips `check_attempt` (done already);
    `lookups` replaces the look-ups of a single attempt when a file's worth was read at once."""
    if not checked:
        check_attempt(session, spec, now=now)
    if spec.call_id is not None:
        known = lookups.attempts.get(spec.call_id) if lookups is not None else session.scalars(
            select(ContactAttempt).where(ContactAttempt.call_centre_id == call_centre_id,
                                         ContactAttempt.call_id == spec.call_id)).first()
        if known is not None:
            return Recorded(known, new=False)
    medium, value, _, _ = people.normalise(spec.contact, country=spec.country)
    found = people.find_contact(session, spec.contact, country=spec.country) if lookups is None \
        else lookups.points.get((medium, value))
    point = found or people.find_or_create_contact(session, spec.contact, country=spec.country, kind=spec.kind,
                                                   now=now)
    attempt = ContactAttempt(id=new_id(), person_id=point.person_id, contact_point_id=point.id,
                             campaign_id=spec.campaign_id, call_centre_id=call_centre_id, call_id=spec.call_id,
                             channel=spec.channel, at=to_store(spec.at), outcome=spec.outcome, rings=spec.rings,
                             recorded_at=now)
    session.add(attempt)
    if lookups is None:
        session.flush()
    elif spec.call_id is not None:
        lookups.attempts[spec.call_id] = attempt
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
