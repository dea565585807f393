"""Assembling the evidence pack of one contact point from the store. Reads only; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

import leadgate
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.consent.service import suppression_digest
from leadgate.evidence import exports, propagations, timeline
from leadgate.evidence import registers as register_section
from leadgate.evidence.ledgerview import Entry, Events, utc
from leadgate.kit.errors import LeadgateError
from leadgate.ledger import service as ledger
from leadgate.ledger.models import LedgerEvent
from leadgate.people import service as people
from leadgate.people.models import ContactPoint, Person
from leadgate.rules.loader import load

NO_KEY = "suppression list not checked: LEADGATE_SUPPRESSION_KEY not set"
# Ledger kinds about a person whose stored record the pack must find; an event of these kinds without
# its record means the record was removed or changed.
PERSON_KINDS = ("consent.given", "consent.withdrawn", "consent.used", "consent.confirmed", "objection",
                "customer.recorded", "decision.recorded", "propagation.queued")


class UnknownContact(LeadgateError):
    status_code = 404
    code = "unknown_contact"


@dataclass(frozen=True)
class Pack:
    medium: str  # phone | email
    value: str  # E.164 or normalised address: for the JSON pack only
    masked: str
    region: str | None
    jurisdiction: str | None
    person: dict[str, Any] | None  # None when the person was erased
    generated_at: datetime
    version: str
    chain: ledger.Verification
    suppression: str  # the suppression status of this contact point's keyed hash, in words
    summary: tuple[str, ...]
    registers: register_section.Registers
    entries: tuple[Entry, ...]

    @property
    def erased(self) -> bool:
        return self.person is None

    @property
    def propagations(self) -> tuple[Entry, ...]:
        """The opt-out propagations (one per call centre told), in the order queued."""
        return tuple(e for e in self.entries if e.what.startswith(propagations.WHAT))

    @property
    def problems(self) -> tuple[str, ...]:
        chain = () if self.chain.intact else (f"LEDGER CHAIN BROKEN: {self.chain.problem}",)
        return chain + tuple(f"{e.at:%Y-%m-%d %H:%M} {e.what}: {p}" for e in self.entries for p in e.problems) + \
            tuple(f"register {r.register}: {p}" for r in self.registers.lines for p in r.problems)


def mask(medium: str, value: str) -> str:
    """+31 6 •••• 78 / j•••@v•••.nl: enough to recognise the contact point, not to use it."""
    if medium == "phone":
        number = phonenumbers.parse(value)
        national = str(number.national_number)
        return f"+{number.country_code} {national[0]} •••• {national[-2:]}"
    local, _, domain = value.rpartition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}•••@{host[:1]}•••.{tld}"


def build_pack(session: Session, *, contact: str, country: str | None, key: bytes | None,
               now: datetime | None = None) -> Pack:
    """Everything the store holds about one contact point, in time order, checked against the ledger."""
    medium, value, region, _ = people.normalise(contact, country=country)
    point = session.scalars(select(ContactPoint).where(ContactPoint.medium == medium,
                                                       ContactPoint.value == value)).first()
    digest = suppression_digest(key, f"{medium}:{value}") if key is not None else None
    suppressed = set(session.scalars(select(Suppression.channel).where(Suppression.digest == digest))) \
        if digest is not None else None
    masked = mask(medium, value)
    if point is None and not suppressed:
        checked = "" if digest is not None else f" ({NO_KEY})"
        raise UnknownContact(f"leadgate holds nothing about {masked}: no contact point and no objection on the "
                             f"suppression list{checked}.", field="contact")
    chain = ledger.verify(session)
    moment = now or datetime.now(UTC)
    person = session.get(Person, point.person_id) if point is not None else None
    events = Events(session.scalars(select(LedgerEvent).where(LedgerEvent.subject == person.id)
                                    .order_by(LedgerEvent.seq)) if person else (), chain.seq)
    if digest is not None:  # objections that outlived their person are found by the keyed hash
        for event in session.scalars(select(LedgerEvent).where(LedgerEvent.kind == "objection",
                                                               LedgerEvent.body.contains(digest))):
            events.add(event)
    objection_ids = {data["objection"] for seq, data in events.data.items()
                     if events.by_seq[seq].kind == "objection" and isinstance(data.get("objection"), str)}
    where = Objection.id.in_(objection_ids)
    objections = list(session.scalars(select(Objection).where(
        where | (Objection.person_id == person.id) if person else where)))
    entries = timeline.objections(session, objections, events, digest)
    # Whether the call centres were told outlives the person: an erased person's objections still name them.
    told = [person.id] if person is not None else sorted({e.subject for e in events.by_seq.values()
                                                          if e.kind == "objection" and e.subject})
    for subject in told:
        entries += propagations.propagations(session, subject, events, now=moment, mask=mask)
    if person is not None and point is not None:
        point_consents = list(session.scalars(select(Consent).where(Consent.contact_point_id == point.id)))
        entries += timeline.consents(session, point_consents, events)
        entries += timeline.leads(session, person.id, events)
        entries += timeline.customers(session, person.id, events)
        entries += timeline.attempts(session, person.id, point.id, events)
        entries += timeline.decisions(session, person.id, point.id, events)
        entries += _unmatched(session, events, point.id)
    if medium == "phone":
        entries += exports.exports(session, int(value.lstrip("+")), events)
    entries.sort(key=lambda e: (e.at, e.ledger.seq if e.ledger else 0, _rank(e.what)))
    if suppressed is None:
        suppression = NO_KEY
    elif suppressed:
        suppression = f"on the suppression list for {', '.join(sorted(suppressed))}"
    else:
        suppression = "not on the suppression list"
    book = load(None).for_region(region) if region else None
    registers = register_section.phone(session, number=int(value.lstrip("+")), book=book, region=region, at=moment,
                                       events=events) if medium == "phone" else register_section.email(moment)
    return Pack(
        medium=medium, value=value, masked=masked, region=region, jurisdiction=book.jurisdiction if book else None,
        person=_person(person) if person else None, generated_at=moment,
        version=leadgate.__version__, chain=chain, suppression=suppression,
        summary=_summary(medium, entries, suppression, person is None, registers), registers=registers,
        entries=tuple(entries))


# At the same moment and ledger event, the cause comes before its effect (a call before the consent it used).
_ORDER = ("lead", "customer", "consent given", "decision", "exported", "contact attempt", "consent used", "objection",
          "consent withdrawn", propagations.WHAT)


def _rank(what: str) -> int:
    return next((i for i, prefix in enumerate(_ORDER) if what.startswith(prefix)), len(_ORDER))


def _person(person: Person) -> dict[str, Any]:
    return {"id": person.id, "kind": person.kind, "country": person.country, "name": person.name,
            "organisation_name": person.organisation_name, "organisation_id_kind": person.organisation_id_kind,
            "organisation_id": person.organisation_id, "job_title": person.job_title}


def _unmatched(session: Session, events: Events, point_id: str) -> list[Entry]:
    """The person's ledger events no stored record claimed: for proof kinds, a record went missing."""
    out: list[Entry] = []
    for seq, event in sorted(events.by_seq.items()):
        if seq in events.used:
            continue
        data = events.data[seq]
        problems: list[str] = []
        if event.kind.startswith("consent.") and isinstance(data.get("consent"), str):
            consent = session.get(Consent, data["consent"])
            if consent is not None and consent.contact_point_id != point_id:
                continue  # about the person's other number or address: not this pack's business
        if event.kind in PERSON_KINDS:
            problems.append(f"ledger event {seq} ({event.kind}) has no matching stored record: the record "
                            "was removed or changed")
        ref = events.ref(event, problems)
        ids = {k: v for k, v in data.items() if isinstance(v, str | bool | int) or v is None}
        out.append(Entry(utc(event.at), f"ledger event {event.kind}", ids, ref, (), tuple(problems)))
    return out


def _summary(medium: str, entries: list[Entry], suppression: str, erased: bool,
             registers: register_section.Registers) -> tuple[str, ...]:
    lines: list[str] = []
    if erased:
        lines.append("person: erased from the store; the objection stands (kept as a keyed hash)")
    channels = ("phone", "sms") if medium == "phone" else ("email",)
    given = [e for e in entries if e.what.startswith("consent given")]
    for channel in channels:
        mine = [e.details for e in given if e.details["channel"] == channel]
        if not mine:
            lines.append(f"consent on record for {channel}: no")
            continue
        last = mine[-1]
        state = (f"withdrawn {last['withdrawn_at']:%Y-%m-%d %H:%M} UTC via {last['withdrawn_via']}"
                 if last["withdrawn_at"] else "used (single use)" if last["used_at"] else "active")
        more = f" ({len(mine)} consents; latest shown)" if len(mine) > 1 else ""
        lines.append(f"consent on record for {channel}: yes, given {last['given_at']:%Y-%m-%d %H:%M} UTC via "
                     f"source {last['source_code']} ({last['method']}), {state}{more}")
    objected = [e.details for e in entries if e.what.startswith("objection")]
    lines.append("objection: " + ("; ".join(f"{o['channel']} via {o['via']}" for o in objected)
                                  if objected else "none recorded") + f"; {suppression}")
    customer = [e.details for e in entries if e.what == "customer relationship"]
    lines.append("customer relationship: " + ("; ".join(
        f"{'paid' if c['paid'] else 'not paid'}, from {c['started_on'] or '?'} to {c['ended_on'] or 'now'}"
        for c in customer) if customer else "none recorded"))
    lines.append(_told(entries))
    counts = {w: sum(e.what.startswith(w) for e in entries) for w in ("contact attempt", "decision recorded",
                                                                       "exported")}
    asked = sorted({e.details["call_centre"] for e in entries
                    if e.what.startswith("decision recorded") and e.details.get("call_centre")})
    lines.append(f"contact attempts: {counts['contact attempt']}; recorded decisions: {counts['decision recorded']}"
                 + (f" (pre-dial checks asked by {', '.join(asked)})" if asked else "")
                 + (f"; exported in call lists: {counts['exported']}" if medium == "phone" else ""))
    lines.append(f"register checks: {registers.short}")
    return tuple(lines)


def _told(entries: list[Entry]) -> str:
    """Whether every call centre holding the number heard of the opt-out, in one line."""
    told = [e.details for e in entries if e.what.startswith(propagations.WHAT)]
    if not told:
        return "opt-out propagated to call centres: none queued"
    done = sum(d.get("acknowledged_at") is not None for d in told)
    late = [str(d["call_centre"]) for d in told if d.get("overdue")]
    waiting = len(told) - done - len(late)
    return (f"opt-out propagated to call centres: {len(told)} ({done} acknowledged"
            + (f", {waiting} awaiting acknowledgement" if waiting else "")
            + (f", {len(late)} OVERDUE: {', '.join(sorted(set(late)))}" if late else "") + ")")
