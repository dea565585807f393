"""Double opt-in for e-mail consents: a form's submission is kept as a ConsentRequest (never read as a
consent) with a signed, expiring confirmation link; the consent is recorded only when the person confirms,
with the confirmation as its moment and a `consent.confirmed` ledger event that ties it to the request and
its submission time. Confirming twice gives the same consent. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.consent import service as consents
from leadgate.consent import texts, tokens
from leadgate.consent.models import Consent, ConsentRequest
from leadgate.kit.moments import from_store, to_store
from leadgate.ledger import service as ledger

PURPOSE = "consent-confirm"
METHOD = "webform-double-opt-in"


@dataclass(frozen=True)
class Confirmed:
    consent: Consent
    request: ConsentRequest
    already: bool  # confirmed before: nothing new recorded


class RequestGone(Exception):
    """The link is genuine but its request no longer exists (erased) or has expired unconfirmed."""


def make_token(secret: bytes, *, request_id: str, expires_at: datetime) -> str:
    return tokens.seal(secret, PURPOSE, tokens.pack_strings(request_id), expires_at=expires_at)


def read_token(secret: bytes, token: str, *, now: datetime) -> tuple[str, bool]:
    """(the request id, whether the link has expired) of a genuine token; BadToken when it is not one.
    An expired link still names its request: a request confirmed in time answers it as confirmed."""
    try:
        return tokens.unpack_strings(tokens.unseal(secret, PURPOSE, token, now=now).body, 1)[0], False
    except tokens.ExpiredToken as expired:
        return tokens.unpack_strings(expired.body, 1)[0], True


def confirm_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/confirm/{token}"


def request_consent(session: Session, *, contact: str, country: str | None, kind: str, purpose: str | None,
                    text: str, text_version: str | None, source_code: str, ip_address: str | None,
                    user_agent: str | None, single_use: bool, own_initiative: bool, now: datetime,
                    expires_at: datetime, actor: str) -> ConsentRequest:
    """Keep the submission (contact as normalised) until it is confirmed; the ledger records that it
    was submitted (ids and hashes only: no person exists yet, and none is created for an unconfirmed form)."""
    request = ConsentRequest(contact=contact, country=country, kind=kind, channel="email", purpose=purpose,
                             text=text, text_version=text_version, source_code=source_code, ip_address=ip_address,
                             user_agent=user_agent, single_use=single_use, own_initiative=own_initiative,
                             submitted_at=to_store(now), expires_at=to_store(expires_at))
    session.add(request)
    session.flush()
    ledger.append(session, kind="consent.requested", actor=actor, at=now, data={
        "request": request.id, "channel": "email", "source": source_code, "text_sha256": texts.sha256(text),
        "text_version": text_version, "submitted_at": now.isoformat(), "expires_at": expires_at.isoformat()})
    return request


def find_request(session: Session, request_id: str) -> ConsentRequest | None:
    return session.get(ConsentRequest, request_id)


def confirm(session: Session, *, request_id: str, now: datetime, actor: str, link_expired: bool = False
            ) -> Confirmed:
    """Record the consent of a request (RequestGone if it no longer exists or expired unconfirmed).
    The row is locked first, so two clicks at once record one consent."""
    request = session.scalars(select(ConsentRequest).where(ConsentRequest.id == request_id)
                              .with_for_update()).first()
    if request is None:
        raise RequestGone("no such request")
    if request.confirmed_at is not None:
        consent = session.get(Consent, request.consent_id) if request.consent_id else None
        if consent is not None:
            return Confirmed(consent, request, already=True)
        raise RequestGone("the consent of this request was erased")
    if link_expired or now >= from_store(request.expires_at):
        raise RequestGone("expired")
    consent = consents.give_consent(
        session, contact=request.contact, country=request.country, kind=request.kind, channel=request.channel,
        text=request.text, source_code=request.source_code, given_at=now, now=now, actor=actor,
        purpose=request.purpose, text_version=request.text_version, collection_method=METHOD,
        ip_address=request.ip_address, user_agent=request.user_agent, single_use=request.single_use,
        own_initiative=request.own_initiative)
    request.confirmed_at, request.consent_id = to_store(now), consent.id
    session.flush()
    ledger.append(session, kind="consent.confirmed", actor=actor, at=now, subject=consent.person_id, data={
        "consent": consent.id, "request": request.id, "submitted_at": from_store(request.submitted_at).isoformat(),
        "confirmed_at": now.isoformat()})
    return Confirmed(consent, request, already=False)
