"""Double opt-in in the evidence pack: a consent recorded when the person clicked the confirmation link
shows both moments — when the form was submitted and when it was confirmed — from its `consent.confirmed`
ledger event, re-checked against the stored request (when it is still kept) and the `consent.requested`
event of the submission (text hash and submission moment)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.consent.doubleoptin import METHOD
from leadgate.consent.models import Consent, ConsentRequest
from leadgate.evidence.ledgerview import Events, same, utc
from leadgate.ledger.models import LedgerEvent

CONFIRMED = "consent.confirmed"
REQUESTED = "consent.requested"


def _moment(value: Any) -> Any:
    """A recorded ISO moment as an aware UTC datetime; anything else as recorded (the checks say so)."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return value
    return utc(moment) if moment is not None and moment.tzinfo is not None else value


def confirmation(session: Session, consent: Consent, events: Events, details: dict[str, Any], checks: list[str],
                 problems: list[str]) -> None:
    """Add the double opt-in moments to a consent's details (and what was checked) when it has them."""
    event = events.find(CONFIRMED, "consent", consent.id)
    if event is None:
        if consent.collection_method == METHOD:
            problems.append(f"NO LEDGER EVENT ({CONFIRMED}) records the confirmation of this double opt-in consent")
        return
    events.ref(event, problems)
    data = events.data[event.seq]
    request_id = data.get("request")
    details |= {"double_opt_in_request": request_id, "submitted_at": _moment(data.get("submitted_at")),
                "confirmed_at": _moment(data.get("confirmed_at"))}
    if same(data.get("confirmed_at"), consent.given_at):
        checks.append(f"confirmed at (ledger event {event.seq}) is the consent's given at")
    else:
        problems.append(f"MISMATCH with ledger event {event.seq}: the consent was not given at the moment it "
                        "was confirmed")
    request = session.get(ConsentRequest, request_id) if isinstance(request_id, str) else None
    if request is not None:
        if request.consent_id == consent.id and same(data.get("submitted_at"), request.submitted_at):
            checks.append(f"the stored request's submission moment matches ledger event {event.seq}")
        else:
            problems.append(f"MISMATCH with ledger event {event.seq}: the stored request {request.id} is not this "
                            "consent's or was submitted at another moment")
    requested = session.scalars(select(LedgerEvent).where(LedgerEvent.kind == REQUESTED, LedgerEvent.body.contains(
        request_id))).first() if isinstance(request_id, str) else None
    if requested is None:
        problems.append(f"NO LEDGER EVENT ({REQUESTED}) records the submission of request {request_id}")
        return
    events.add(requested)
    events.ref(requested, problems)
    asked = events.data[requested.seq]
    if asked.get("request") == request_id and asked.get("text_sha256") == consent.text_sha256 and \
            asked.get("submitted_at") == data.get("submitted_at"):
        checks.append(f"the submission (ledger event {requested.seq}) has this consent's text SHA-256 and "
                      "submission moment")
    else:
        problems.append(f"MISMATCH with ledger event {requested.seq}: the submitted text or moment differs "
                        "from the confirmed consent's")
