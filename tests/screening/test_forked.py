"""forked_map gives the same list as calling the function in this process, in order."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import polars as pl

from leadgate.screening.assign import _spread
from leadgate.screening.forked import forked_map


def _squares(items: Sequence[int]) -> list[int]:
    return [i * i for i in items]


def test_the_forked_map_equals_the_map_here_in_order() -> None:
    items = list(range(10_001))
    assert forked_map(_squares, items, minimum=10, jobs=2) == _squares(items)
    assert forked_map(_squares, items[:5], minimum=10, jobs=2) == _squares(items[:5])  # too few: here
    assert forked_map(_squares, [], minimum=0, jobs=2) == []


def test_a_person_is_spread_by_the_sha256_of_its_key_on_workers_too() -> None:
    keys = [f"n:3161234{i:04d}" for i in range(250_000)]  # above the threshold: hashed on workers
    expected = [int.from_bytes(hashlib.sha256(k.encode()).digest()[:4], "big") % 10_000 for k in keys]
    assert _spread(pl.Series(keys)).to_list() == expected
