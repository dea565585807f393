"""with_points (attach_store with the points read) finds each row's stored point by its number: the same
rows as joining on the e164 text, and the same frame as the join on the number it replaced (a binary
search of the list's sorted numbers, the sort shared with with_registers)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening.candidates import SortedNumbers, with_points
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


def _number_join(frame: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    # with_points as it was: a left join on the number, the points' columns gathered for every row.
    keyed = points.select(pl.col("e164").str.slice(1).cast(pl.Int64, strict=False).alias("number"),
                          pl.int_range(pl.len(), dtype=pl.Int64).alias("_at")).filter(
        points["e164"].str.contains(r"^\+[1-9][0-9]{0,17}$"))
    at = frame.select("number").join(keyed, on="number", how="left", maintain_order="left")["_at"]
    found = points.select("contact_point_id", "person_id", "person_kind", "person_country",
                          "person_job_title").gather(at)
    return frame.with_columns(
        pl.coalesce(found["person_kind"], pl.col("kind")).alias("kind"),
        pl.coalesce(found["person_job_title"], pl.col("job_title")).alias("job_title"),
    ).hstack(found.select("contact_point_id", "person_id", "person_country"))


# Beside a few close numbers: the longest the pattern takes (18 digits) and one digit more (in Int64 still).
listed = st.one_of(st.integers(3161000000, 3161000012), st.sampled_from([123456789012345678, 1234567890123456789]))
# Values whose digits read as a listed number without being it: leading zeros, spaces, a second "+", no "+".
malformed = st.one_of(
    listed.map(lambda n: f"+0{n}"), listed.map(lambda n: f"+00{n}"), listed.map(lambda n: f"+{n // 10**8} {n % 10**8}"),
    listed.map(lambda n: f"+{n} "), listed.map(lambda n: f" +{n}"), listed.map(lambda n: f"++{n}"), listed.map(str),
    listed.map(lambda n: f"+{n}\n"), st.sampled_from(["", "+", "+0", "+-1", "+99999999999999999999", "+\u0663\u0661"]))
person = st.tuples(st.sampled_from([None, "business", "consumer"]), st.sampled_from([None, "BE", "NL"]),
                   st.sampled_from([None, "director", "owner"]))


def _frame(rows: list[tuple[int | None, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame([(i + 2, n, "NL", kind, title) for i, (n, kind, title) in enumerate(rows)],
                        schema={"_row": pl.Int64, "number": pl.Int64, "country": pl.String, "kind": pl.String,
                                "job_title": pl.String}, orient="row")


def _points(stored: list[tuple[str | None, tuple[str | None, str | None, str | None]]]) -> pl.DataFrame:
    return pl.DataFrame([(v, f"cp{i}", f"p{i}", *facts) for i, (v, facts) in enumerate(stored)],
                        schema=PHONE_POINTS_SCHEMA, orient="row")


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), listed, st.integers(-2, 2)), st.sampled_from([None, "consumer"]),
                               st.sampled_from([None, "clerk"])), max_size=50),
       stored=st.lists(st.tuples(st.one_of(listed.map(lambda n: f"+{n}"), malformed, st.none()), person),
                       unique_by=lambda p: p[0], max_size=25),
       shared=st.booleans())
def test_the_search_equals_the_join_on_the_number(rows: list[tuple[int | None, str | None, str | None]],
                                                  stored: list[tuple[str | None, tuple[str | None, str | None,
                                                                                      str | None]]],
                                                  shared: bool) -> None:
    frame, points = _frame(rows), _points(stored)
    before = frame.clone()
    got = with_points(frame, points, order=SortedNumbers.of(frame)) if shared else with_points(frame, points)
    expected = _number_join(frame, points)
    assert got.schema == expected.schema
    assert got.equals(expected)
    assert frame.equals(before)  # the list's own columns are written beside, not over


def test_a_long_list_in_no_order_equals_the_join() -> None:
    """Enough rows for polars to sort them on several threads, numbers repeated, missing and unknown."""
    rng = np.random.default_rng(11)
    numbers = 31_600_000_000 + rng.integers(0, 400_000, 300_000)
    stored = np.unique(np.concatenate([rng.choice(numbers, 20_000), 31_600_000_000 + rng.integers(0, 10**6, 20_000)]))
    rng.shuffle(stored)
    values = [f"+{n}" if i % 17 else f"+0{n}" for i, n in enumerate(stored)]
    points = _points([(v, (None if i % 3 else "business", None if i % 5 else "BE", None if i % 2 else "owner"))
                      for i, v in enumerate(values)])
    column = pl.Series(numbers, dtype=pl.Int64).scatter(rng.choice(numbers.size, 30_000, replace=False), None)
    frame = _frame(list(zip(column.to_list(), rng.choice(["consumer", "business"], numbers.size).tolist(),
                            [None] * numbers.size, strict=True)))
    got = with_points(frame, points)
    assert got.equals(_number_join(frame, points))
    assert 0 < got["contact_point_id"].null_count() < frame.height
