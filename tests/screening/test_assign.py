"""The call-centre spread: FNV-1a of the person's key, the same column-wise as one key at a time."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.screening.assign import CallCentre, _spread, assign, fnv1a, spread_of


def test_fnv1a_gives_the_published_test_vectors() -> None:
    # From the FNV reference's test suite (Fowler/Noll/Vo, fnv_test.c: FNV1A_64).
    assert fnv1a(b"") == 0xCBF29CE484222325
    assert fnv1a(b"a") == 0xAF63DC4C8601EC8C
    assert fnv1a(b"foobar") == 0x85944171F73967E8


keys = st.one_of(st.text(max_size=40), st.from_regex(r"n:[1-9][0-9]{6,14}", fullmatch=True),
                 st.from_regex(r"[0-9a-f]{32}", fullmatch=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(keys, max_size=60))
def test_the_column_wise_spread_equals_spread_of_each_key(values: list[str]) -> None:
    assert _spread(pl.Series(values, dtype=pl.String)).to_list() == [spread_of(k) for k in values]


def test_shares_are_kept_and_a_person_keeps_the_call_centre_whatever_the_list() -> None:
    people = pl.DataFrame({"person_key": [f"n:3161{i:07d}" for i in range(100_000)],
                           "region": ["NL"] * 100_000, "customer": [False] * 100_000})
    centres = [CallCentre("a", "A", 70, frozenset()), CallCentre("b", "B", 30, frozenset())]
    first = assign(people, centres)
    share = first["call_centre_id"].value_counts(normalize=True).sort("call_centre_id")["proportion"].to_list()
    assert abs(share[0] - 0.7) < 0.01 and abs(share[1] - 0.3) < 0.01
    # Screening another list (a part of it, in another order) gives each person the same call centre.
    again = assign(people.slice(40_000, 30_000).reverse(), centres)
    expected = dict(zip(first["person_key"], first["call_centre_id"], strict=True))
    assert all(expected[k] == c for k, c in again.select("person_key", "call_centre_id").iter_rows())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.sampled_from(["p1", "p2", "p3", "p4"]), st.integers(0, 10**6)),
                          st.sampled_from(["NL", "BE", "FR", None]), st.one_of(st.booleans(), st.none())),
                max_size=40),
       st.booleans())
def test_rows_alone_are_assigned_as_the_grouping_of_every_row_assigns_them(
        rows: list[tuple[str | int, str | None, bool | None]], regional: bool) -> None:
    # Rows of a number the store does not know are alone (numbers are distinct): assigning them without
    # grouping must give every row what grouping every row gives it, people of several rows included.
    seen: set[int] = set()
    unique = [r for r in rows if not isinstance(r[0], int) or not (r[0] in seen or seen.add(r[0]))]
    frame = pl.DataFrame({"person_key": [k if isinstance(k, str) else f"n:{k}" for k, _, _ in unique],
                          "region": [r for _, r, _ in unique], "customer": [c for _, _, c in unique]},
                         schema={"person_key": pl.String, "region": pl.String, "customer": pl.Boolean})
    centres = [CallCentre("a", "A", 70, frozenset()), CallCentre("b", "B", 30, frozenset())]
    if regional:
        centres.append(CallCentre("c", "C", 100, frozenset({"BE"})))
    grouped = assign(frame, centres)
    alone = assign(frame, centres, alone=pl.col("person_key").str.starts_with("n:"))
    assert alone.columns == grouped.columns
    assert alone.to_dicts() == grouped.to_dicts()
