"""Opt-outs for call centres to pull and acknowledge: GET /v1/propagations lists them in the same shape as
the webhook body; POST /v1/propagations/{id}/ack and POST /v1/propagations/ack confirm them by id, which
records a `propagation.acknowledged` ledger event and makes the outbox forget the contact point.

A call-centre key sees and acknowledges only its own rows: another call centre's id is answered 404, as
an unknown one is, so ids reveal nothing. Compliance may list every call centre's rows; admin may do all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from leadgate.access.service import Principal
from leadgate.api.deps import Db, Server, require
from leadgate.campaigns.service import partner_named
from leadgate.kit.errors import Forbidden, NotFound
from leadgate.kit.moments import from_store
from leadgate.propagation import service
from leadgate.propagation.models import Propagation
from leadgate.propagation.payload import payload

router = APIRouter(tags=["propagations"])
_ID = re.compile(r"[0-9a-f]{32}")

PropagationId = Annotated[str, Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$",
                                     description="An opt-out propagation's id, as sent in its `id`.")]


class OptOut(BaseModel):
    """One opt-out for one call centre: the webhook body and each item of the list are this same shape."""

    id: PropagationId
    type: Literal["opt_out"]
    call_centre: str = Field(description="The call centre this opt-out is for.")
    cause: Literal["objection", "withdrawal"] = Field(description=(
        "objection: the person objected to direct marketing (stop calling on `channel`); withdrawal: the "
        "person withdrew the consent for `channel` on this number (stop relying on it)."))
    medium: Literal["phone", "email"]
    contact: str | None = Field(description=(
        "The number the call centre received (E.164), to stop using; null once acknowledged."),
        examples=["+31612345678"])
    channel: Literal["phone", "email", "sms", "all"]
    effective_at: datetime = Field(description="When the person opted out.")
    due_by: datetime = Field(description="Acknowledge by then; after it the opt-out is reported overdue.")
    ack_url: str = Field(description="POST here (with the call centre's API key) to acknowledge.")


class OptOutList(BaseModel):
    items: list[OptOut]
    status: Literal["pending", "delivered", "acknowledged", "overdue"]
    limit: int
    offset: int


class AckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[PropagationId], Field(min_length=1, max_length=1000, description=(
        "The ids to acknowledge (at most 1000). All or none: one unknown id refuses the request."))]


class Acknowledged(BaseModel):
    id: PropagationId
    acknowledged_at: datetime
    ack_seq: int = Field(description="The `propagation.acknowledged` ledger event that records it.")


class AckList(BaseModel):
    acknowledged: list[Acknowledged]


def _acknowledged(row: Propagation) -> Acknowledged:
    assert row.acknowledged_at is not None and row.ack_seq is not None
    return Acknowledged(id=row.id, acknowledged_at=from_store(row.acknowledged_at), ack_seq=row.ack_seq)


def _own(who: Principal) -> str | None:
    """The call centre whose rows this key may touch; None for admin and compliance (all)."""
    if who.role == "call_centre":
        if who.partner_id is None:  # create_key refuses this; fail closed all the same
            raise Forbidden("This call_centre key belongs to no call centre.")
        return who.partner_id
    return None


@router.get("/v1/propagations", response_model=OptOutList,
            summary="Opt-outs for call centres, by status (call_centre: its own; compliance, admin: all)")
def list_propagations(
    session: Db, state: Server, who: Annotated[Principal, Depends(require("compliance", "call_centre"))],
    status: Annotated[Literal["pending", "delivered", "acknowledged", "overdue"], Query(description=(
        "pending: not acknowledged yet; delivered: of those, the webhook answered; overdue: of those, past "
        "due_by; acknowledged: confirmed (the contact is then null)."))] = "pending",
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many, oldest first.")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Skip this many first.")] = 0,
    call_centre: Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$", description=(
        "Only this call centre's (compliance, admin). A call-centre key always sees only its own."))] = None,
) -> OptOutList:
    scope = _own(who)
    if call_centre is not None:
        named = partner_named(session, call_centre, kind="call_centre", field="call_centre").id
        if scope is not None and named != scope:
            raise Forbidden("A call_centre key sees only its own call centre's opt-outs.")
        scope = named
    rows = service.list_propagations(session, status=status, now=datetime.now(UTC), call_centre_id=scope,
                                     limit=limit, offset=offset)
    url = state.settings.public_url
    return OptOutList(items=[OptOut.model_validate(payload(row, call_centre=name, public_url=url))
                             for row, name in rows], status=status, limit=limit, offset=offset)


@router.post("/v1/propagations/ack", response_model=AckList,
             summary="Acknowledge several opt-outs by id (call_centre: its own; admin: any)")
def acknowledge_many(body: AckRequest, session: Db,
                     who: Annotated[Principal, Depends(require("call_centre"))]) -> AckList:
    rows = service.acknowledge(session, ids=body.ids, call_centre_id=_own(who), now=datetime.now(UTC),
                               actor=who.actor)
    return AckList(acknowledged=[_acknowledged(r) for r in rows])


@router.post("/v1/propagations/{propagation_id}/ack", response_model=Acknowledged,
             summary="Acknowledge one opt-out by id (call_centre: its own; admin: any); idempotent")
def acknowledge_one(propagation_id: Annotated[str, Path(min_length=1, max_length=64)], session: Db,
                    who: Annotated[Principal, Depends(require("call_centre"))]) -> Acknowledged:
    scope = _own(who)
    if not _ID.fullmatch(propagation_id):  # could be no row's id: the same 404 as any unknown one
        raise NotFound(f"No opt-out propagation {propagation_id!r} for this caller.")
    (row,) = service.acknowledge(session, ids=[propagation_id], call_centre_id=scope, now=datetime.now(UTC),
                                 actor=who.actor)
    return _acknowledged(row)
