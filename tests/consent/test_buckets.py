"""The phone prefilter: SipHash-2-4 against the published vectors, numpy against the plain reference."""

from __future__ import annotations

import hashlib
import hmac
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.consent.buckets import (
    BUCKET_BITS,
    e164_digits,
    extension,
    phone_bucket,
    phone_buckets,
    siphash24,
    siphash24_u64,
)
from leadgate.consent.service import suppression_digest
from leadgate.consent.suppressed import phone_digests
from leadgate.kit.errors import InvalidInput

PAPER_KEY = bytes(range(16))
KEY = b"test-suppression-key-0123456789"

# vectors.h of the SipHash reference implementation: key 00..0f, message 00..(n-1), the 64-bit result as
# its 8 little-endian bytes; n = 0..16 covers the empty message, every tail length and 1 and 2 full blocks.
VECTORS = [
    "310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785", "b7877127e09427cf",
    "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab", "6224939a79f5f593", "b0e4a90bdf82009e",
    "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4", "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7",
    "e545be4961ca29a1", "db9bc2577fcc2a3f",
]


@pytest.mark.parametrize("length", range(len(VECTORS)))
def test_the_reference_matches_the_published_vectors(length: int) -> None:
    expected = int.from_bytes(bytes.fromhex(VECTORS[length]), "little")
    assert siphash24(PAPER_KEY, bytes(range(length))) == expected


def test_the_papers_worked_examples() -> None:
    assert siphash24(PAPER_KEY, b"") == 0x726FDB47DD0E0E31
    assert siphash24(PAPER_KEY, bytes(range(15))) == 0xA129CA6149BE45E5
    assert siphash24(PAPER_KEY, bytes(range(8))) == 0x93F5F5799A932462


# Both array implementations: the C extension's (where it was built) and numpy's.
IMPLEMENTATIONS = [pytest.param(None, id="numpy"), pytest.param(
    extension, id="C", marks=pytest.mark.skipif(extension is None, reason="the C extension was not built"))]


@pytest.mark.parametrize("compiled", IMPLEMENTATIONS)
def test_the_arrays_match_the_published_8_byte_vector(compiled: ModuleType | None) -> None:
    message = np.array([int.from_bytes(bytes(range(8)), "little")], dtype=np.uint64)
    assert int(siphash24_u64(PAPER_KEY, message, compiled=compiled)[0]) == 0x93F5F5799A932462


@pytest.mark.parametrize("compiled", IMPLEMENTATIONS)
@given(st.binary(min_size=16, max_size=16),
       st.lists(st.integers(min_value=0, max_value=2**64 - 1), min_size=0, max_size=40))
def test_the_arrays_equal_the_reference_for_any_key_and_message(compiled: ModuleType | None, key: bytes,
                                                                values: list[int]) -> None:
    got = siphash24_u64(key, np.array(values, dtype=np.uint64), compiled=compiled)
    assert got.dtype == np.uint64 and got.shape == (len(values),)
    assert [int(h) for h in got] == [siphash24(key, v.to_bytes(8, "little")) for v in values]


@pytest.mark.parametrize("compiled", IMPLEMENTATIONS)
def test_the_arrays_are_right_across_chunk_boundaries_and_for_int64_input(compiled: ModuleType | None) -> None:
    values = np.random.default_rng(7).integers(0, 10**15, size=(1 << 16) + 3, dtype=np.int64)
    got = siphash24_u64(PAPER_KEY, values, compiled=compiled)
    for i in (0, (1 << 16) - 1, 1 << 16, (1 << 16) + 2):
        assert int(got[i]) == siphash24(PAPER_KEY, int(values[i]).to_bytes(8, "little"))


@pytest.mark.skipif(extension is None, reason="the C extension was not built")
def test_c_and_numpy_agree_on_a_million_numbers_in_any_layout() -> None:
    values = np.random.default_rng(3).integers(-2**63, 2**63 - 1, size=1_000_003, dtype=np.int64)
    assert np.array_equal(siphash24_u64(KEY[:16], values), siphash24_u64(KEY[:16], values, compiled=None))
    strided = values[::3].reshape(-1, 1)  # not contiguous, two dimensions: copied, shape kept
    assert np.array_equal(siphash24_u64(KEY[:16], strided), siphash24_u64(KEY[:16], strided, compiled=None))


@pytest.mark.skipif(extension is None, reason="the C extension was not built")
def test_the_c_function_refuses_wrong_buffers() -> None:
    assert extension is not None
    with pytest.raises(ValueError, match="16-byte key"):
        extension.siphash24_u64(b"short", np.zeros(1, np.uint64), np.zeros(1, np.uint64))
    with pytest.raises(ValueError, match="as many 8-byte values"):
        extension.siphash24_u64(PAPER_KEY, np.zeros(2, np.uint64), np.zeros(1, np.uint64))
    with pytest.raises(TypeError):  # the output must be writable
        extension.siphash24_u64(PAPER_KEY, np.zeros(1, np.uint64), bytes(8))


def test_a_bucket_is_the_top_30_bits_of_siphash_under_the_derived_key() -> None:
    derived = hmac.new(KEY, b"leadgate suppression bucket v1", hashlib.sha256).digest()[:16]
    expected = siphash24(derived, (32470123456).to_bytes(8, "little")) >> (64 - BUCKET_BITS)
    assert phone_bucket(KEY, "+32470123456") == expected
    assert phone_buckets(KEY, np.array([32470123456], dtype=np.int64)).tolist() == [expected]


@given(st.lists(st.integers(min_value=10**6, max_value=10**15 - 1), min_size=1, max_size=30))
def test_buckets_are_30_bit_and_agree_one_by_one(numbers: list[int]) -> None:
    buckets = phone_buckets(KEY, np.array(numbers, dtype=np.int64))
    assert buckets.dtype == np.int64
    assert all(0 <= b < 2**30 for b in buckets.tolist())
    assert buckets.tolist() == [phone_bucket(KEY, f"+{n}") for n in numbers]


def test_the_bucket_depends_on_the_key() -> None:
    numbers = np.arange(31612345600, 31612345700, dtype=np.int64)
    other = phone_buckets(b"another-key-0123456789abcdef", numbers)
    assert (phone_buckets(KEY, numbers) != other).sum() > 90


@pytest.mark.parametrize("text", ["32470123456", "+", "+32 470", "+1234567890123456", "+3247O123456", "+٣٢٤"])
def test_only_e164_numbers_have_a_bucket(text: str) -> None:
    with pytest.raises(InvalidInput):
        e164_digits(text)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(InvalidInput, match="LEADGATE_SUPPRESSION_KEY"):
        phone_bucket(b"short", "+32470123456")


@given(st.binary(min_size=16, max_size=100), st.lists(st.integers(min_value=1, max_value=10**15 - 1), max_size=5))
def test_the_fast_hmac_equals_the_suppression_digest(key: bytes, numbers: list[int]) -> None:
    assert phone_digests(key, numbers) == [suppression_digest(key, f"phone:+{n}") for n in numbers]
