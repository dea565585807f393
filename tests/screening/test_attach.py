"""with_points (attach_store with the points read) finds each row's stored point by its number: the same
rows as joining on the e164 text."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening.candidates import with_points
from leadgate.screening.storeview import PHONE_POINTS_SCHEMA

numbers = st.integers(3161000000, 3161000040).map(lambda n: f"+{n}")
# Stored values that are not "+" and digits must match nothing, even where their digits read as a number.
odd = st.sampled_from(["+03161000001", "++3161000002", "+3161000003 ", "3161000004", "", "+"])


def _joined(frame: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    # attach_store as it was: a left join on the e164 text.
    out = frame.join(points, on="e164", how="left", maintain_order="left")
    return out.with_columns(pl.coalesce("person_kind", "kind").alias("kind"),
                            pl.coalesce("person_job_title", "job_title").alias("job_title")).drop(
        "person_kind", "person_job_title")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(numbers, st.none()), max_size=40),
       st.lists(st.one_of(numbers, odd), unique=True, max_size=20),
       st.sampled_from(["consumer", None]))
def test_points_are_found_by_number_as_by_their_text(rows: list[str | None], stored: list[str],
                                                     kind: str | None) -> None:
    frame = pl.DataFrame({"_row": range(len(rows)), "e164": rows, "kind": [kind] * len(rows),
                          "job_title": [None] * len(rows)},
                         schema={"_row": pl.Int64, "e164": pl.String, "kind": pl.String, "job_title": pl.String})
    frame = frame.with_columns(pl.col("e164").str.slice(1).cast(pl.Int64).alias("number"))
    points = pl.DataFrame([(v, f"cp{i}", f"p{i}", "business" if i % 2 else None, "BE" if i % 3 else None,
                            f"title {i}" if i % 4 else None) for i, v in enumerate(stored)],
                          schema=PHONE_POINTS_SCHEMA, orient="row")
    got = with_points(frame, points)
    expected = _joined(frame, points.filter(pl.col("e164").str.contains(r"^\+[1-9][0-9]*$")))
    assert got.columns == expected.columns
    assert got.to_dicts() == expected.to_dicts()
    # The odd values indeed never match: joining on the text would find none of them either.
    assert got["contact_point_id"].drop_nulls().to_list() == \
        _joined(frame, points)["contact_point_id"].drop_nulls().to_list()
