"""One-click unsubscribe for marketing e-mail (RFC 8058): per recipient a signed, expiring link and the
`List-Unsubscribe` / `List-Unsubscribe-Post` header values, and the objection its POST records.

The link's token carries the recipient's contact point id, the campaign and the expiry (see
consent.tokens), never the address. Following it records an objection on channel email through
consent.service (suppressed at once, pushed to call centres like any objection); a second POST finds the
address already suppressed and records nothing more. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.consent import service as consents
from leadgate.consent import tokens
from leadgate.consent.models import Objection
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.people.models import ContactPoint

PURPOSE = "unsubscribe"
POST_HEADER_VALUE = "List-Unsubscribe=One-Click"  # RFC 8058 §3.1: exactly this
VIA = "one-click-unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    contact_point_id: str
    campaign: str
    expires_at: datetime


@dataclass(frozen=True)
class Link:
    recipient: str  # as normalised
    url: str
    headers: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class Done:
    objection: Objection | None  # None when nothing was (or could be) recorded
    already: bool  # the address was already suppressed for e-mail: nothing new recorded
    known: bool  # False when the contact point no longer exists (erased)


def make_token(secret: bytes, *, contact_point_id: str, campaign: str, expires_at: datetime) -> str:
    return tokens.seal(secret, PURPOSE, tokens.pack_strings(contact_point_id, campaign), expires_at=expires_at)


def read_token(secret: bytes, token: str, *, now: datetime) -> Unsubscribe:
    """BadToken / ExpiredToken from consent.tokens when it is not a live token of ours."""
    opened = tokens.unseal(secret, PURPOSE, token, now=now)
    point_id, campaign = tokens.unpack_strings(opened.body, 2)
    return Unsubscribe(point_id, campaign, opened.expires_at)


def header_values(url: str, *, mailto: str | None = None) -> dict[str, str]:
    """RFC 2369 / 8058 header values: the HTTPS URI in angle brackets (a mailto, if any, after it)."""
    listed = f"<{url}>" + (f", <mailto:{mailto}>" if mailto else "")
    return {"List-Unsubscribe": listed, "List-Unsubscribe-Post": POST_HEADER_VALUE}


def link_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/u/{token}"


def links_for(session: Session, *, recipients: list[str], campaign: str, secret: bytes, public_url: str,
              expires_at: datetime, now: datetime) -> list[Link]:
    """One link per recipient (in order), creating the e-mail contact point of an unknown address (a
    person of kind consumer: the strictest reading until the store learns more)."""
    addresses = []
    for number, raw in enumerate(recipients):
        try:
            medium, value, _, _ = people.normalise(raw, country=None)
        except InvalidInput as bad:
            raise InvalidInput(f"recipients[{number}]: {bad.message}", field=f"recipients.{number}") from None
        if medium != "email":
            raise InvalidInput(f"recipients[{number}] is not an e-mail address.", field=f"recipients.{number}")
        addresses.append(value)
    # One query for the addresses already known (a send list is mostly known people), then the new ones.
    points = {point.value: point for point in session.scalars(select(ContactPoint).where(
        ContactPoint.medium == "email", ContactPoint.value.in_(set(addresses))))}
    links = []
    for address in addresses:
        point = points.get(address) or people.find_or_create_contact(session, address, country=None,
                                                                      kind="consumer", now=now)
        points[address] = point
        token = make_token(secret, contact_point_id=point.id, campaign=campaign, expires_at=expires_at)
        url = link_url(public_url, token)
        links.append(Link(point.value, url, header_values(url), expires_at))
    return links


def unsubscribe(session: Session, *, link: Unsubscribe, now: datetime, key: bytes, actor: str) -> Done:
    """Record the objection to e-mail of the link's address, unless it already objected to e-mail."""
    point = session.get(ContactPoint, link.contact_point_id)
    if point is None or point.medium != "email":
        return Done(None, already=False, known=False)
    if {"email", "all"} & consents.suppressed_channels(session, contact=point.value, country=None, key=key):
        return Done(None, already=True, known=True)
    objection = consents.record_objection(session, contact=point.value, country=None, channel="email", at=now,
                                          via=VIA, actor=actor, key=key)
    # Which campaign's mail the person answered: complaints and opt-outs are tracked per campaign.
    ledger.append(session, kind="unsubscribe.one_click", actor=actor, at=now, subject=point.person_id, data={
        "objection": objection.id, "contact_point": point.id, "campaign": link.campaign})
    return Done(objection, already=False, known=True)

