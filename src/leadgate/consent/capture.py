"""Consent capture from a web form: the submission as the form's backend posts it for the person, the
exact text (sent or looked up by its registered version), the server's own clock, and a receipt a site
can show or e-mail. Phone and SMS consents are recorded at once; e-mail consents wait for the person's
confirmation (consent.doubleoptin). Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from leadgate.consent import doubleoptin, texts
from leadgate.consent import service as consents
from leadgate.kit.errors import InvalidInput
from leadgate.kit.settings import Settings
from leadgate.people import service as people

WEBFORM = "webform"


@dataclass(frozen=True)
class Submission:
    channel: str
    purpose: str
    kind: str
    contact: str
    country: str | None
    text: str | None
    text_version: str | None
    source: str
    ip_address: str
    user_agent: str
    single_use: bool = False
    own_initiative: bool = False


@dataclass(frozen=True)
class Receipt:
    id: str  # the consent's id, or the pending request's
    status: str  # active | pending_confirmation
    channel: str
    purpose: str
    kind: str
    text: str
    text_sha256: str
    text_version: str | None
    source: str
    contact: str  # masked
    submitted_at: datetime
    given_at: datetime | None  # None until confirmed
    confirm_url: str | None = None
    confirm_by: datetime | None = None


def mask(medium: str, value: str) -> str:
    """Enough for the person to recognise their own address or number, too little to learn someone else's."""
    if medium == "email":
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    return f"{value[:3]}{'*' * max(len(value) - 5, 1)}{value[-2:]}"


def capture(session: Session, *, form: Submission, settings: Settings, now: datetime, actor: str) -> Receipt:
    medium, value, _, _ = people.normalise(form.contact, country=form.country)
    wanted = "email" if form.channel == "email" else "phone"
    if medium != wanted:
        needed = "an e-mail address" if wanted == "email" else "a phone number"
        raise InvalidInput(f"A consent for channel {form.channel} needs {needed} as contact.", field="contact")
    if not form.source.strip():
        raise InvalidInput("source (the code of the form or landing page) must not be blank.", field="source")
    text, version = texts.resolve(session, text=form.text, version=form.text_version)
    common = {"channel": form.channel, "purpose": form.purpose, "kind": form.kind, "text": text,
              "text_sha256": texts.sha256(text), "text_version": version, "source": form.source.strip(),
              "contact": mask(medium, value), "submitted_at": now}
    if form.channel == "email":
        secret = settings.secret_key_bytes()  # before anything is stored: no link, no request
        expires_at = (now + timedelta(days=settings.consent_confirm_days)).replace(microsecond=0)
        request = doubleoptin.request_consent(
            session, contact=value, country=form.country, kind=form.kind, purpose=form.purpose, text=text,
            text_version=version, source_code=form.source.strip(), ip_address=form.ip_address,
            user_agent=form.user_agent, single_use=form.single_use, own_initiative=form.own_initiative, now=now,
            expires_at=expires_at, actor=actor)
        token = doubleoptin.make_token(secret, request_id=request.id, expires_at=expires_at)
        return Receipt(id=request.id, status="pending_confirmation", given_at=None,
                       confirm_url=doubleoptin.confirm_url(settings.public_url, token), confirm_by=expires_at,
                       **common)  # type: ignore[arg-type]
    consent = consents.give_consent(
        session, contact=value, country=form.country, kind=form.kind, channel=form.channel, text=text,
        source_code=form.source, given_at=now, now=now, actor=actor, purpose=form.purpose, text_version=version,
        collection_method=WEBFORM, ip_address=form.ip_address, user_agent=form.user_agent,
        single_use=form.single_use, own_initiative=form.own_initiative)
    return Receipt(id=consent.id, status="active", given_at=now, **common)  # type: ignore[arg-type]
