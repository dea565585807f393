"""Recording consents, withdrawals and objections, each with its ledger event. A withdrawal or objection
also queues, in the same transaction, its propagation to every call centre that holds the person's number
(propagation.service). Flushes, never commits."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.consent.buckets import EMAIL_BUCKET, e164_digits, phone_bucket
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.core.facts import CHANNELS, CONTACT_KINDS
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import from_store, to_store
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.propagation import service as propagation

OBJECTION_CHANNELS = (*CHANNELS, "all")


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} needs a UTC offset, e.g. 2026-11-23T10:15:00+01:00.", field=field)
    return moment


def suppression_digest(key: bytes, value: str) -> str:
    if len(key) < 16:
        raise InvalidInput("The suppression key must be at least 16 bytes: set LEADGATE_SUPPRESSION_KEY "
                           "to a long random secret.", field="suppression_key")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def give_consent(session: Session, *, contact: str, country: str | None, kind: str, channel: str, text: str,
                 source_code: str, given_at: datetime, now: datetime, actor: str, purpose: str | None = None,
                 text_version: str | None = None, collection_method: str = "import", ip_address: str | None = None,
                 user_agent: str | None = None, single_use: bool = False, own_initiative: bool = False,
                 automated_calls: bool = False) -> Consent:
    """Store a consent as proof: the exact text, time, source and method. Refuses what proves nothing."""
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}.", field="channel")
    if kind not in CONTACT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(CONTACT_KINDS)}, not {kind!r}.", field="kind")
    if not text.strip():
        raise InvalidInput("A consent without the text shown to the person proves nothing.", field="text")
    if not source_code.strip():
        raise InvalidInput("A consent needs the source code of where it was given.", field="source")
    if _aware(given_at, "given_at") > _aware(now, "now"):
        raise InvalidInput(f"given_at {given_at.isoformat()} is in the future.", field="given_at")
    point = people.find_or_create_contact(session, contact, country=country, kind=kind, now=now)
    consent = Consent(
        person_id=point.person_id, contact_point_id=point.id, channel=channel, purpose=purpose, text=text,
        text_version=text_version, text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        given_at=to_store(given_at), source_code=source_code.strip(), collection_method=collection_method,
        ip_address=ip_address, user_agent=user_agent, single_use=single_use, own_initiative=own_initiative,
        automated_calls=automated_calls,
    )
    session.add(consent)
    session.flush()
    ledger.append(session, kind="consent.given", actor=actor, at=now, subject=point.person_id, data={
        "consent": consent.id, "person": point.person_id, "contact_point": point.id, "channel": channel,
        "given_at": given_at.isoformat(), "source": consent.source_code, "text_sha256": consent.text_sha256,
        "text_version": text_version, "method": collection_method, "own_initiative": own_initiative,
        "single_use": single_use,
    })
    return consent


def withdraw_consents(session: Session, *, contact: str, country: str | None, channel: str, at: datetime,
                      via: str, actor: str, now: datetime | None = None) -> list[Consent]:
    """Withdraw every active consent of this contact point for the channel; the ledger records each. Call
    centres that hold the number hear of it (they must stop relying on the consent): queued as of `now`."""
    point = people.find_contact(session, contact, country=country)
    if point is None:
        raise InvalidInput(f"No consent is recorded for {contact!r}.", field="contact")
    active = list(session.scalars(select(Consent).where(
        Consent.contact_point_id == point.id, Consent.channel == channel, Consent.withdrawn_at.is_(None))))
    first_seq = None
    for consent in active:
        consent.withdrawn_at, consent.withdrawn_via = to_store(_aware(at, "at")), via
        event = ledger.append(session, kind="consent.withdrawn", actor=actor, at=at, subject=consent.person_id,
                              data={"consent": consent.id, "channel": channel, "via": via})
        first_seq = first_seq or event.seq
    session.flush()
    if first_seq is not None and point.medium == "phone":
        propagation.enqueue(session, cause="withdrawal", cause_seq=first_seq, channel=channel, effective_at=at,
                            numbers={e164_digits(point.value)}, now=now or datetime.now(UTC),
                            actor=actor, subject=point.person_id)
    return active


def record_objection(session: Session, *, contact: str, country: str | None, channel: str, at: datetime,
                     via: str, actor: str, key: bytes, now: datetime | None = None) -> Objection:
    """An objection takes effect at once: stored, suppressed by keyed hash, and in the ledger; queued (as of
    `now`) for every call centre that holds this number or, for a phone, SMS or 'all' objection of a known
    person, any of the person's numbers (an e-mail with channel 'all' reaches the call centres too)."""
    if channel not in OBJECTION_CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(OBJECTION_CHANNELS)}, not {channel!r}.",
                           field="channel")
    medium, value, _, _ = people.normalise(contact, country=country)
    digest = suppression_digest(key, f"{medium}:{value}")
    point = people.find_contact(session, contact, country=country)
    objection = Objection(person_id=point.person_id if point else None, channel=channel,
                          at=to_store(_aware(at, "at")), received_via=via)
    session.add(objection)
    known = session.scalars(select(Suppression).where(Suppression.digest == digest,
                                                      Suppression.channel == channel)).first()
    bucket = phone_bucket(key, value) if medium == "phone" else EMAIL_BUCKET
    if known is None:
        session.add(Suppression(digest=digest, channel=channel, at=to_store(at), bucket=bucket))
    else:
        if from_store(known.at) > at:
            # Reported late (a call centre's file): once erased, the suppression is all that dates the objection.
            known.at = to_store(at)
        # A row from before the prefilter: now that the number is at hand, bulk screening can skip hashing it.
        if known.bucket is None:
            known.bucket = bucket
    session.flush()
    event = ledger.append(session, kind="objection", actor=actor, at=at, subject=objection.person_id, data={
        "objection": objection.id, "person": objection.person_id, "suppression": digest, "channel": channel,
        "via": via})
    numbers = propagation.person_numbers(session, objection.person_id)
    if medium == "phone":
        numbers.add(e164_digits(value))
    propagation.enqueue(session, cause="objection", cause_seq=event.seq, channel=channel, effective_at=at,
                        numbers=numbers, now=now or datetime.now(UTC), actor=actor, subject=objection.person_id)
    return objection


def suppressed_channels(session: Session, *, contact: str, country: str | None, key: bytes) -> set[str]:
    """The channels on which this contact point objected, even if its person was erased since."""
    medium, value, _, _ = people.normalise(contact, country=country)
    digest = suppression_digest(key, f"{medium}:{value}")
    return set(session.scalars(select(Suppression.channel).where(Suppression.digest == digest)))
