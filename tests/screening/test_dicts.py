"""The representatives' rows as dicts: each distinct moment of a zoned column built once, the same dicts."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening.bulk import _dicts

moments = st.one_of(st.none(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                                            timezones=st.just(UTC)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-10, 10), moments, moments, st.one_of(st.none(), st.text(max_size=5))),
                max_size=30),
       st.sampled_from(["UTC", "Europe/Amsterdam"]))
def test_dicts_equal_polars_own(rows: list[tuple[int, datetime | None, datetime | None, str | None]],
                                zone: str) -> None:
    frame = pl.DataFrame(rows, schema={"_row": pl.Int64, "reg0_at": pl.Datetime("us", "UTC"),
                                       "naive": pl.Datetime("us"), "raw": pl.String}, orient="row")
    frame = frame.with_columns(pl.col("reg0_at").dt.convert_time_zone(zone))
    expected = frame.to_dicts()
    got = _dicts(frame)
    assert got == expected
    # Equal values in the same zone, not only equal instants.
    assert [r["reg0_at"].tzinfo if r["reg0_at"] else None for r in got] == \
        [r["reg0_at"].tzinfo if r["reg0_at"] else None for r in expected]
