"""The digest that binds a batch of consents (one supplier file) to one ledger event.

An intake of a million rows appends one ledger event, not a million; its body carries this digest over
every consent the file brought in. Recomputing it from the stored rows shows that none of them was
changed, added or removed since: the evidence pack does exactly that for the consent it shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime


def consent_line(consent_id: str, text_sha256: str, given_at: datetime, source_code: str, channel: str) -> bytes:
    moment = given_at.replace(tzinfo=given_at.tzinfo or UTC).astimezone(UTC).isoformat()
    return f"{consent_id}\t{text_sha256}\t{moment}\t{source_code}\t{channel}\n".encode()


def batch_digest(consents: Iterable[tuple[str, str, datetime, str, str]]) -> str:
    """SHA-256 over (id, text hash, given_at in UTC, source code, channel) of each consent, in id order."""
    digest = hashlib.sha256()
    for row in sorted(consents, key=lambda c: c[0]):
        digest.update(consent_line(*row))
    return digest.hexdigest()
