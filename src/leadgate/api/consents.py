"""Consent capture for web forms (with double opt-in for e-mail and its confirmation link), the registry
of consent texts, and withdrawals and objections recorded by customer service.

Who may do what: a web form's backend (`webform`), marketing, compliance and admin submit consents;
marketing and compliance register consent texts; compliance and marketing (customer service) record
withdrawals and objections. A call centre records an objection it hears as a call outcome (`opt_out`),
which is scoped to the people assigned to it; it may not record one here for any address."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from leadgate.access.service import Principal
from leadgate.api import pages
from leadgate.api.deps import Db, Server, require
from leadgate.consent import capture, doubleoptin, texts, tokens
from leadgate.consent import service as consents
from leadgate.core.facts import Channel, ContactKind
from leadgate.kit.moments import from_store

router = APIRouter(tags=["consents"])

# PostgreSQL refuses NUL in text, and no field here has a use for control characters: refused as a 422.
LINE = r"^[^\x00-\x1f\x7f]*$"
PARAGRAPHS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and line breaks allowed

Via = Literal["customer_service", "phone", "email", "letter", "web", "in_person", "other"]
Contact = Annotated[str, Field(min_length=3, max_length=320, pattern=LINE,
                               description="Phone number (E.164, or national format with `country`) or e-mail "
                                           "address.")]
Country = Annotated[str | None, Field(default=None, pattern=r"^[A-Za-z]{2}$",
                                      description="ISO 3166 country: the default region of a national phone "
                                                  "number; for e-mail, the country whose law governs it.")]
Version = Annotated[str, Field(min_length=1, max_length=100,
                               pattern=r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
                               description="The version id of a consent text, e.g. `LP-ENERGY-07/2026-10`.")]
Text = Annotated[str, Field(min_length=1, max_length=10_000, pattern=PARAGRAPHS,
                            description="The consent text exactly as shown.")]


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Field(description="What the person agreed to be contacted by. `email` needs double opt-in.")
    purpose: str = Field(min_length=1, max_length=500, pattern=PARAGRAPHS,
                         description="What the contact will be about.")
    kind: ContactKind = Field(default="consumer", description="Who the person is, for the rules that apply.")
    contact: Contact
    country: Country = None
    text: Text | None = Field(default=None, description="The consent text exactly as shown (or send text_version).")
    text_version: Version | None = Field(default=None, description="A version registered with POST "
                                         "/v1/consent-texts; with `text` too, the two must match.")
    source: str = Field(min_length=1, max_length=100, pattern=LINE,
                        description="The source code of the form or landing page.")
    ip_address: str = Field(max_length=45, description="The person's IP address (IPv4 or IPv6), as the form saw it.")
    user_agent: str = Field(max_length=1000, pattern=LINE,
                            description="The person's browser user agent, as the form saw it.")
    single_use: bool = Field(default=False, description="Valid for one connected call only.")
    own_initiative: bool = Field(default=False, description="The person asked to be contacted (not a contest "
                                                            "or survey entry).")

    _country = field_validator("country")(_upper)

    @field_validator("ip_address")
    @classmethod
    def _ip(cls, value: str) -> str:
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            raise ValueError("not an IPv4 or IPv6 address") from None


class ConsentReceipt(BaseModel):
    """What was agreed, by whom (masked) and when: a site may show it or e-mail it to the person."""

    id: str = Field(description="The consent's id, or the pending request's id while unconfirmed.")
    status: Literal["active", "pending_confirmation"]
    channel: Channel
    purpose: str
    kind: ContactKind
    text: str
    text_sha256: str
    text_version: str | None
    source: str
    contact: str = Field(description="The address or number, masked.")
    submitted_at: datetime = Field(description="When leadgate received the form (the server's clock).")
    given_at: datetime | None = Field(description="When the consent took effect; null until confirmed.")
    confirm_url: str | None = Field(default=None, description="E-mail this link to the person; the consent "
                                                              "is active only once they confirm on that page.")
    confirm_by: datetime | None = Field(default=None, description="When the confirmation link expires.")


@router.post("/v1/consents", response_model=ConsentReceipt, summary="Record a consent given on a web form",
             description="Roles: webform, marketing, compliance, admin. The server sets the time. Phone and SMS "
                         "consents are active at once; e-mail consents answer `pending_confirmation` with a "
                         "`confirm_url` to e-mail to the person (double opt-in).")
def give(body: ConsentIn, db: Db, state: Server,
         who: Annotated[Principal, Depends(require("webform", "marketing", "compliance"))]) -> ConsentReceipt:
    form = capture.Submission(**body.model_dump())
    receipt = capture.capture(db, form=form, settings=state.settings, now=datetime.now(UTC), actor=who.actor)
    return ConsentReceipt(**receipt.__dict__)


class ConsentTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    text: Text


class ConsentTextOut(BaseModel):
    version: str
    text: str
    text_sha256: str
    created_at: datetime


@router.post("/v1/consent-texts", response_model=ConsentTextOut, status_code=201,
             summary="Register the exact wording of a consent text under a version",
             description="Roles: marketing, compliance, admin. 201 when new, 200 when the same text was "
                         "registered before, 409 when the version holds another text.")
def register_text(body: ConsentTextIn, db: Db, response: Response,
                  who: Annotated[Principal, Depends(require("marketing", "compliance"))]) -> ConsentTextOut:
    row, new = texts.register(db, version=body.version, text=body.text, now=datetime.now(UTC), actor=who.actor)
    if not new:
        response.status_code = 200
    return ConsentTextOut(version=row.version, text=row.text, text_sha256=row.sha256,
                          created_at=from_store(row.created_at))


@router.get("/v1/consent-texts/{version:path}", response_model=ConsentTextOut, summary="A registered consent text",
            description="Roles: webform, marketing, compliance, admin.")
def read_text(version: Annotated[str, Path(max_length=100, pattern=LINE)], db: Db,
              _: Annotated[Principal, Depends(require("webform", "marketing", "compliance"))]) -> ConsentTextOut:
    row = texts.get(db, version)
    return ConsentTextOut(version=row.version, text=row.text, text_sha256=row.sha256,
                          created_at=from_store(row.created_at))


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact: Contact
    country: Country = None
    channel: Channel = Field(description="The channel whose consents are withdrawn.")
    via: Via = Field(description="How the person withdrew.")

    _country = field_validator("country")(_upper)


class Withdrawn(BaseModel):
    id: str
    channel: Channel
    source: str
    given_at: datetime


class WithdrawalOut(BaseModel):
    at: datetime = Field(description="When the withdrawal took effect (the server's clock).")
    channel: Channel
    withdrawn: list[Withdrawn] = Field(description="Every consent that was active on the channel; empty when "
                                                   "none was.")


@router.post("/v1/withdrawals", response_model=WithdrawalOut, summary="Withdraw a person's consents on a channel",
             description="Roles: compliance, marketing, admin. 422 when no consent was ever recorded for the "
                         "contact. Call centres report withdrawals heard in a call as outcomes.")
def withdraw(body: WithdrawalIn, db: Db,
             who: Annotated[Principal, Depends(require("compliance", "marketing"))]) -> WithdrawalOut:
    now = datetime.now(UTC)
    done = consents.withdraw_consents(db, contact=body.contact, country=body.country, channel=body.channel, at=now,
                                      via=body.via, actor=who.actor)
    return WithdrawalOut(at=now, channel=body.channel, withdrawn=[
        Withdrawn(id=c.id, channel=c.channel, source=c.source_code, given_at=from_store(c.given_at))
        for c in done])


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact: Contact
    country: Country = None
    channel: Channel | Literal["all"] = Field(default="all", description="The channel objected to; `all` for "
                                                                          "every channel.")
    via: Via = Field(description="How the person objected.")

    _country = field_validator("country")(_upper)


class ObjectionOut(BaseModel):
    id: str
    channel: Channel | Literal["all"]
    at: datetime = Field(description="When the objection took effect: every later check and export honours it.")
    via: str


@router.post("/v1/objections", response_model=ObjectionOut, summary="Record an objection (opt-out)",
             description="Roles: compliance, marketing, admin. In force for every later pre-dial check and "
                         "export once this answers; pushed to every call centre that had the person. Call "
                         "centres record objections as call outcomes (`opt_out`).")
def object_(body: ObjectionIn, db: Db, state: Server,
            who: Annotated[Principal, Depends(require("compliance", "marketing"))]) -> ObjectionOut:
    objection = consents.record_objection(db, contact=body.contact, country=body.country, channel=body.channel,
                                          at=datetime.now(UTC), via=body.via, actor=who.actor,
                                          key=state.settings.suppression_key_bytes())
    return ObjectionOut(id=objection.id, channel=objection.channel,
                        at=from_store(objection.at), via=objection.received_via)


# ---- the confirmation link of a double opt-in (no API key: the signed token is the authentication) ----

CONFIRM_ACTOR = "confirmation-link"


def _confirm_page(request: Request, db: Db, state: Server, token: str, *, act: bool) -> HTMLResponse:
    lang = pages.negotiate(request.headers.get("accept-language"))
    now = datetime.now(UTC)
    try:
        request_id, expired = doubleoptin.read_token(state.settings.secret_key_bytes(), token, now=now)
    except tokens.BadToken:
        return pages.page(lang, title="error.title", lines=["error.invalid"], status_code=400)
    if act:
        try:
            done = doubleoptin.confirm(db, request_id=request_id, now=now, actor=CONFIRM_ACTOR, link_expired=expired)
        except doubleoptin.RequestGone:
            return pages.page(lang, title="error.title", lines=["error.expired"], status_code=410)
        return pages.page(lang, title="confirm.title", lines=["confirm.already" if done.already else "confirm.done"],
                          quote=done.consent.text)
    # GET shows the button only: mail scanners that fetch every link must not confirm anything.
    pending = doubleoptin.find_request(db, request_id)
    if pending is not None and pending.confirmed_at is not None and pending.consent_id is not None:
        return pages.page(lang, title="confirm.title", lines=["confirm.already"], quote=pending.text)
    if pending is None or pending.confirmed_at is not None or expired or now >= from_store(pending.expires_at):
        return pages.page(lang, title="error.title", lines=["error.expired"], status_code=410)
    return pages.page(lang, title="confirm.title", lines=["confirm.ask"], quote=pending.text,
                      form=pages.Form("confirm.button", {"confirm": "yes"}))


@router.get("/confirm/{token}", response_class=HTMLResponse, tags=["links"],
            summary="Double opt-in: the page with the confirmation button (confirms nothing by itself)")
def confirm_page(token: str, request: Request, db: Db,
                 state: Server) -> HTMLResponse:
    return _confirm_page(request, db, state, token, act=False)


@router.post("/confirm/{token}", response_class=HTMLResponse, tags=["links"],
             summary="Double opt-in: confirm (the consent is recorded now; a second POST changes nothing)")
def confirm(token: str, request: Request, db: Db,
            state: Server) -> HTMLResponse:
    return _confirm_page(request, db, state, token, act=True)
