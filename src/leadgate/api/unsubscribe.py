"""One-click unsubscribe (RFC 8058): marketing asks for a signed link and the two header values per
recipient before a send; the recipient's mail client POSTs `List-Unsubscribe=One-Click` to the link
(no browser, no cookies, no redirect) or the person opens it and presses the button. Either records an
objection to e-mail before the answer returns. A GET never unsubscribes (mail scanners fetch links)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from leadgate.access.service import Principal
from leadgate.api import pages
from leadgate.api.consents import LINE
from leadgate.api.deps import Db, Server, require
from leadgate.consent import tokens
from leadgate.consent import unsubscribe as links
from leadgate.decisions.service import campaign_facts

router = APIRouter(tags=["unsubscribe"])

MAX_RECIPIENTS = 1000
ACTOR = "unsubscribe-link"


class LinksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipients: list[Annotated[str, Field(min_length=3, max_length=320, pattern=LINE)]] = Field(
        min_length=1, max_length=MAX_RECIPIENTS, description="E-mail addresses, up to 1000 per request.")
    campaign: str = Field(min_length=1, max_length=100, pattern=LINE,
                          description="The campaign id the mail is sent for.")


class UnsubscribeHeaders(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    list_unsubscribe: str = Field(alias="List-Unsubscribe", description="`<https://.../u/TOKEN>`")
    list_unsubscribe_post: str = Field(alias="List-Unsubscribe-Post",
                                       description="Always `List-Unsubscribe=One-Click`.")


class LinkOut(BaseModel):
    recipient: str = Field(description="The address as normalised (the order of the request is kept).")
    url: str = Field(description="The unsubscribe link, also for the visible link in the body.")
    headers: UnsubscribeHeaders = Field(description="Header values to add to this recipient's message.")


class LinksOut(BaseModel):
    campaign: str
    expires_at: datetime = Field(description="The links stop working after this moment.")
    links: list[LinkOut]


@router.post("/v1/unsubscribe-links", response_model=LinksOut, response_model_by_alias=True,
             summary="Unsubscribe links and RFC 8058 header values per recipient",
             description="Roles: marketing, compliance, admin. Creates the e-mail contact point of an unknown "
                         "address. The link carries no personal data: a contact point id, the campaign and the "
                         "expiry, signed with the server's secret key.")
def make_links(body: LinksIn, db: Db, state: Server,
               _: Annotated[Principal, Depends(require("marketing", "compliance"))]) -> LinksOut:
    campaign_facts(db, body.campaign)  # an unknown campaign is refused (422 naming `campaign`)
    now = datetime.now(UTC)
    expires_at = (now + timedelta(days=state.settings.unsubscribe_link_days)).replace(microsecond=0)
    made = links.links_for(db, recipients=body.recipients, campaign=body.campaign,
                           secret=state.settings.secret_key_bytes(), public_url=state.settings.public_url,
                           expires_at=expires_at, now=now)
    return LinksOut(campaign=body.campaign, expires_at=expires_at, links=[
        LinkOut(recipient=link.recipient, url=link.url, headers=UnsubscribeHeaders.model_validate(link.headers))
        for link in made])


def _read(state: Server, token: str, lang: str) -> links.Unsubscribe | HTMLResponse:
    try:
        return links.read_token(state.settings.secret_key_bytes(), token, now=datetime.now(UTC))
    except tokens.ExpiredToken:
        return pages.page(lang, title="error.title", lines=["error.expired"], status_code=410)
    except tokens.BadToken:
        return pages.page(lang, title="error.title", lines=["error.invalid"], status_code=400)


@router.get("/u/{token}", response_class=HTMLResponse, tags=["links"],
            summary="The unsubscribe page: a button that POSTs (a GET unsubscribes nobody)")
def unsubscribe_page(token: str, request: Request, state: Server) -> HTMLResponse:
    lang = pages.negotiate(request.headers.get("accept-language"))
    read = _read(state, token, lang)
    if isinstance(read, HTMLResponse):
        return read
    return pages.page(lang, title="unsubscribe.title", lines=["unsubscribe.ask"],
                      form=pages.Form("unsubscribe.button", {"List-Unsubscribe": "One-Click"}))


@router.post("/u/{token}", response_class=HTMLResponse, tags=["links"],
             summary="One-click unsubscribe (RFC 8058): records an objection to e-mail; repeating it is harmless",
             description="No API key: the signed token authenticates. Send `List-Unsubscribe=One-Click` "
                         "form-encoded, as mail clients do; the body is not otherwise needed.")
def unsubscribe(token: str, request: Request, db: Db, state: Server) -> HTMLResponse:
    lang = pages.negotiate(request.headers.get("accept-language"))
    read = _read(state, token, lang)
    if isinstance(read, HTMLResponse):
        return read
    done = links.unsubscribe(db, link=read, now=datetime.now(UTC), key=state.settings.suppression_key_bytes(),
                             actor=ACTOR)
    line = "unsubscribe.unknown" if not done.known else "unsubscribe.already" if done.already else "unsubscribe.done"
    return pages.page(lang, title="unsubscribe.title", lines=[line])
