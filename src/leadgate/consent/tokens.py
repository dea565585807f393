"""Signed, expiring tokens for the links that leave leadgate in e-mails and must come back unaltered
(one-click unsubscribe, double opt-in confirmation). A token reads `<payload>.<tag>`, both base64url
without padding: the payload is a version byte, the expiry (Unix seconds) and an opaque body of ids;
the tag is HMAC-SHA256 over the payload with a key derived per purpose from the secret key, so a token
made for one link never works for the other. Nothing in it is personal data, and the token is the only
authentication these links have: a single changed character is refused."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

VERSION = 1
_HEADER = struct.Struct(">BQ")  # version, expiry in Unix seconds
_TAG_BYTES = 32
# The longest token we ever make is a few hundred characters; refusing longer ones early bounds the work.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,1400}\.[A-Za-z0-9_-]{43}")


class BadToken(Exception):
    """Malformed, altered, or signed with another key or for another purpose."""


class ExpiredToken(Exception):
    """Genuine, but past its expiry. Carries the body: a caller may still say what the link was for."""

    def __init__(self, body: bytes, expires_at: datetime) -> None:
        super().__init__(f"expired at {expires_at.isoformat()}")
        self.body, self.expires_at = body, expires_at


@dataclass(frozen=True)
class Opened:
    body: bytes
    expires_at: datetime


def _key(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, b"leadgate-link-token:" + purpose.encode("ascii"), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("not base64url") from None
    # Unused low bits of the last character are ignored by the decoder: without this check two
    # different strings would carry the same bytes, and an altered character could pass.
    if _b64(raw) != text:
        raise BadToken("not canonical base64url")
    return raw


def seal(secret: bytes, purpose: str, body: bytes, *, expires_at: datetime) -> str:
    payload = _HEADER.pack(VERSION, int(expires_at.timestamp())) + body
    tag = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(tag)}"


def unseal(secret: bytes, purpose: str, token: str, *, now: datetime) -> Opened:
    """The body of a genuine token; BadToken when it is not one, ExpiredToken when it is but too late.
    The signature is checked before anything in the payload is believed."""
    if not _SHAPE.fullmatch(token):
        raise BadToken("not a token")
    encoded_payload, encoded_tag = token.split(".")
    payload, tag = _unb64(encoded_payload), _unb64(encoded_tag)
    expected = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()
    if len(tag) != _TAG_BYTES or not hmac.compare_digest(tag, expected):
        raise BadToken("signature does not match")
    if len(payload) < _HEADER.size:
        raise BadToken("too short")
    version, expiry = _HEADER.unpack_from(payload)
    if version != VERSION:
        raise BadToken(f"unknown token version {version}")
    expires_at = datetime.fromtimestamp(expiry, UTC)
    if now >= expires_at:
        raise ExpiredToken(payload[_HEADER.size:], expires_at)
    return Opened(payload[_HEADER.size:], expires_at)


def pack_strings(*values: str) -> bytes:
    """Length-prefixed UTF-8 strings (each at most 255 bytes): the body of a token."""
    out = bytearray()
    for value in values:
        raw = value.encode("utf-8")
        if len(raw) > 255:
            raise ValueError("a token field is at most 255 bytes")
        out += bytes([len(raw)]) + raw
    return bytes(out)


def unpack_strings(body: bytes, count: int) -> tuple[str, ...]:
    values: list[str] = []
    at = 0
    for _ in range(count):
        if at >= len(body) or at + 1 + body[at] > len(body):
            raise BadToken("body too short")
        try:
            values.append(body[at + 1:at + 1 + body[at]].decode("utf-8"))
        except UnicodeDecodeError:
            raise BadToken("body not UTF-8") from None
        at += 1 + body[at]
    if at != len(body):
        raise BadToken("body too long")
    return tuple(values)
