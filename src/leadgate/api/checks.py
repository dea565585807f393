"""POST /v1/checks: the pre-dial check. A dialer asks about one contact (or a stored person), campaign,
channel and moment, and gets the decision of the contract in DESIGN.md, built from the store by the same
service as `leadgate decide --contact`. Every check is recorded (facts, decision and a ledger event, with
the call centre that asked): the proof that the dialer asked before it called, and the address of a later
opt-out's propagation. A call-centre key may check only numbers an export of the campaign gave it, and
only for phone calls. A "not allowed" decision is a 200 answer with its reasons.

This is the hot route (p99 under 10 ms): no rulebook is loaded per request (the server's are used), and
the scope check costs one indexed query, the unknown-campaign message a second one only when refused."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from leadgate.access.service import Principal
from leadgate.api.deps import Bearer, Server, ServerState, in_one_trip
from leadgate.api.fields import CampaignId, Contact, Moment
from leadgate.core import facts as f
from leadgate.core.decision import Category
from leadgate.decisions import service as decisions
from leadgate.kit.db import committed_together
from leadgate.kit.errors import Forbidden, InvalidInput, NotFound
from leadgate.people import service as people
from leadgate.rules.model import Confidence
from leadgate.screening.assigned import NotAssigned, assigned_numbers

router = APIRouter(tags=["checks"])

PersonId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]{1,32}$",
                                description="A stored person's id, instead of `contact`.")]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact: Contact | None = None
    person_id: PersonId | None = None
    country: Annotated[f.Country | None, Field(description=(
        "ISO 3166 code: the default region for national phone formats; for e-mail the contact's country "
        "when the store does not know it."), examples=["NL"])] = None
    campaign: CampaignId
    channel: Annotated[f.Channel, Field(description="How the contact would happen.")]
    at: Annotated[Moment | None, Field(description=(
        "The moment of the contact, ISO 8601 with a UTC offset (default: now). A later moment asks about "
        "a planned contact under the rules in force then."), examples=["2026-11-23T10:15:00+01:00"])] = None
    kind: Annotated[f.ContactKind | None, Field(description=(
        "The contact's kind when the store does not know the person (default consumer); a stored person's "
        "own kind always wins."))] = None


class Reason(BaseModel):
    category: Category
    code: str
    message: str
    reference: str = Field(description="The law or rule it rests on.")
    confidence: Confidence = Field(description="How settled the rule's reading is.")


class Override(BaseModel):
    rule: str
    loosened: bool
    reason: str | None


class CheckAnswer(BaseModel):
    """The decision of the contract in DESIGN.md plus the check's record and its ledger event."""

    check_id: str = Field(description="The recorded decision's id (the proof of this check).")
    ledger_seq: int = Field(description="The `decision.recorded` ledger event of this check.")
    id: str | None = Field(description="The stored contact point's id, or `unknown-contact`.")
    allowed: bool
    jurisdiction: str | None
    reasons: list[Reason] = Field(description="What blocks the contact (empty when allowed).")
    grounds: list[Reason] = Field(description="What an allowed contact rests on.")
    next_allowed_at: Annotated[str | None, Field(json_schema_extra={"format": "date-time"}, description=(
        "The earliest later moment the same facts would be allowed, or null when waiting does not help."))]
    rulebook: str | None
    overrides: list[Override] | None = Field(default=None, description="Organisation settings that replaced "
                                                                        "a rulebook parameter (only when any did).")


def _contact_of(session: Session, body: CheckRequest) -> str:
    if (body.contact is None) == (body.person_id is None):
        raise InvalidInput("Give either contact (a phone number or e-mail address) or person_id.", field="contact")
    if body.contact is not None:
        return body.contact
    assert body.person_id is not None
    return decisions.person_contact(session, person_id=body.person_id, channel=body.channel).value


def _scope(session: Session, who: Principal, body: CheckRequest) -> str:
    """The contact to decide about; for a call-centre key only a number assigned to it (fail closed)."""
    if who.role != "call_centre":
        return _contact_of(session, body)
    assert who.partner_id is not None  # a call_centre key always has its call centre
    if body.channel != "phone":
        raise Forbidden(f"A call_centre key checks phone calls only, not {body.channel}: exports give a call "
                        "centre numbers to call. E-mail and SMS checks need a marketing or compliance key.",
                        field="channel")
    refused = NotAssigned(f"This contact is not assigned to call centre {who.partner_name!r} for campaign "
                          f"{body.campaign!r}: no export of that campaign gave it this number.", field="contact")
    try:
        contact = _contact_of(session, body)
    except NotFound:
        raise refused from None  # a call centre learns nothing about people not assigned to it
    medium, value, _, _ = people.normalise(contact, country=body.country)
    if medium == "phone" and assigned_numbers(session, call_centre_id=who.partner_id, campaign_id=body.campaign,
                                              numbers=[int(value[1:])]):
        return contact
    decisions.campaign_facts(session, body.campaign)  # an unknown campaign is the better answer
    raise refused


# The body is read here and validated inside the one worker-thread trip, after the key (401 and 403 come
# before 422, as on every route): so the schema is given to OpenAPI by hand.
_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": CheckRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


@router.post("/v1/checks", response_model=CheckAnswer, summary="Pre-dial check: may this contact happen now?",
             openapi_extra=_BODY,
             responses={403: {"description": "Role not allowed, or (`not_assigned`) a call centre asked about "
                                             "a number no export of the campaign gave it."},
                        404: {"description": "`person_id` unknown or without a contact point for the channel."},
                        422: {"description": "Invalid input; `field` names it (contact, campaign, at, ...)."}})
async def check(request: Request, state: Server, credentials: Bearer) -> JSONResponse:
    """The decision for one contact, recorded as evidence with the call centre that asked. Roles:
    call_centre (its assigned numbers, phone only), marketing, compliance, admin."""
    raw = await request.body()
    answer = await in_one_trip(state, credentials, roles=("call_centre", "marketing", "compliance"),
                               work=partial(_checked, raw=raw, state=state))
    return JSONResponse(answer)


def _body(raw: bytes) -> CheckRequest:
    try:
        return CheckRequest.model_validate_json(raw or b"null")
    except ValidationError as error:  # the same 422 as FastAPI's own body validation
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
                                     ) from None


def _checked(session: Session, who: Principal, *, raw: bytes, state: ServerState) -> dict[str, Any]:
    body = _body(raw)
    now = datetime.now(UTC)
    contact = _scope(session, who, body)
    result = decisions.decide_stored(
        session, contact=contact, country=body.country, campaign_id=body.campaign, channel=body.channel,
        at=body.at or now, key=state.settings.suppression_key_bytes(), books=state.books, record=False, now=now,
        actor=who.actor, kind=body.kind)
    # The ledger append holds the chain's lock until commit and every other check waits for it: its
    # statements and the commit go to PostgreSQL in one round trip (kit.db.committed_together).
    with committed_together(session):
        result = decisions.record_decision(session, result=result, now=now, actor=who.actor,
                                           call_centre_id=who.partner_id)
    # The contract's own JSON (next_allowed_at as the core writes it), without validating it again.
    return {"check_id": result.record_id, "ledger_seq": result.ledger_seq, **result.decision.as_dict()}
