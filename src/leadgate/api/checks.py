"""POST /v1/checks: the pre-dial check. A dialer asks about one contact (or a stored person), campaign,
channel and moment, and gets the decision of the contract in DESIGN.md, built from the store by the same
service as `leadgate decide --contact`. Every check is recorded (facts, decision and a ledger event, with
the call centre that asked): the proof that the dialer asked before it called, and the address of a later
opt-out's propagation. A call-centre key may check only numbers an export of the campaign gave it, and
only for phone calls. A "not allowed" decision is a 200 answer with its reasons.

This is the hot route (p99 under 10 ms): no rulebook is loaded per request (the server's are used). On
PostgreSQL the server answers it with `checked_on_loop` (the key, the scope and the facts in one statement,
the record batched); `checked` is the general path (a person_id, SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import AsyncCursor
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from leadgate.access.service import PG_KEY, Principal, principal_from, token_parts
from leadgate.api.deps import Bearer, Server, ServerState, allow, in_one_trip, within_rate
from leadgate.api.fields import CampaignId, Contact, Moment
from leadgate.consent.service import suppression_digest
from leadgate.core import facts as f
from leadgate.core.decision import Category
from leadgate.core.engine import decide
from leadgate.decisions import pgfacts
from leadgate.decisions import service as decisions
from leadgate.decisions.recorder import Recorder
from leadgate.kit.aiopool import AsyncPool
from leadgate.kit.batches import StatementBatches
from leadgate.kit.db import committed_together
from leadgate.kit.errors import Forbidden, InvalidInput, NotFound
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.rules.model import Confidence
from leadgate.screening.assigned import PG_ASSIGNED_ONE, NotAssigned, assigned_numbers

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
    if body.person_id is None or body.contact is not None:
        return given_contact(body)  # InvalidInput when it gives neither or both
    return decisions.person_contact(session, person_id=body.person_id, channel=body.channel).value


def given_contact(body: CheckRequest) -> str:
    """The body's contact (InvalidInput unless it gives exactly one of contact and person_id)."""
    if body.contact is None or body.person_id is not None:
        raise InvalidInput("Give either contact (a phone number or e-mail address) or person_id.", field="contact")
    return body.contact


def _scope(session: Session, who: Principal, body: CheckRequest) -> str:
    """The contact to decide about; for a call-centre key only a number assigned to it (fail closed)."""
    if who.role != "call_centre":
        return _contact_of(session, body)
    assert who.partner_id is not None  # a call_centre key always has its call centre
    phone_only(who, body)
    try:
        contact = _contact_of(session, body)
    except NotFound:
        raise not_assigned(who, body) from None  # a call centre learns nothing about people not assigned to it
    medium, value, _, _ = people.normalise(contact, country=body.country)
    if medium == "phone" and assigned_numbers(session, call_centre_id=who.partner_id, campaign_id=body.campaign,
                                              numbers=[int(value[1:])]):
        return contact
    decisions.campaign_facts(session, body.campaign)  # an unknown campaign is the better answer
    raise not_assigned(who, body)


def phone_only(who: Principal, body: CheckRequest) -> None:
    if body.channel != "phone":
        raise Forbidden(f"A call_centre key checks phone calls only, not {body.channel}: exports give a call "
                        "centre numbers to call. E-mail and SMS checks need a marketing or compliance key.",
                        field="channel")


def not_assigned(who: Principal, body: CheckRequest) -> NotAssigned:
    return NotAssigned(f"This contact is not assigned to call centre {who.partner_name!r} for campaign "
                       f"{body.campaign!r}: no export of that campaign gave it this number.", field="contact")


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
    answer = await in_one_trip(state, credentials, roles=CHECK_ROLES, work=partial(checked, raw=raw, state=state))
    return JSONResponse(answer)


# The server answers this route on a lean path (api.hot) with the same roles and work; this route is its
# definition for OpenAPI and answers identically (tests/api/test_hot.py).
CHECK_ROLES = ("call_centre", "marketing", "compliance")


def body_of(raw: bytes) -> CheckRequest:
    try:
        return CheckRequest.model_validate_json(raw or b"null")
    except ValidationError as error:  # the same 422 as FastAPI's own body validation
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
                                     ) from None


def checked(session: Session, who: Principal, *, raw: bytes, state: ServerState) -> dict[str, Any]:
    body = body_of(raw)
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


async def checked_on_loop(state: ServerState, pool: AsyncPool, statement: StatementBatches, recorder: Recorder,
                          token: str | None, *, raw: bytes) -> dict[str, Any]:
    """`checked` on PostgreSQL for a body with a contact, on the event loop, in two round trips, each shared
    with the other checks waiting (kit.batches): the key, the call centre's scope and the facts in one
    statement; then the ledger event and the record, committed in a batch (decisions.recorder). No worker
    thread, no wait for the GIL, no session machinery. The answer and every refusal are `checked`'s, in its
    order (401, 403, 429, then the body's and the contact's 422, the scope's 403): tests/api/test_hot.py
    holds both paths to the same answers."""
    key_id, secret = token_parts(token)
    valid = _valid(raw)
    if valid is None:  # the input's error, after the key's (each query of `checked`, in its order)
        async with pool.connection() as connection:
            cursor = connection.cursor()
            await cursor.execute(PG_KEY, {"key_id": key_id}, prepare=True)
            found = await cursor.fetchone()
            await _refuse_input(cursor, _admitted(state, found[0] if found else None, key_id, secret), raw)
    body, medium, value, region = valid
    now = datetime.now(UTC)
    at = body.at or now
    digest = suppression_digest(state.settings.suppression_key_bytes(), f"{medium}:{value}")
    _, params = pgfacts.statement(medium=medium, value=value, digest=digest, campaign_id=body.campaign,
                                  channel=body.channel, at=at)
    row = await statement.row({**params, "key_id": key_id})
    who = _admitted(state, row[0], key_id, secret)
    if who.role == "call_centre":
        phone_only(who, body)
        if not row[1]:  # no export of the campaign gave it this number
            raise pgfacts.unknown_campaign(body.campaign) if row[2] is None else not_assigned(who, body)
    facts, point = pgfacts.facts_from(row[2:], medium=medium, value=value, region=region, country=body.country,
                                      campaign_id=body.campaign, channel=body.channel, at=at, kind=body.kind)
    result = decisions.StoredDecision(facts, decide(facts, state.books), point.person_id if point else None,
                                      point.id if point else None)
    record_id, data, values = decisions.record_parts(result, call_centre_id=who.partner_id)
    event = ledger.event_fields(kind="decision.recorded", actor=who.actor, at=now, subject=result.person_id,
                                data=data)
    seq = await recorder.record(event=event, values=values)
    return {"check_id": record_id, "ledger_seq": seq, **result.decision.as_dict()}


# The key (access.PG_KEY), whether an export of the campaign gave the key's call centre the number (the
# scope of screening.assigned), then the facts' columns.
_CHECK = pgfacts.with_columns(PG_KEY, "EXISTS ({})".format(
    PG_ASSIGNED_ONE.replace("%(call_centre)s", "(SELECT partner_id FROM api_keys WHERE id = %(key_id)s)")))
CHECK_TYPES = {"key_id": "text", **pgfacts.TYPES}
MAX_CHECKS_AT_ONCE = 64  # the waiting checks read in one statement


def check_statement(pool: AsyncPool) -> StatementBatches:
    """The server's `_CHECK` for the checks waiting at once (api.hot's `checked_on_loop`)."""
    return StatementBatches(pool, _CHECK, CHECK_TYPES, max_batch=MAX_CHECKS_AT_ONCE)


def _valid(raw: bytes) -> tuple[CheckRequest, str, str, str | None] | None:
    """The body, and its contact normalised (medium, value, region); None when either is invalid."""
    try:
        body = body_of(raw)
        medium, value, region, _ = people.normalise(given_contact(body), country=body.country)
    except (RequestValidationError, InvalidInput):
        return None
    return body, medium, value, region


def _admitted(state: ServerState, key: Sequence[Any] | None, key_id: str, secret: str) -> Principal:
    return within_rate(state, allow(principal_from(key, key_id=key_id, secret=secret), CHECK_ROLES))


async def _refuse_input(cursor: AsyncCursor[Any], who: Principal, raw: bytes) -> NoReturn:
    """Raise the error `checked` gives for input `_valid` refused."""
    body = body_of(raw)
    if who.role == "call_centre":  # as `_scope`
        phone_only(who, body)
        people.normalise(given_contact(body), country=body.country)
    else:  # as `_assemble`: an unknown campaign is the first error
        contact = given_contact(body)
        try:
            people.normalise(contact, country=body.country)
        except InvalidInput:
            await cursor.execute(pgfacts.CAMPAIGN_EXISTS, {"campaign": body.campaign}, prepare=True)
            if await cursor.fetchone() is None:
                raise pgfacts.unknown_campaign(body.campaign) from None
            raise
    raise AssertionError("input refused as invalid passed every check")  # pragma: no cover
