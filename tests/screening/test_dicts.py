"""The representatives' rows (`_rows`): what `to_dicts()` gives, each distinct moment of a zoned column built
once, held column-wise and sliced as a list of those dicts would be."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening.bulk import Rows, _rows

moments = st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                                            timezones=st.just(UTC)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-10, 10), moments, moments, st.one_of(st.none(), st.text(max_size=5))),
                max_size=30),
       st.sampled_from(["UTC", "Europe/Amsterdam"]), st.integers(-35, 35), st.integers(-35, 35))
def test_rows_equal_polars_own_dicts_whole_and_sliced(
        rows: list[tuple[int, datetime | None, datetime | None, str | None]], zone: str, start: int,
        stop: int) -> None:
    frame = pl.DataFrame(rows, schema={"_row": pl.Int64, "reg0_at": pl.Datetime("us", "UTC"),
                                       "naive": pl.Datetime("us"), "raw": pl.String}, orient="row")
    frame = frame.with_columns(pl.col("reg0_at").dt.convert_time_zone(zone))
    expected = frame.to_dicts()
    got = _rows(frame)
    assert len(got) == len(expected) and list(got) == expected
    assert [got[i] for i in range(-len(expected), len(expected))] == expected + expected
    # Equal values in the same zone, not only equal instants.
    assert [r["reg0_at"].tzinfo if r["reg0_at"] else None for r in got] == \
        [r["reg0_at"].tzinfo if r["reg0_at"] else None for r in expected]
    # A slice of a slice, as the forked workers take theirs: the rows of the list's same slices.
    part = got[start:stop]
    assert isinstance(part, Rows) and list(part) == expected[start:stop] and len(part) == len(expected[start:stop])
    assert list(part[1:]) == expected[start:stop][1:]


def test_rows_out_of_range_and_with_a_step() -> None:
    rows = _rows(pl.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(IndexError):
        rows[3]
    with pytest.raises(IndexError):
        rows[-4]
    with pytest.raises(ValueError, match="without a step"):
        rows[::2]
    assert list(_rows(pl.DataFrame())) == [] and len(_rows(pl.DataFrame())) == 0
