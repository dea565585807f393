"""with_registers (is_in + binary search) equals the plain left join it replaced, for random register
states (with and without a full snapshot, with check-service answers overriding it) and random rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.registers.lookup import STATE_SCHEMA, RegisterState
from leadgate.screening.bulk import register_columns
from leadgate.screening.service import with_registers

BASE = datetime(2026, 11, 1, tzinfo=UTC)


def _reference(frame: pl.DataFrame, states: list[RegisterState]) -> pl.DataFrame:
    for i, state in enumerate(states):
        listed, at = register_columns(i)
        numbers = state.numbers.select(pl.col("number"), pl.col("listed").alias(listed),
                                       pl.col("checked_at").dt.convert_time_zone("UTC").alias(at))
        frame = frame.join(numbers, on="number", how="left", maintain_order="left")
        if state.default_checked_at is not None:
            default = pl.lit(state.default_checked_at).dt.convert_time_zone("UTC")
            unseen = pl.col("number").is_not_null() & pl.col(at).is_null()
            frame = frame.with_columns(pl.when(unseen).then(pl.lit(False)).otherwise(pl.col(listed)).alias(listed),
                                       pl.when(unseen).then(default).otherwise(pl.col(at)).alias(at))
    return frame


state_spec = st.tuples(
    st.booleans(),  # a full snapshot
    st.dictionaries(st.integers(0, 60), st.tuples(st.booleans(), st.integers(0, 5)), max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(specs=st.lists(state_spec, min_size=1, max_size=3),
       rows=st.lists(st.one_of(st.none(), st.integers(0, 60)), max_size=60))
def test_the_lookup_equals_a_left_join(specs: list[tuple[bool, dict[int, tuple[bool, int]]]],
                                       rows: list[int | None]) -> None:
    states = []
    for i, (full, entries) in enumerate(specs):
        numbers = pl.DataFrame({"number": sorted(entries),
                                "listed": [entries[n][0] for n in sorted(entries)],
                                "checked_at": [BASE + timedelta(days=entries[n][1]) for n in sorted(entries)]},
                               schema=STATE_SCHEMA)
        states.append(RegisterState(f"xx-r{i}", (i,), BASE - timedelta(days=1) if full else None, numbers))
    frame = pl.DataFrame({"_row": range(len(rows)), "number": rows}, schema={"_row": pl.Int64, "number": pl.Int64})
    assert with_registers(frame, states).equals(_reference(frame, states))


def test_the_search_on_two_threads_equals_one_search() -> None:
    import numpy as np

    from leadgate.screening.service import _search

    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 10**9, 300_000))
    values = rng.integers(-1, 10**9, 1_200_001)
    values[::3] = keys[rng.integers(0, keys.size, values[::3].size)]
    assert np.array_equal(_search(keys, values), np.searchsorted(keys, values))
