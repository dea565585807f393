"""Decided and rejected rows put back in the candidates' order."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from leadgate.screening.service import in_row_order


@given(rows=st.lists(st.integers(0, 10_000), unique=True, max_size=60), split=st.lists(st.booleans(), max_size=60),
       shuffled=st.booleans(), seed=st.integers(0, 1000))
def test_rows_are_merged_in_row_order_with_their_columns(rows: list[int], split: list[bool], shuffled: bool,
                                                         seed: int) -> None:
    frame = pl.DataFrame({"_row": sorted(rows), "allowed": [r % 3 == 0 for r in sorted(rows)]},
                         schema={"_row": pl.Int64, "allowed": pl.Boolean}).with_columns(
        (pl.col("_row") * 7).cast(pl.UInt32).alias("_outcome"))
    if shuffled:  # stored candidates need not come in row order: then sorted
        frame = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    mask = pl.Series([split[i % len(split)] if split else False for i in range(frame.height)], dtype=pl.Boolean)
    good = frame.filter(mask)
    rejected = frame.filter(~mask).select("_outcome", "allowed", "_row")  # columns in another order
    out = in_row_order(good, rejected)
    assert out.columns == good.columns
    assert out.equals(frame.sort("_row"))
