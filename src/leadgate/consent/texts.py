"""The registry of consent texts by version: marketing registers the exact wording of a form once, a form
then sends the version instead of the text, and a version can never come to mean another wording.
Flushes, never commits."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from leadgate.consent.models import ConsentText
from leadgate.kit.errors import Conflict, InvalidInput, NotFound
from leadgate.ledger import service as ledger


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def register(session: Session, *, version: str, text: str, now: datetime, actor: str) -> tuple[ConsentText, bool]:
    """(the registered text, whether it is new). The same version with the same text again is a no-op;
    with another text it is a Conflict: consents already given under that version keep their meaning."""
    if not version.strip() or version != version.strip():
        raise InvalidInput("version must be non-empty, without surrounding spaces.", field="version")
    if not text.strip():
        raise InvalidInput("A consent text cannot be empty.", field="text")
    known = session.get(ConsentText, version)
    if known is not None:
        if known.text != text:
            raise Conflict(f"Consent text version {version!r} is registered with another text "
                           f"(sha256 {known.sha256}); register the new wording under a new version.", field="text")
        return known, False
    row = ConsentText(version=version, text=text, sha256=sha256(text), created_at=now)
    session.add(row)
    session.flush()
    ledger.append(session, kind="consent_text.registered", actor=actor, at=now,
                  data={"version": version, "text_sha256": row.sha256})
    return row, True


def get(session: Session, version: str) -> ConsentText:
    row = session.get(ConsentText, version)
    if row is None:
        raise NotFound(f"No consent text version {version!r} is registered.", field="version")
    return row


def resolve(session: Session, *, text: str | None, version: str | None) -> tuple[str, str | None]:
    """(the exact text, its registered version or None) of a submitted consent. A version must be
    registered; a text sent with it must be that version's text, character for character."""
    if version is None:
        if text is None or not text.strip():
            raise InvalidInput("Send the exact consent text shown to the person, or its registered text_version.",
                               field="text")
        return text, None
    row = session.get(ConsentText, version)
    if row is None:
        raise InvalidInput(f"text_version {version!r} is not registered; register it with POST /v1/consent-texts "
                           "or send the text itself.", field="text_version")
    if text is not None and text != row.text:
        raise Conflict(f"The text sent differs from registered version {version!r} (sha256 {row.sha256}).",
                       field="text")
    return row.text, version
