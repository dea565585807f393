"""POST /v1/outcomes: call centres report what became of their calls, one or up to 1,000 per request.

Each outcome is known by the call centre's own call id: reporting it again answers `duplicate` and stores
nothing. An `opt_out` becomes an objection before the answer is sent (the very next check is refused);
a `connected` call uses up the single-use consents given before it. The whole batch is checked first:
one bad item refuses the request with 422 naming `outcomes.<index>.<field>`, and nothing is stored.

A call-centre key reports for itself and only phone calls to numbers an export of the item's campaign
gave it (else 403 naming the item). An admin key has no call centre: it names the one it reports for in
`call_centre` (back-office corrections, a call centre's report relayed by hand) and is not scoped."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from leadgate.access.service import Principal
from leadgate.api.deps import Db, Server, require
from leadgate.api.fields import CampaignId, Contact, Label, Moment
from leadgate.attempts.record import AttemptSpec, Recorded, call_centre_named, check_attempt
from leadgate.attempts.service import record_batch
from leadgate.core import facts as f
from leadgate.kit.errors import Forbidden, InvalidInput
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.screening.assigned import NotAssigned, assigned_numbers

router = APIRouter(tags=["outcomes"])

MAX_ITEMS = 1000


class OutcomeItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: Annotated[Label, Field(min_length=1, max_length=100, description=(
        "The call centre's own id of this call: reporting it again stores nothing new."))]
    contact: Contact
    country: Annotated[f.Country | None, Field(description="Default region for national phone formats.")] = None
    campaign: CampaignId
    at: Annotated[Moment, Field(description="When the call was made, ISO 8601 with a UTC offset; not in "
                                                 "the future.", examples=["2026-11-23T10:15:00+01:00"])]
    outcome: Annotated[f.Outcome, Field(description="`opt_out` records an objection at once; `connected` uses "
                                                    "up single-use consents given before the call.")]
    rings: Annotated[int | None, Field(ge=0, le=1000, description="How many times it rang.")] = None
    channel: f.Channel = "phone"
    kind: Annotated[f.ContactKind, Field(description="The contact's kind if the number is new to the store.")] = \
        "consumer"


class OutcomesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_centre: Annotated[Label | None, Field(min_length=1, max_length=200, description=(
        "Admin keys only (required for them): the call centre whose outcomes these are. A call-centre key "
        "reports for its own call centre."))] = None
    outcomes: Annotated[list[OutcomeItem], Field(min_length=1, max_length=MAX_ITEMS)]


class OutcomeResult(BaseModel):
    call_id: str
    status: Literal["recorded", "duplicate"] = Field(description="`duplicate`: this call id was reported "
                                                                 "before; nothing new was stored.")
    attempt_id: str = Field(description="The stored attempt (for a duplicate: the one stored before).")
    objection_id: str | None = Field(description="The objection an `opt_out` recorded.")
    consents_used: int = Field(description="Single-use consents a `connected` call used up.")


class OutcomesAnswer(BaseModel):
    ledger_seq: int = Field(description="The `outcomes.reported` ledger event of this request.")
    results: list[OutcomeResult] = Field(description="One per item, in the order sent.")


def _call_centre(session: Session, who: Principal, named: str | None) -> str:
    if who.role == "call_centre":
        assert who.partner_id is not None  # a call_centre key always has its call centre
        if named is not None and named != who.partner_name:
            raise Forbidden(f"A call_centre key reports for its own call centre {who.partner_name!r} only.",
                            field="call_centre")
        return who.partner_id
    if named is None:
        raise InvalidInput("An admin key has no call centre: name the one these outcomes are from.",
                           field="call_centre")
    return call_centre_named(session, named).id


def _specs(session: Session, body: OutcomesRequest, now: datetime) -> list[tuple[AttemptSpec, str, str]]:
    """Every item checked (InvalidInput naming `outcomes.<index>.<field>`), with its normalised contact."""
    out: list[tuple[AttemptSpec, str, str]] = []
    first: dict[str, tuple[int, AttemptSpec]] = {}
    for index, item in enumerate(body.outcomes):
        spec = AttemptSpec(contact=item.contact, country=item.country, campaign_id=item.campaign, at=item.at,
                           outcome=item.outcome, call_id=item.call_id, rings=item.rings, channel=item.channel,
                           kind=item.kind)
        try:
            check_attempt(session, spec, now=now)
            medium, value, _, _ = people.normalise(spec.contact, country=spec.country)
        except InvalidInput as exc:
            raise InvalidInput(f"outcomes[{index}]: {exc.message}", field=f"outcomes.{index}.{exc.field}") from None
        # One call id twice in a batch: the same call written twice is a duplicate, two calls are a mistake.
        same = replace(spec, contact=value, country=None)
        seen = first.setdefault(spec.call_id or "", (index, same))
        if seen[1] != same:
            raise InvalidInput(f"outcomes[{index}]: call_id {spec.call_id!r} is also item {seen[0]} with other "
                               "data.", field=f"outcomes.{index}.call_id")
        out.append((spec, medium, value))
    return out


def _scope(session: Session, who: Principal, call_centre_id: str, specs: list[tuple[AttemptSpec, str, str]]) -> None:
    """A call-centre key: phone calls to numbers assigned to it for the item's campaign only (fail closed)."""
    if who.role != "call_centre":
        return
    by_campaign: dict[str, set[int]] = defaultdict(set)
    for index, (spec, medium, value) in enumerate(specs):
        if spec.channel != "phone" or medium != "phone":
            raise Forbidden(f"outcomes[{index}]: a call_centre key reports phone calls only.",
                            field=f"outcomes.{index}.channel")
        by_campaign[spec.campaign_id].add(int(value[1:]))
    assigned = {campaign: assigned_numbers(session, call_centre_id=call_centre_id, campaign_id=campaign,
                                           numbers=numbers) for campaign, numbers in by_campaign.items()}
    for index, (spec, _, value) in enumerate(specs):
        if int(value[1:]) not in assigned[spec.campaign_id]:
            raise NotAssigned(f"outcomes[{index}]: this number is not assigned to call centre {who.partner_name!r} "
                              f"for campaign {spec.campaign_id!r}: no export of that campaign gave it.",
                              field=f"outcomes.{index}.contact")


@router.post("/v1/outcomes", response_model=OutcomesAnswer, summary="Report call outcomes (1 to 1,000)",
             responses={403: {"description": "Role not allowed, or (`not_assigned`) an item's number was not "
                                             "given to this call centre; `field` names the item."},
                        422: {"description": "An invalid item (`field` is `outcomes.<index>.<field>`); nothing "
                                             "is stored."}})
def report(body: OutcomesRequest, session: Db, state: Server,
           who: Annotated[Principal, Depends(require("call_centre"))]) -> OutcomesAnswer:
    """Store each call's outcome once per call id. Roles: call_centre (its assigned numbers), admin (names
    the call centre)."""
    now = datetime.now(UTC)
    call_centre_id = _call_centre(session, who, body.call_centre)
    specs = _specs(session, body, now)
    _scope(session, who, call_centre_id, specs)
    key = state.settings.suppression_key_bytes()
    # In time order, so a connected call uses exactly the consents given before it; answered in the order sent.
    order = sorted(range(len(specs)), key=lambda i: specs[i][0].at)
    stored = record_batch(session, call_centre_id=call_centre_id, specs=[specs[i][0] for i in order], now=now,
                          actor=who.actor, key=key)
    recorded: dict[int, Recorded] = dict(zip(order, stored, strict=True))
    results = [OutcomeResult(call_id=item.call_id, status="recorded" if recorded[i].new else "duplicate",
                             attempt_id=recorded[i].attempt.id, objection_id=recorded[i].objection_id,
                             consents_used=recorded[i].consents_used) for i, item in enumerate(body.outcomes)]
    new = [r for r in recorded.values() if r.new]
    event = ledger.append(session, kind="outcomes.reported", actor=who.actor, at=now, data={
        "call_centre": call_centre_id, "items": len(results), "recorded": len(new),
        "duplicates": len(results) - len(new), "attempts": sorted(r.attempt.id for r in new),
        "objections": sum(r.objection_id is not None for r in new),
        "consents_used": sum(r.consents_used for r in new)})
    return OutcomesAnswer(ledger_seq=event.seq, results=results)
