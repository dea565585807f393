"""Deciding about a stored contact: the facts assembled from the store, the pure core's decision, and on
request the decision recorded as evidence. Flushes, never commits.

Fail closed: a contact we know nothing about still gets a decision (facts without consents, so the core
says why not); only an unknown campaign is an error, since there is nothing to decide against.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Campaign, Partner
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.consent.service import suppression_digest
from leadgate.core import facts as f
from leadgate.core.decision import Decision
from leadgate.core.engine import decide
from leadgate.decisions import pgfacts
from leadgate.decisions.models import DecisionRecord
from leadgate.intake.models import DataSource, Lead
from leadgate.kit.errors import InvalidInput, NotFound
from leadgate.kit.moments import from_store, to_store
from leadgate.kit.sqljson import json_field, json_rows
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.people.models import ContactPoint, CustomerRelationship, Person, new_id
from leadgate.registers.lookup import register_checks
from leadgate.rules.model import Rulebooks


@dataclass(frozen=True)
class StoredDecision:
    facts: f.Facts
    decision: Decision
    person_id: str | None
    contact_point_id: str | None
    record_id: str | None = None  # set when recorded
    recorded: ledger.Queued | None = None  # the decision.recorded event, when recorded

    @property
    def ledger_seq(self) -> int | None:
        return None if self.recorded is None else self.recorded.seq


def _customer(session: Session, person_id: str, day: date) -> f.Customer | None:
    """The most relevant relationship on `day`: an ongoing paid one, else the paid one that ended last,
    else an unpaid one. A relationship that starts after `day` did not exist yet."""
    relations = [r for r in session.scalars(select(CustomerRelationship).where(
        CustomerRelationship.person_id == person_id)) if r.started_on is None or r.started_on <= day]
    # An ongoing relationship ends after `day` (or never), an ended one before it: the latest end (never
    # ending last of all) is the ongoing one if there is one, else the one that ended last.
    best = max([r for r in relations if r.paid] or relations, key=lambda r: r.ended_on or date.max, default=None)
    return None if best is None else f.Customer(paid=best.paid, relationship_ended=best.ended_on)


def _consent(c: Consent) -> f.Consent:
    return f.Consent(channel=c.channel, purpose=c.purpose, given_at=from_store(c.given_at), text=c.text,
                     source=c.source_code, single_use=c.single_use, used_at=_maybe(c.used_at),
                     withdrawn_at=_maybe(c.withdrawn_at), own_initiative=c.own_initiative,
                     automated_calls=c.automated_calls)


def _maybe(moment: datetime | None) -> datetime | None:
    return None if moment is None else from_store(moment)


def _objections(session: Session, person_id: str | None, digest: str) -> tuple[f.Objection, ...]:
    # The suppression list holds the contact point's objections even after its person was erased. One
    # round trip for both: this is on the pre-dial path.
    suppressed = select(Suppression.channel, Suppression.at).where(Suppression.digest == digest)
    found: list[Any] = list(session.execute(suppressed if person_id is None else suppressed.union_all(
        select(Objection.channel, Objection.at).where(Objection.person_id == person_id))).all())
    unique = sorted({(channel, from_store(at)) for channel, at in found}, key=lambda o: (o[1], o[0]))
    return tuple(f.Objection(channel=channel, at=at) for channel, at in unique)


def _attempts(session: Session, point_id: str) -> tuple[f.Attempt, ...]:
    rows = session.execute(select(ContactAttempt, Partner.name)
                           .outerjoin(Partner, ContactAttempt.call_centre_id == Partner.id)
                           .where(ContactAttempt.contact_point_id == point_id).order_by(ContactAttempt.at))
    return tuple(f.Attempt(at=from_store(a.at), outcome=a.outcome, campaign=a.campaign_id,
                           call_centre=name, rings=a.rings) for a, name in rows.all())


def _source(session: Session, person_id: str) -> f.Source | None:
    source = session.scalars(select(DataSource).join(Lead, Lead.data_source_id == DataSource.id)
                             .where(Lead.person_id == person_id)
                             .order_by(Lead.received_at.desc(), Lead.id.desc())).first()
    if source is None:
        return None
    return f.Source(kind=source.kind, purpose_compatible=source.purpose_compatible,
                    disabled=source.disabled)


def campaign_facts(session: Session, campaign_id: str) -> f.Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise pgfacts.unknown_campaign(campaign_id)
    return f.Campaign(id=campaign.id, lawful_basis=campaign.lawful_basis,
                      lia_approved_at=campaign.lia_approved_on, automated_dialer=campaign.automated_dialer,
                      caller_id=campaign.caller_id, relevant_to_role=campaign.relevant_to_role,
                      sector=campaign.sector)


def _country(person: Person | None, region: str | None, given: str | None) -> str | None:
    # A phone number's region is an ISO 3166 code (RE for La Réunion), which the rulebooks' territories
    # know; "001" (non-geographic numbers) is no country.
    region = region if region and region.isalpha() else None
    return (person.country if person is not None else None) or region or given


def facts_for(session: Session, *, contact: str, country: str | None, campaign_id: str, channel: str, at: datetime,
              key: bytes, kind: str | None = None) -> f.Facts:
    """The facts of the decision contract for this contact, campaign, channel and moment, from the store.
    `kind` is the contact kind when the store does not know the person (a lead file may say "business")."""
    return _assemble(session, contact=contact, country=country, campaign_id=campaign_id, channel=channel, at=at,
                     key=key, kind=kind)[0]


def _assemble(session: Session, *, contact: str, country: str | None, campaign_id: str, channel: str, at: datetime,
              key: bytes, kind: str | None = None) -> tuple[f.Facts, ContactPoint | pgfacts.StoredPoint | None]:
    """The facts and the stored contact point (None when unknown)."""
    if channel not in f.CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(f.CHANNELS)}, not {channel!r}.", field="channel")
    if at.tzinfo is None:
        raise InvalidInput("at needs a UTC offset, e.g. 2026-11-23T10:15:00+01:00.", field="at")
    if pgfacts.applies(session):  # the pre-dial hot path: one statement instead of a query per part
        try:
            medium, value, region, _ = people.normalise(contact, country=country)
        except InvalidInput:
            campaign_facts(session, campaign_id)  # an unknown campaign is the first error, as below
            raise
        return pgfacts.assemble(session, medium=medium, value=value, region=region, country=country,
                                digest=suppression_digest(key, f"{medium}:{value}"), campaign_id=campaign_id,
                                channel=channel, at=at, kind=kind)
    campaign = campaign_facts(session, campaign_id)
    medium, value, region, _ = people.normalise(contact, country=country)
    digest = suppression_digest(key, f"{medium}:{value}")
    # By the normalised value (people.find_contact would parse the number a second time), with its person
    # in the same round trip.
    row = session.execute(select(ContactPoint, Person).join(Person, Person.id == ContactPoint.person_id)
                          .where(ContactPoint.medium == medium, ContactPoint.value == value)).first()
    point, person = (row[0], row[1]) if row is not None else (None, None)
    person_id = person.id if person is not None else None
    contact_facts = f.Contact(
        kind=person.kind if person is not None else kind or "consumer",
        phone=value if medium == "phone" else None, email=value if medium == "email" else None,
        country=_country(person, point.region if point else region, country),
        job_title=person.job_title if person is not None else None)
    stored_consents = [] if point is None else list(session.scalars(
        select(Consent).where(Consent.contact_point_id == point.id).order_by(Consent.given_at, Consent.id)))
    facts = f.Facts(
        id=point.id if point is not None else "unknown-contact", at=at, channel=channel,
        contact=contact_facts,
        customer=_customer(session, person_id, at.date()) if person_id else None,
        consents=tuple(_consent(c) for c in stored_consents),
        objections=_objections(session, person_id, digest),
        # What the do-not-call registers said as of `at` (none imported: the core says "not checked").
        registers=register_checks(session, number=int(value[1:]), at=at)
        if medium == "phone" and channel == "phone" else (),
        attempts=_attempts(session, point.id) if point is not None else (),
        campaign=campaign,
        source=_source(session, person_id) if person_id else None,
    )
    return facts, point


def decide_stored(session: Session, *, contact: str, country: str | None, campaign_id: str, channel: str,
                  at: datetime, key: bytes, books: Rulebooks, record: bool, now: datetime, actor: str,
                  kind: str | None = None, call_centre_id: str | None = None) -> StoredDecision:
    """Assemble, decide and (with `record`) keep the decision as evidence. `kind`: the contact kind when
    the store does not know the person; `call_centre_id`: the call centre that asked (recorded with it)."""
    facts, point = _assemble(session, contact=contact, country=country, campaign_id=campaign_id, channel=channel,
                             at=at, key=key, kind=kind)
    decision = decide(facts, books)
    result = StoredDecision(facts, decision, point.person_id if point else None, point.id if point else None)
    if not record:
        return result
    return record_decision(session, result=result, now=now, actor=actor, call_centre_id=call_centre_id)


def record_decision(session: Session, *, result: StoredDecision, now: datetime, actor: str,
                    call_centre_id: str | None = None) -> StoredDecision:
    """Keep the facts (erasable, personal data) beside a ledger event with their hash and the decision.
    `call_centre_id`: the call centre that asked (a pre-dial check); a later opt-out of this person is
    propagated to it."""
    record_id, data, values = record_parts(result, call_centre_id=call_centre_id)
    # The pre-dial check's hot path: on PostgreSQL the record goes in right after the event, in the same
    # round trip, while the chain's lock is held (every other check waits for it).
    event = ledger.append_queued(session, kind="decision.recorded", actor=actor, at=now, subject=result.person_id,
                                 data=data, then=(PG_RECORD, values),
                                 orm_then=lambda seq: DecisionRecord(**values, ledger_seq=seq))
    return StoredDecision(result.facts, result.decision, result.person_id, result.contact_point_id, record_id,
                          event)


_RECORD_COLUMNS = [c.name for c in DecisionRecord.__table__.columns if c.name != "ledger_seq"]
_PG_TYPES = {c.name: c.type.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
             for c in DecisionRecord.__table__.columns}
# PostgreSQL, for decisions.recorder: events and their records in one statement, given as one JSON batch
# (pg_record_many_params); the rows are the events' seqs in input order. Text columns are read as text, so
# a value too long for its column fails the insert instead of being cut to size by a cast.
_JSON_TYPES = {name: "text" if type_.startswith("VARCHAR") else type_ for name, type_ in _PG_TYPES.items()}
_RECORD_FROM_JSON = ", ".join(json_field("b.v", len(ledger.EVENT_FIELDS) + i, _JSON_TYPES[name])
                              for i, name in enumerate(_RECORD_COLUMNS))
PG_RECORD_MANY = (
    "WITH b AS MATERIALIZED (SELECT ord, v FROM jsonb_array_elements(%(batch)s::jsonb) WITH ORDINALITY AS u(v, ord)), "
    f"ev AS ({ledger.pg_append_many('b')}), "
    f"rec AS (INSERT INTO decision_records ({', '.join(_RECORD_COLUMNS)}, ledger_seq) "
    f"SELECT {_RECORD_FROM_JSON}, "
    "ev.seq FROM b JOIN ev ON ev.ord = b.ord) "
    "SELECT seq FROM ev ORDER BY ord")


def pg_record_many_params(batch: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, str]:
    """PG_RECORD_MANY's parameter for (event of ledger.event_fields, record values of `record_parts`) pairs."""
    return {"batch": json_rows([*ledger.event_values(event), *(values[name] for name in _RECORD_COLUMNS)]
                               for event, values in batch)}


PG_RECORD = (f"INSERT INTO decision_records ({', '.join(_RECORD_COLUMNS)}, ledger_seq) "
             f"VALUES ({', '.join(f'%({name})s' for name in _RECORD_COLUMNS)}, {ledger.PG_APPENDED_SEQ})")


def record_parts(result: StoredDecision, *, call_centre_id: str | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The record's id, its ledger event's data and the decision_records row (without ledger_seq): what
    record_decision stores, and the API's hot path (api.hot) on its own connection."""
    facts_json = ledger.canonical(result.facts.model_dump(mode="json"))
    facts_sha256 = hashlib.sha256(facts_json.encode("utf-8")).hexdigest()
    decision = result.decision.as_dict()
    record_id = new_id()
    data = {"decision_record": record_id, "contact_point": result.contact_point_id,
            "campaign": result.facts.campaign.id, "channel": result.facts.channel,
            "at": result.facts.at.isoformat(), "facts_sha256": facts_sha256, "allowed": decision["allowed"],
            "rulebook": decision["rulebook"], "reasons": [r["code"] for r in decision["reasons"]]}
    if call_centre_id is not None:  # only then: the events of decisions taken without one stay as they were
        data["call_centre"] = call_centre_id
    values = {"id": record_id, "person_id": result.person_id, "contact_point_id": result.contact_point_id,
              "campaign_id": result.facts.campaign.id, "channel": result.facts.channel,
              "at": to_store(result.facts.at), "allowed": decision["allowed"], "facts": facts_json,
              "facts_sha256": facts_sha256, "decision": ledger.canonical(decision), "call_centre_id": call_centre_id}
    return record_id, data, values


def person_contact(session: Session, *, person_id: str, channel: str) -> ContactPoint:
    """The one contact point of a stored person for a channel (e-mail: an address; phone and SMS: a number,
    for SMS a mobile one when there is one). NotFound naming `person_id` when there is none; InvalidInput
    naming `contact` when there are several (the caller must say which)."""
    medium = "email" if channel == "email" else "phone"
    points = list(session.scalars(select(ContactPoint).where(ContactPoint.person_id == person_id,
                                                             ContactPoint.medium == medium)))
    if channel == "sms":
        points = [p for p in points if p.mobile] or points
    if not points:
        if session.get(Person, person_id) is None:
            raise NotFound(f"No person {person_id!r}.", field="person_id")
        what = "e-mail address" if medium == "email" else "phone number"
        raise NotFound(f"Person {person_id!r} has no {what} on record; give the contact instead.", field="person_id")
    if len(points) > 1:
        raise InvalidInput(f"Person {person_id!r} has {len(points)} contact points for {channel}; give the contact "
                           "to check instead of the person id.", field="contact")
    return points[0]
