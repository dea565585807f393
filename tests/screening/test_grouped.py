"""bulk.grouped (a slice of rows at a time, then merged) gives what one group_by gives: the same groups, in
the same order, each with its members in row order."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening import bulk

KEY = ["kind", "region", "listed", "_person"]
rows = st.lists(st.tuples(st.sampled_from(["consumer", "business", None]), st.sampled_from(["NL", "BE", None]),
                          st.one_of(st.none(), st.booleans()), st.integers(0, 3)), max_size=80)


@settings(max_examples=200, deadline=None)
@given(rows=rows, size=st.integers(1, 9))
def test_slices_merged_equal_one_group_by(rows: list[tuple[str | None, str | None, bool | None, int]], size: int,
                                          ) -> None:
    frame = pl.DataFrame(rows, schema={"kind": pl.String, "region": pl.String, "listed": pl.Boolean,
                                       "_person": pl.UInt32}, orient="row").with_row_index("_i")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "GROUP_SLICE", size)
        got = bulk.grouped(frame, KEY)
    assert got.equals(frame.group_by(KEY, maintain_order=True).agg(pl.col("_i")))
