"""The signed link tokens (consent.tokens) and the one-click unsubscribe header values: a genuine token
opens until it expires, and every alteration — one character of the text, one byte of the payload or the
tag, another key, another purpose — is refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.consent import doubleoptin, tokens
from leadgate.consent import unsubscribe as links

SECRET = b"test-secret-key-0123456789abcdef"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=365)

point_ids = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
campaigns = st.text(min_size=1, max_size=60).filter(lambda c: len(c.encode()) <= 255)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@given(point=point_ids, campaign=campaigns)
def test_a_genuine_token_opens_to_what_it_was_made_of(point: str, campaign: str) -> None:
    token = links.make_token(SECRET, contact_point_id=point, campaign=campaign, expires_at=LATER)
    assert links.read_token(SECRET, token, now=NOW) == links.Unsubscribe(point, campaign, LATER)
    assert point not in token and "@" not in token  # the URL shows no id or address in clear


@given(point=point_ids, campaign=campaigns, data=st.data())
def test_changing_any_one_character_is_refused(point: str, campaign: str, data: st.DataObject) -> None:
    token = links.make_token(SECRET, contact_point_id=point, campaign=campaign, expires_at=LATER)
    at = data.draw(st.integers(0, len(token) - 1), label="position")
    other = data.draw(st.characters(codec="utf-8").filter(lambda c: c != token[at]), label="replacement")
    with pytest.raises(tokens.BadToken):
        links.read_token(SECRET, token[:at] + other + token[at + 1:], now=NOW)


@given(point=point_ids, campaign=campaigns, data=st.data())
def test_changing_any_one_byte_of_payload_or_tag_is_refused(point: str, campaign: str, data: st.DataObject) -> None:
    payload_text, tag_text = links.make_token(SECRET, contact_point_id=point, campaign=campaign,
                                              expires_at=LATER).split(".")
    parts = [bytearray(_unb64(payload_text)), bytearray(_unb64(tag_text))]
    part = data.draw(st.sampled_from([0, 1]), label="part")
    at = data.draw(st.integers(0, len(parts[part]) - 1), label="byte")
    parts[part][at] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(tokens.BadToken):
        links.read_token(SECRET, f"{_b64(bytes(parts[0]))}.{_b64(bytes(parts[1]))}", now=NOW)


@given(junk=st.text(max_size=300))
def test_arbitrary_text_is_refused_without_crashing(junk: str) -> None:
    with pytest.raises(tokens.BadToken):
        links.read_token(SECRET, junk, now=NOW)


def test_the_unused_bits_of_a_last_character_count_too() -> None:
    # base64 leaves low bits of a part's last character unused; a decoder ignores them, the codec may not.
    token = links.make_token(SECRET, contact_point_id="a" * 32, campaign="winter-2026", expires_at=LATER)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    ends = [token.index("."), len(token)]
    for end in ends:
        for other in alphabet.replace(token[end - 1], ""):
            with pytest.raises(tokens.BadToken):
                links.read_token(SECRET, token[:end - 1] + other + token[end:], now=NOW)


def test_truncated_extended_and_reencoded_tokens_are_refused() -> None:
    token = links.make_token(SECRET, contact_point_id="a" * 32, campaign="winter-2026", expires_at=LATER)
    payload, tag = token.split(".")
    for altered in (token[:-1], token + "A", token + "=", f"{payload}=.{tag}", f"{payload}.{tag}==",
                    f"{payload} .{tag}", f"{payload}.{tag}\n", f"{tag}.{payload}", payload, ""):
        with pytest.raises(tokens.BadToken):
            links.read_token(SECRET, altered, now=NOW)


def test_another_key_or_another_purpose_is_refused() -> None:
    token = links.make_token(SECRET, contact_point_id="a" * 32, campaign="winter-2026", expires_at=LATER)
    with pytest.raises(tokens.BadToken):
        links.read_token(b"another-secret-key-0123456789abc", token, now=NOW)
    # A confirmation link's token does not unsubscribe, and an unsubscribe token confirms nothing.
    confirmation = doubleoptin.make_token(SECRET, request_id="a" * 32, expires_at=LATER)
    with pytest.raises(tokens.BadToken):
        links.read_token(SECRET, confirmation, now=NOW)
    with pytest.raises(tokens.BadToken):
        doubleoptin.read_token(SECRET, token, now=NOW)


def test_a_genuine_token_expires_at_its_moment() -> None:
    token = links.make_token(SECRET, contact_point_id="a" * 32, campaign="c", expires_at=LATER)
    assert links.read_token(SECRET, token, now=LATER - timedelta(seconds=1)).expires_at == LATER
    for now in (LATER, LATER + timedelta(days=400)):
        with pytest.raises(tokens.ExpiredToken) as expired:
            links.read_token(SECRET, token, now=now)
        assert expired.value.expires_at == LATER


def test_an_expired_confirmation_link_still_names_its_request() -> None:
    token = doubleoptin.make_token(SECRET, request_id="b" * 32, expires_at=NOW)
    assert doubleoptin.read_token(SECRET, token, now=NOW - timedelta(seconds=1)) == ("b" * 32, False)
    assert doubleoptin.read_token(SECRET, token, now=NOW) == ("b" * 32, True)


def test_header_values_follow_rfc_8058() -> None:
    url = "https://mail.example.org/u/abc.def"
    assert links.header_values(url) == {"List-Unsubscribe": f"<{url}>",
                                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    with_mailto = links.header_values(url, mailto="unsubscribe@example.org")
    assert with_mailto["List-Unsubscribe"] == f"<{url}>, <mailto:unsubscribe@example.org>"
