"""The timeline entries of an evidence pack, one builder per kind of record, each tied to its ledger event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Partner
from leadgate.consent.digest import batch_digest
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.decisions.models import DecisionRecord
from leadgate.evidence.confirmations import confirmation
from leadgate.evidence.ledgerview import Entry, Events, LedgerRef, day, recorded_moment, sha256, utc
from leadgate.intake.models import DataSource, Intake, Lead
from leadgate.people.models import CustomerRelationship


def _intake_proof(session: Session, intake: Intake, events: Events, checks: list[str], problems: list[str],
                  digests: dict[str, str]) -> LedgerRef | None:
    """The intake's ledger event, and the digest over its consents recomputed and compared with it."""
    event = events.load(session, intake.ledger_seq) if intake.ledger_seq is not None else None
    if event is None:
        problems.append(f"NO LEDGER EVENT for the intake of {intake.file_name} (event {intake.ledger_seq})")
        return None
    ref = events.ref(event, problems)
    data = events.data[event.seq]
    if event.kind != "intake" or data.get("intake") != intake.id:
        problems.append(f"ledger event {event.seq} is not the event of the intake of {intake.file_name}")
    events.compare(event, {"file_sha256": intake.file_sha256}, checks, problems)
    if intake.id not in digests:
        rows = session.execute(select(Consent.id, Consent.text_sha256, Consent.given_at, Consent.source_code,
                                      Consent.channel).where(Consent.intake_id == intake.id)
                               .execution_options(yield_per=10_000))  # a supplier file may hold millions
        digests[intake.id] = batch_digest((i, h, g, s, c) for i, h, g, s, c in rows)
    if digests[intake.id] == data.get("consents_sha256"):
        checks.append(f"consent batch digest matches ledger event {event.seq}")
    else:
        problems.append(f"CONSENT BATCH DIGEST MISMATCH with ledger event {event.seq}: a consent of "
                        f"{intake.file_name} was changed, added or removed since the intake")
    return ref


def _rehashed(stored: str, recorded: str, what: str, changed: str) -> tuple[str, list[str], list[str]]:
    """(hash, checks, problems) of re-hashing a stored text against the SHA-256 recorded beside it."""
    digest = sha256(stored)
    if digest == recorded:
        return digest, [f"{what} SHA-256 recomputed from the stored {what}: matches"], []
    return digest, [], [changed]


def consents(session: Session, rows: list[Consent], events: Events) -> list[Entry]:
    out: list[Entry] = []
    digests: dict[str, str] = {}
    for c in rows:
        text_hash, checks, problems = _rehashed(c.text, c.text_sha256, "text", "CONSENT TEXT CHANGED: the stored "
                                                "text does not hash to the SHA-256 recorded with it")
        details: dict[str, Any] = {
            "consent": c.id, "channel": c.channel, "purpose": c.purpose, "text": c.text,
            "text_version": c.text_version, "text_sha256": c.text_sha256, "given_at": utc(c.given_at),
            "source_code": c.source_code, "method": c.collection_method, "ip_address": c.ip_address,
            "user_agent": c.user_agent, "single_use": c.single_use, "used_at": c.used_at and utc(c.used_at),
            "own_initiative": c.own_initiative, "automated_calls": c.automated_calls,
            "withdrawn_at": c.withdrawn_at and utc(c.withdrawn_at), "withdrawn_via": c.withdrawn_via}
        at, ref = utc(c.given_at), None
        given = events.find("consent.given", "consent", c.id)
        if given is not None:
            ref = events.ref(given, problems)
            events.compare(given, {"text_sha256": text_hash, "given_at": c.given_at, "source": c.source_code,
                                   "channel": c.channel}, checks, problems)
            at = details["given_at"] = recorded_moment(c.given_at, events.data[given.seq].get("given_at"))
        intake = session.get(Intake, c.intake_id) if c.intake_id is not None else None
        if intake is not None:
            details |= {"intake_file": intake.file_name, "intake_file_sha256": intake.file_sha256}
            ref = _intake_proof(session, intake, events, checks, problems, digests) or ref
        elif given is None:
            problems.append("NO LEDGER EVENT records this consent")
        confirmation(session, c, events, details, checks, problems)
        out.append(Entry(at, f"consent given ({c.channel})", details, ref, tuple(checks), tuple(problems)))
        for moment, kind, what, stored in ((c.withdrawn_at, "consent.withdrawn", "consent withdrawn",
                                            {"via": c.withdrawn_via, "channel": c.channel}),
                                           (c.used_at, "consent.used", "consent used", {"used_at": c.used_at})):
            if moment is not None:
                out.append(_follow_up(events, kind, c, utc(moment), what, stored))
    return out


def _follow_up(events: Events, kind: str, c: Consent, at: datetime, what: str, stored: dict[str, Any]) -> Entry:
    checks: list[str] = []
    problems: list[str] = []
    event = events.find(kind, "consent", c.id)
    ref = None
    if event is None:
        problems.append(f"NO LEDGER EVENT records this ({kind})")
    else:
        ref = events.ref(event, problems)
        events.compare(event, stored, checks, problems, at=at if kind == "consent.withdrawn" else None)
    details = {"consent": c.id, "channel": c.channel} | ({"via": c.withdrawn_via} if kind.endswith("withdrawn") else {})
    return Entry(at, f"{what} ({c.channel})", details, ref, tuple(checks), tuple(problems))


def objections(session: Session, rows: list[Objection], events: Events, digest: str | None) -> list[Entry]:
    """Objections with the suppression-list entry of the contact point each was made for (the keyed hash in
    its ledger event: an objection of the person's other number or address has another one)."""
    out: list[Entry] = []
    for o in rows:
        checks: list[str] = []
        problems: list[str] = []
        event = events.find("objection", "objection", o.id)
        recorded = events.data[event.seq].get("suppression") if event is not None else None
        target = recorded if isinstance(recorded, str) and digest is not None else digest
        suppressed = set(session.scalars(select(Suppression.channel).where(Suppression.digest == target)))
        if digest is None:
            status = "not checked: LEADGATE_SUPPRESSION_KEY not set"
        elif o.channel in suppressed:
            status = f"on the suppression list (channel {o.channel})"
        else:
            status = "NOT on the suppression list"
            problems.append(f"the suppression list has no entry for this objection (channel {o.channel})")
        if target != digest:
            status += ", for another number or address of this person"
        ref = None
        if event is None:
            problems.append("NO LEDGER EVENT records this objection")
        else:
            ref = events.ref(event, problems)
            events.compare(event, {"channel": o.channel, "via": o.received_via}, checks, problems, at=o.at)
        out.append(Entry(utc(o.at), f"objection ({o.channel})", {
            "objection": o.id, "channel": o.channel, "via": o.received_via, "suppression": status},
            ref, tuple(checks), tuple(problems)))
    return out


def leads(session: Session, person_id: str, events: Events) -> list[Entry]:
    out: list[Entry] = []
    query = (select(Lead, DataSource, Partner, Intake).join(DataSource, Lead.data_source_id == DataSource.id)
             .outerjoin(Partner, DataSource.supplier_id == Partner.id).outerjoin(Intake, Lead.intake_id == Intake.id)
             .where(Lead.person_id == person_id))
    digests: dict[str, str] = {}
    for lead, source, supplier, intake in session.execute(query):
        checks: list[str] = []
        problems: list[str] = []
        details: dict[str, Any] = {
            "lead": lead.id, "supplier": supplier.name if supplier else None, "source_code": source.code,
            "source_kind": source.kind, "purpose": source.purpose, "purpose_compatible": source.purpose_compatible,
            "source_disabled": source.disabled, "row_number": lead.row_number}
        ref = None
        if intake is not None:
            details |= {"intake_file": intake.file_name, "intake_file_sha256": intake.file_sha256,
                        "intake_at": utc(intake.at)}
            ref = _intake_proof(session, intake, events, checks, problems, digests)
        out.append(Entry(utc(lead.received_at), "lead received", details, ref, tuple(checks), tuple(problems)))
    return out


def customers(session: Session, person_id: str, events: Events) -> list[Entry]:
    out: list[Entry] = []
    for r in session.scalars(select(CustomerRelationship).where(CustomerRelationship.person_id == person_id)):
        checks: list[str] = []
        problems: list[str] = []
        event = events.find("customer.recorded", "relationship", r.id)
        ref = None
        if event is None:
            problems.append("NO LEDGER EVENT records this customer relationship")
        else:
            ref = events.ref(event, problems)
            events.compare(event, {"paid": r.paid, "started_on": r.started_on, "ended_on": r.ended_on},
                           checks, problems)
            for earlier in events.earlier("customer.recorded", "relationship", r.id):
                events.ref(earlier, problems)
                checks.append(f"an earlier version is in ledger event {earlier.seq}")
        out.append(Entry(day(r.started_on) if r.started_on else utc(r.created_at), "customer relationship", {
            "relationship": r.id, "paid": r.paid, "started_on": r.started_on, "ended_on": r.ended_on,
            "reference": r.reference}, ref, tuple(checks), tuple(problems)))
    return out


def attempts(session: Session, person_id: str, point_id: str, events: Events) -> list[Entry]:
    query = (select(ContactAttempt, Partner).outerjoin(Partner, ContactAttempt.call_centre_id == Partner.id)
             .where((ContactAttempt.person_id == person_id) | (ContactAttempt.contact_point_id == point_id)))
    out: list[Entry] = []
    for attempt, centre in session.execute(query):
        # Attempts arrive in a call centre's file (one ledger event per file); a connected call that used a
        # single-use consent also names the attempt in its consent.used event.
        used = events.find("consent.used", "attempt", attempt.id)
        out.append(Entry(utc(attempt.at), f"contact attempt ({attempt.channel})", {
            "attempt": attempt.id, "campaign": attempt.campaign_id, "call_centre": centre.name if centre else None,
            "call_id": attempt.call_id, "outcome": attempt.outcome, "rings": attempt.rings,
            "reported_at": utc(attempt.recorded_at)}, LedgerRef(used.seq, used.hash, used.kind) if used else None))
    return out


def decisions(session: Session, person_id: str, point_id: str, events: Events) -> list[Entry]:
    query = (select(DecisionRecord, Partner).outerjoin(Partner, DecisionRecord.call_centre_id == Partner.id)
             .where((DecisionRecord.person_id == person_id) | (DecisionRecord.contact_point_id == point_id)))
    out: list[Entry] = []
    for d, centre in session.execute(query):
        facts_hash, checks, problems = _rehashed(d.facts, d.facts_sha256, "facts", "DECISION FACTS CHANGED: the "
                                                 "stored facts do not hash to the recorded SHA-256")
        event = events.recording(session, d.ledger_seq, kind="decision.recorded", key="decision_record", value=d.id)
        ref = None
        if event is None:
            problems.append(f"NO LEDGER EVENT records this decision (event {d.ledger_seq} is not it)")
        else:
            ref = events.ref(event, problems)
            events.compare(event, {"facts_sha256": facts_hash, "allowed": d.allowed, "channel": d.channel,
                                   "campaign": d.campaign_id, "at": d.at}, checks, problems)
            _asker(events.data[event.seq].get("call_centre"), d.call_centre_id, event.seq, checks, problems)
        try:
            decision = json.loads(d.decision)
        except ValueError:
            decision = {}
            problems.append("the stored decision is not readable JSON")
        if not isinstance(decision, dict):
            decision = {}
        asked = f", pre-dial check asked by call centre {centre.name}" if centre is not None else ""
        out.append(Entry(utc(d.at), f"decision recorded ({d.channel}){asked}", {
            "decision_record": d.id, "call_centre": centre.name if centre is not None else None,
            "campaign": d.campaign_id, "channel": d.channel, "allowed": d.allowed,
            "facts_sha256": d.facts_sha256, "rulebook": decision.get("rulebook"),
            "reasons": _codes(decision.get("reasons")), "grounds": _codes(decision.get("grounds"))},
            ref, tuple(checks), tuple(problems)))
    return out


def _asker(recorded: object, stored: str | None, seq: int, checks: list[str], problems: list[str]) -> None:
    """The call centre that asked (a pre-dial check over the API), as stored and as its event recorded it."""
    if recorded == stored:
        if stored is not None:
            checks.append(f"the call centre that asked matches ledger event {seq}")
    else:
        problems.append(f"MISMATCH with ledger event {seq}: the stored call centre that asked ({stored or 'none'}) "
                        f"differs from the recorded one ({recorded or 'none'})")


def _codes(items: Any) -> list[dict[str, Any]]:
    return [{"code": i.get("code"), "message": i.get("message")} for i in items or [] if isinstance(i, dict)]
