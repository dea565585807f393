"""Setting where a call centre's opt-outs are pushed. A URL turns its pending pull-only rows into rows to
send now; removing it makes the call centre pull them from the API again. Each change is a ledger event
(which URL received opt-outs from when is evidence)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Partner
from leadgate.campaigns.service import partner_named
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import to_store
from leadgate.kit.settings import Settings
from leadgate.ledger import service as ledger
from leadgate.propagation.models import Propagation
from leadgate.propagation.signing import derive_secret

MAX_URL_LENGTH = 500  # partners.webhook_url


@dataclass(frozen=True)
class WebhookChange:
    partner: Partner
    rescheduled: int  # pending rows now due to be pushed (or, on removal, left to be pulled)
    warning: str | None


def call_centre_secret(settings: Settings, partner_id: str) -> str:
    """The secret a call centre verifies signatures with (derived from LEADGATE_SECRET_KEY)."""
    return derive_secret(settings.secret_key_bytes(), partner_id)


def check_url(url: str) -> str | None:
    """Raise InvalidInput for a URL leadgate cannot or should not POST to; return a warning for plain
    http to a host that is not this machine (opt-outs carry phone numbers and e-mail addresses)."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"The webhook URL is longer than {MAX_URL_LENGTH} characters.", field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number in range)
    except ValueError as exc:
        raise InvalidInput(f"{url!r} is not a URL: {exc}.", field="url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http:// or https:// URL with a host.", field="url")
    if parts.username is not None or parts.password is not None:
        # The signature proves the sender; a password in the URL would sit in the database in clear.
        raise InvalidInput("The webhook URL must not contain credentials; call centres verify the "
                           "Leadgate-Signature header instead.", field="url")
    if parts.fragment or any(c.isspace() for c in url):
        raise InvalidInput(f"{url!r} has a fragment or whitespace; give the URL the call centre POSTs to.",
                           field="url")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return (f"{parts.hostname} is reached over plain http: opt-outs (phone numbers, e-mail addresses) "
                "would cross the network unencrypted. Use https outside this machine.")
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def set_webhook(session: Session, *, partner: str, url: str | None, now: datetime, actor: str) -> WebhookChange:
    """Push this call centre's opt-outs to `url` from now on (None: it pulls them). Pending rows (not yet
    delivered nor acknowledged) become due at once, or pull-only on removal."""
    call_centre = partner_named(session, partner, kind="call_centre", field="partner")
    warning = check_url(url) if url is not None else None
    call_centre.webhook_url = url
    # With a URL, pull-only rows start being pushed and rows waiting out a backoff (often: the old URL
    # failed) are tried at the new one at once; without, every pending row waits to be pulled.
    due = to_store(now) if url is not None else None
    pending = (update(Propagation)
               .where(Propagation.call_centre_id == call_centre.id, Propagation.delivered_at.is_(None),
                      Propagation.acknowledged_at.is_(None))
               .values(next_attempt_at=due))
    rescheduled = session.execute(pending).rowcount or 0  # type: ignore[attr-defined]
    session.flush()
    ledger.append(session, kind="partner.webhook_set" if url else "partner.webhook_removed", actor=actor, at=now,
                  data={"partner": call_centre.id, "url": url})
    return WebhookChange(partner=call_centre, rescheduled=rescheduled, warning=warning)
