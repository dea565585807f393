"""Webhook signatures: each call centre's secret, the `Leadgate-Signature` header leadgate sends, and
`verify`, the check a call centre runs on what it receives (standard library only, so it can be copied).

A call centre's secret is derived, never stored: HMAC-SHA256(LEADGATE_SECRET_KEY, "leadgate-webhook:" +
the call centre's partner id), as 64 hex characters. Rotating LEADGATE_SECRET_KEY therefore rotates every
call centre's secret at once (and the unsubscribe and confirmation links it also signs): hand each call
centre its new secret (`leadgate partner webhook NAME --show-secret`).

The header is `Leadgate-Signature: t=<unix seconds>,v1=<hex>` where hex = HMAC-SHA256(key=the secret's
64 ASCII characters, message=f"{t}.".encode() + the raw request body). Signing the timestamp with the
body lets a receiver refuse an old request replayed later (`tolerance`).
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Leadgate-Signature"
DELIVERY_HEADER = "Leadgate-Delivery"
TOLERANCE_SECONDS = 300
_CONTEXT = b"leadgate-webhook:"


def derive_secret(secret_key: bytes, partner_id: str) -> str:
    """The call centre's webhook secret (hex) from leadgate's secret key (`Settings.secret_key_bytes()`)."""
    return hmac.new(secret_key, _CONTEXT + partner_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _mac(secret: str, timestamp: int | str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The `Leadgate-Signature` header value for this body, signed now (or at `timestamp`)."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_mac(secret, moment, body)}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = TOLERANCE_SECONDS,
           now: float | None = None) -> bool:
    """True when `header` (the Leadgate-Signature value) signs exactly `body` (the raw bytes received,
    before any JSON parsing) with `secret`, at a time within `tolerance` seconds of `now`. False for a
    changed body, another secret, a stale or future timestamp (a replay), or a malformed header."""
    timestamp: str | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            timestamp = value
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = _mac(secret, timestamp, body)
    # compare_digest: the time taken does not tell an attacker how many characters matched.
    return any(hmac.compare_digest(expected.encode("ascii"), value.encode("utf-8")) for value in candidates)
