"""`export.leave_out_repeats` (a number on several allowed rows is called once, from its first row) equals
the window it replaced, on lists in any row order, with nulls, not-allowed rows and repeats."""

from __future__ import annotations

import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening.export import leave_out_repeats

DUPLICATE = 99


def _window(decided: pl.DataFrame) -> pl.DataFrame:
    """The previous formula: a row is a repeat when it is allowed, has a number, and is not the lowest _row
    among the allowed rows with that number."""
    first = pl.col("_row") == pl.col("_row").filter(pl.col("allowed")).min().over("number")
    duplicate = pl.col("allowed") & pl.col("number").is_not_null() & ~first
    return decided.with_columns(
        pl.when(duplicate).then(pl.lit(False)).otherwise(pl.col("allowed")).alias("allowed"),
        pl.when(duplicate).then(pl.lit(DUPLICATE, pl.UInt32)).otherwise(pl.col("_outcome")).alias("_outcome"))


rows = st.lists(st.tuples(st.none() | st.integers(31600000000, 31600000006), st.booleans(),
                          st.integers(0, 5)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(rows=rows, shuffled=st.randoms(use_true_random=False))
def test_equals_the_window(rows: list[tuple[int | None, bool, int]], shuffled: random.Random) -> None:
    order = list(range(len(rows)))
    shuffled.shuffle(order)  # decided frames are in row order; the function must not depend on it
    decided = pl.DataFrame({"_row": order, "number": [r[0] for r in rows], "allowed": [r[1] for r in rows],
                            "_outcome": [r[2] for r in rows]},
                           schema={"_row": pl.Int64, "number": pl.Int64, "allowed": pl.Boolean, "_outcome": pl.UInt32})
    assert leave_out_repeats(decided, outcome=DUPLICATE).equals(_window(decided))


def test_a_repeat_keeps_its_first_row_and_leaves_the_input_alone() -> None:
    decided = pl.DataFrame({"_row": [0, 1, 2, 3], "number": [5, 5, None, 5], "allowed": [False, True, True, True],
                            "_outcome": [1, 2, 3, 4]}, schema_overrides={"_outcome": pl.UInt32})
    before = decided.clone()
    out = leave_out_repeats(decided, outcome=DUPLICATE)
    assert out["allowed"].to_list() == [False, True, True, False]
    assert out["_outcome"].to_list() == [1, 2, 3, DUPLICATE]
    assert decided.equals(before)
