"""The timeline entries for a person's opt-out propagations ("the call centres holding the number were
told"): per call centre, why (objection or withdrawal), when it was queued, delivered to its webhook and
acknowledged, the deadline, and OVERDUE when it was not acknowledged by then at the pack's moment. Each
row is re-checked against its ledger events: the `propagation.queued` event must list the row (with its
call centre and deadline) under the opt-out that caused it, and an acknowledged row's
`propagation.acknowledged` event (ack_seq) must name it and its call centre, at the acknowledged moment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Partner
from leadgate.evidence.ledgerview import Entry, Events, LedgerRef, same, utc
from leadgate.ledger.models import LedgerEvent
from leadgate.propagation import service as propagation
from leadgate.propagation.models import Propagation

WHAT = "opt-out propagated to call centre"
QUEUED = "propagation.queued"
ACKNOWLEDGED = "propagation.acknowledged"


def _listed(data: dict[str, Any], row_id: str) -> dict[str, Any] | None:
    items = data.get("propagations")
    return next((i for i in items if isinstance(i, dict) and i.get("id") == row_id), None) \
        if isinstance(items, list) else None


def _queued_event(session: Session, row: Propagation, events: Events) -> LedgerEvent | None:
    """The `propagation.queued` event listing this row: among the person's events, else found by the row id
    (an event written without the person as its subject)."""
    for seq, event in sorted(events.by_seq.items()):
        if event.kind == QUEUED and _listed(events.data[seq], row.id) is not None:
            return event
    found = session.scalars(select(LedgerEvent).where(LedgerEvent.kind == QUEUED,
                                                      LedgerEvent.body.contains(row.id))).first()
    if found is not None:
        events.add(found)
        if _listed(events.data[found.seq], row.id) is not None:
            return found
    return None


def _check_queued(session: Session, row: Propagation, events: Events, checks: list[str], problems: list[str]
                  ) -> LedgerRef | None:
    event = _queued_event(session, row, events)
    if event is None:
        problems.append(f"NO LEDGER EVENT ({QUEUED}) lists propagation {row.id}")
        return None
    ref = events.ref(event, problems)
    data = events.data[event.seq]
    item = _listed(data, row.id) or {}
    differ = [name for name, recorded, stored in (
        ("call centre", item.get("call_centre"), row.call_centre_id), ("due by", item.get("due_by"), row.due_by),
        ("cause", data.get("cause"), row.cause), ("cause event", data.get("cause_seq"), row.cause_seq),
        ("queued at", utc(event.at).isoformat(), row.created_at)) if not same(recorded, stored)]
    if differ:
        problems.append(f"MISMATCH with ledger event {event.seq}: the stored {', '.join(differ)} of propagation "
                        f"{row.id} differ(s) from what the ledger recorded")
    else:
        checks.append(f"call centre, due by, cause and queued at match ledger event {event.seq}")
    return ref


def _check_acknowledged(session: Session, row: Propagation, events: Events, checks: list[str],
                        problems: list[str]) -> None:
    if row.acknowledged_at is None:
        if row.ack_seq is not None:
            problems.append(f"propagation {row.id} names acknowledgement event {row.ack_seq} but is not acknowledged")
        return
    event = events.load(session, row.ack_seq) if row.ack_seq is not None else None
    if event is None or event.kind != ACKNOWLEDGED:
        problems.append(f"NO LEDGER EVENT records the acknowledgement of propagation {row.id} (event "
                        f"{row.ack_seq} is not it)")
        return
    events.ref(event, problems)
    data = events.data[event.seq]
    listed = data.get("propagations")
    centres = data.get("call_centres")
    if not isinstance(listed, list) or row.id not in listed:
        problems.append(f"ledger event {event.seq} ({ACKNOWLEDGED}) does not name propagation {row.id}")
    elif not isinstance(centres, list) or row.call_centre_id not in centres:
        problems.append(f"MISMATCH with ledger event {event.seq}: it does not name the call centre of "
                        f"propagation {row.id}")
    elif not same(utc(event.at).isoformat(), row.acknowledged_at):
        problems.append(f"MISMATCH with ledger event {event.seq}: the stored acknowledged at of propagation "
                        f"{row.id} differs from the event's moment")
    else:
        checks.append(f"acknowledgement recorded by ledger event {event.seq} (names this row and call centre)")


def _status(row: Propagation, now: datetime) -> tuple[str, bool]:
    """(status in words, overdue): overdue means not acknowledged by due_by at the pack's moment."""
    due = utc(row.due_by)
    if row.acknowledged_at is not None:
        return ("acknowledged" if utc(row.acknowledged_at) <= due else "acknowledged LATE (after due by)"), False
    if now >= due:
        return "OVERDUE: not acknowledged by due by", True
    return ("delivered, awaiting acknowledgement" if row.delivered_at is not None
            else "queued, awaiting delivery or acknowledgement"), False


def propagations(session: Session, person_id: str, events: Events, *, now: datetime,
                 mask: Callable[[str, str], str]) -> list[Entry]:
    """`mask(medium, value)` masks the number still held on a row (an acknowledged row has forgotten it)."""
    for event in session.scalars(select(LedgerEvent).where(LedgerEvent.kind == QUEUED,
                                                           LedgerEvent.subject == person_id)):
        events.add(event)  # already there when the person is; an erased person's are found by their id
    out: list[Entry] = []
    stored: set[str] = set()
    for row, centre in propagation.of_person(session, person_id=person_id):
        checks: list[str] = []
        problems: list[str] = []
        ref = _check_queued(session, row, events, checks, problems)
        _check_acknowledged(session, row, events, checks, problems)
        cause = events.load(session, row.cause_seq)
        status, overdue = _status(row, now)
        out.append(Entry(utc(row.created_at), f"{WHAT} {centre}", {
            "propagation": row.id, "call_centre": centre, "cause": row.cause, "cause_ledger_seq": row.cause_seq,
            "cause_kind": cause.kind if cause is not None else None, "channel": row.channel,
            "number": mask(row.medium, row.contact) if row.contact else None,
            "opted_out_at": utc(row.effective_at), "queued_at": utc(row.created_at),
            "delivered_at": row.delivered_at and utc(row.delivered_at), "delivery_attempts": row.attempts,
            "acknowledged_at": row.acknowledged_at and utc(row.acknowledged_at), "ack_ledger_seq": row.ack_seq,
            "due_by": utc(row.due_by), "status": status, "overdue": overdue}, ref, tuple(checks), tuple(problems)))
        stored.add(row.id)
    return out + _missing(session, events, stored)


def _missing(session: Session, events: Events, stored: set[str]) -> list[Entry]:
    """Rows a `propagation.queued` event of this person lists that are not stored: removed from the outbox,
    so nothing shows whether that call centre was ever told."""
    out: list[Entry] = []
    for seq, event in sorted(events.by_seq.items()):
        items = events.data[seq].get("propagations") if event.kind == QUEUED else None
        for item in items if isinstance(items, list) else ():
            row_id = item.get("id") if isinstance(item, dict) else None
            if row_id in stored:
                continue
            centre = session.get(Partner, item.get("call_centre")) if isinstance(item, dict) and \
                isinstance(item.get("call_centre"), str) else None
            name = centre.name if centre is not None else None
            problems = [f"PROPAGATION {row_id} IS NOT STORED: ledger event {seq} queued it for call centre "
                        f"{name or '?'}, and its record was removed"]
            ref = events.ref(event, problems)
            out.append(Entry(utc(event.at), f"{WHAT} {name or '?'}", {
                "propagation": row_id, "call_centre": name, "cause": events.data[seq].get("cause"),
                "due_by": item.get("due_by") if isinstance(item, dict) else None}, ref, (), tuple(problems)))
    return out
