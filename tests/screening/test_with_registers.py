"""with_registers (binary search of the sorted numbers) equals the plain left join it replaced, for random register
states (with and without a full snapshot, with check-service answers overriding it) and random rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
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
    st.booleans(),  # uniform: a full snapshot's list alone, every number listed at its moment
)


@settings(max_examples=200, deadline=None)
@given(specs=st.lists(state_spec, min_size=1, max_size=3),
       rows=st.lists(st.one_of(st.none(), st.integers(0, 60)), max_size=60))
def test_the_lookup_equals_a_left_join(specs: list[tuple[bool, dict[int, tuple[bool, int]]], bool],
                                       rows: list[int | None]) -> None:
    states = []
    for i, (full, entries, alone) in enumerate(specs):
        uniform = full and alone
        default = BASE - timedelta(days=1) if full else None
        numbers = pl.DataFrame({"number": sorted(entries),
                                "listed": [uniform or entries[n][0] for n in sorted(entries)],
                                "checked_at": [default if uniform else BASE + timedelta(days=entries[n][1])
                                               for n in sorted(entries)]},
                               schema=STATE_SCHEMA)
        states.append(RegisterState(f"xx-r{i}", (i,), default, numbers, uniform))
    frame = pl.DataFrame({"_row": range(len(rows)), "number": rows}, schema={"_row": pl.Int64, "number": pl.Int64})
    assert with_registers(frame, states).equals(_reference(frame, states))


def test_a_long_list_in_no_order_equals_the_join() -> None:
    """Enough rows for polars to sort them on several threads, many numbers repeated and missing."""
    import numpy as np

    rng = np.random.default_rng(7)
    states = []
    for i, full in enumerate((True, False)):
        keys = np.unique(rng.integers(0, 10**6, 50_000))
        numbers = pl.DataFrame({"number": keys, "listed": rng.random(keys.size) < 0.8,
                                "checked_at": [BASE + timedelta(days=int(d)) for d in rng.integers(0, 5, keys.size)]},
                               schema=STATE_SCHEMA)
        states.append(RegisterState(f"xx-r{i}", (i,), BASE if full else None, numbers))
    values = rng.integers(-5, 10**6, 300_000).astype(object)
    listed = states[0].numbers["number"].to_numpy()
    values[::3] = listed[rng.integers(0, listed.size, values[::3].size)]
    values[::11] = None
    frame = pl.DataFrame({"_row": range(values.size), "number": list(values)},
                         schema={"_row": pl.Int64, "number": pl.Int64})
    assert with_registers(frame, states).equals(_reference(frame, states))


def test_a_uniform_state_needs_the_full_snapshots_moment() -> None:
    with pytest.raises(ValueError, match="needs its moment"):
        RegisterState("xx-r0", (1,), None, pl.DataFrame(schema=STATE_SCHEMA), uniform=True)
