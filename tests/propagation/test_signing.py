"""The webhook signature: what leadgate signs, a call centre's `verify` accepts, and nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leadgate.propagation.signing import TOLERANCE_SECONDS, derive_secret, sign, verify

secrets = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
bodies = st.binary(max_size=2000)
moments = st.integers(min_value=1_000_000_000, max_value=4_000_000_000)


@given(secrets, bodies, moments, st.integers(min_value=-TOLERANCE_SECONDS, max_value=TOLERANCE_SECONDS))
def test_a_signed_body_verifies_within_the_tolerance(secret: str, body: bytes, at: int, skew: int) -> None:
    header = sign(secret, body, timestamp=at)
    assert verify(secret, body, header, now=at + skew)


@given(secrets, bodies, bodies, moments)
def test_a_changed_body_is_refused(secret: str, body: bytes, other: bytes, at: int) -> None:
    header = sign(secret, body, timestamp=at)
    assert verify(secret, other, header, now=at) == (other == body)


@given(secrets, secrets, bodies, moments)
def test_another_secret_is_refused(secret: str, other: str, body: bytes, at: int) -> None:
    header = sign(secret, body, timestamp=at)
    assert verify(other, body, header, now=at) == (other == secret)


@given(secrets, bodies, moments, st.integers(min_value=TOLERANCE_SECONDS + 1, max_value=10**8), st.booleans())
def test_a_stale_or_future_timestamp_is_refused(secret: str, body: bytes, at: int, skew: int, late: bool) -> None:
    """A request captured and replayed later (or dated ahead) fails even with its valid signature."""
    header = sign(secret, body, timestamp=at)
    assert not verify(secret, body, header, now=at + skew if late else at - skew)
    assert verify(secret, body, header, now=at + skew if late else at - skew, tolerance=skew)


@given(secrets, bodies, moments, st.integers(min_value=1, max_value=10**6))
def test_the_timestamp_is_signed(secret: str, body: bytes, at: int, shift: int) -> None:
    """Moving t forward to pass the replay window breaks the signature."""
    header = sign(secret, body, timestamp=at)
    forged = header.replace(f"t={at},", f"t={at + shift},")
    assert not verify(secret, body, forged, now=at + shift)


@given(secrets, bodies, st.text(max_size=200))
def test_a_malformed_header_is_refused_without_raising(secret: str, body: bytes, header: str) -> None:
    assert not verify(secret, body, header)


@given(secrets, bodies, moments)
def test_one_matching_v1_among_several_is_enough(secret: str, body: bytes, at: int) -> None:
    """Room for a secret rotation: the header may carry a signature per secret."""
    header = sign(secret, body, timestamp=at)
    assert verify(secret, body, f"t={at},v1={'0' * 64}," + header.split(",")[1], now=at)


def test_signing_now_uses_the_clock() -> None:
    header = sign("a" * 64, b"{}")
    assert verify("a" * 64, b"{}", header)


@given(st.binary(min_size=16, max_size=64), st.binary(min_size=16, max_size=64),
       st.text(min_size=1, max_size=32), st.text(min_size=1, max_size=32))
def test_each_call_centre_and_each_key_gets_its_own_secret(key: bytes, other_key: bytes, partner: str,
                                                           other_partner: str) -> None:
    secret = derive_secret(key, partner)
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert secret == derive_secret(key, partner)  # derived, so never stored
    assert (derive_secret(key, other_partner) == secret) == (other_partner == partner)
    assert (derive_secret(other_key, partner) == secret) == (other_key == key)
