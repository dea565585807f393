"""The C pass of the phone normaliser (intake/_phonesplit.c) gives exactly the polars path's answers:
without the patterns' program, the rows settled as not valid and per home region each row's national
number as written (`_front`); with it, every row settled as `_front` and `_classified` settle it."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.intake import cpass, phones
from leadgate.intake.cpass import program
from leadgate.intake.phonemeta import home_metas
from leadgate.intake.phones import _classified, _front, _split

pytestmark = pytest.mark.skipif(cpass.compiled is None, reason="the C extension is not built here")

# The characters that reach every branch of either half: digits, the separators, "+", "#", letters,
# ASCII and Unicode white space, the control characters Python's strip() knows and Rust's does not.
ALPHABET = "0123456789" * 4 + " -./()" * 2 + "+#xOé" + "\t\n\x0b\x0c\r\x1c\xa0\u2003"
REGIONS = ["NL", "BE", "FR", "DE", "GB", "US", "ES", None]


@st.composite
def raws(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["", "+", "00", "0", " +", "+31", "+32 (0)", "0031", "+44", "0044", "+49",
                                 "+33", "+1", "+0", "+999", "  ", "\t+"]))
    return head + draw(st.text(ALPHABET, max_size=24))


def _answers(settled: list[pl.DataFrame], rests: dict[str, pl.DataFrame]) -> tuple[set[int], dict[str, set]]:
    invalid = set(pl.concat(settled).filter(pl.col("e164").is_null())["_i"].to_list()) if settled else set()
    return invalid, {code: set(part.select("_i", "_rest").iter_rows()) for code, part in rests.items()
                     if part.height}


def _settled(settled: list[pl.DataFrame], rests: dict[str, pl.DataFrame]) -> set[tuple]:
    return set(pl.concat(settled + _classified(rests)).iter_rows())


@pytest.fixture
def without_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpass, "program", lambda: None)


def _frame(rows: list[tuple[str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame({"raw": [r for r, _ in rows], "region": [g for _, g in rows]},
                        schema={"raw": pl.String, "region": pl.String}).with_row_index("_i")


@settings(max_examples=800, deadline=None)
@given(st.lists(st.tuples(raws(), st.sampled_from(REGIONS)), min_size=1, max_size=60))
def test_the_c_pass_settles_every_row_as_polars_does(rows: list[tuple[str, str | None]]) -> None:
    frame = _frame(rows)
    assert program() is not None  # the home regions' patterns are all within digitdfa's syntax
    assert _settled(*_split(frame)) == _settled(*_front(frame))


@st.composite
def national_numbers(draw: st.DrawFn) -> tuple[str, str | None]:
    """Numbers of the home regions' own shapes (random digits are seldom valid): a region's code or its
    national format, then digits drawn from the leading digits its patterns start with."""
    region = draw(st.sampled_from(["NL", "BE", "FR", "DE", "GB"]))
    cc = {"NL": "31", "BE": "32", "FR": "33", "DE": "49", "GB": "44"}[region]
    lead = draw(st.sampled_from(["6", "61", "20", "10", "47", "49", "2", "3", "9", "15", "17", "30", "7", "74",
                                 "1481", "1534", "1624", "7624", "74576", "800", "900", "180020", "0", "8", "5"]))
    rest = lead + draw(st.text("0123456789", min_size=0, max_size=12))
    form = draw(st.sampled_from(["+", "00", "0", "bare", "+0"]))
    raw = {"+": f"+{cc} {rest}", "00": f"00{cc}{rest}", "0": f"0{rest}", "bare": rest, "+0": f"+{cc} (0){rest}"}[form]
    return raw, draw(st.sampled_from([region, region, None, "GB"]))


@settings(max_examples=800, deadline=None)
@given(st.lists(national_numbers(), min_size=1, max_size=60))
def test_the_c_classification_equals_the_polars_one(rows: list[tuple[str, str | None]]) -> None:
    frame = _frame(rows)
    assert _settled(*_split(frame)) == _settled(*_front(frame))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(raws(), st.sampled_from(REGIONS)), min_size=1, max_size=60))
def test_the_c_front_half_alone_equals_the_polars_one(rows: list[tuple[str, str | None]]) -> None:
    frame = _frame(rows)
    compiled_program, cpass.program = cpass.program, lambda: None  # type: ignore[assignment]
    try:
        assert _answers(*_split(frame)) == _answers(*_front(frame))
    finally:
        cpass.program = compiled_program  # type: ignore[method-assign]


@pytest.mark.parametrize(("raw", "region", "invalid", "rest"), [
    ("06 12345678", "NL", False, ("NL", "0612345678")),
    ("+31 (0)6-1234.5678", None, False, ("NL", "0612345678")),
    ("0032 470 12 34 56", "BE", False, ("BE", "470123456")),
    ("0032 470 12 34 56", "US", False, None),  # "00" is the home regions' prefix only: parse_phone's
    ("612345678", "NL", False, ("NL", "612345678")),
    ("31612345678", "NL", False, None),  # starts with the region's own code: parse_phone's
    ("+31", None, False, ("NL", "")),
    ("06 12345678", None, True, None),  # national, no region
    ("+999 123", None, True, None),  # no such country code
    ("00", "NL", True, None),
    ("+ - .", None, True, None),  # no digits
    ("06 1234 567x", "NL", True, None),  # a letter
    ("06 12345678 #12", "NL", False, ("NL", "0612345678")),  # an extension: polars' half answers it
    ("\xa006 12345678", "NL", False, ("NL", "0612345678")),  # non-ASCII white space: likewise
    ("+1 202 555 0100", None, False, None),  # not a home region: parse_phone's
    ("06" + "1" * 23, "NL", False, ("NL", "06" + "1" * 23)),  # longer than an int64 holds: polars' half
])
def test_each_kind_of_row(raw: str, region: str | None, invalid: bool, rest: tuple[str, str] | None,
                          without_program: None) -> None:
    got_invalid, got_rests = _answers(*_split(_frame([(raw, region)])))
    assert got_invalid == ({0} if invalid else set())
    assert got_rests == ({rest[0]: {(0, rest[1])}} if rest else {})


def test_chunks_sliced_views_and_nulls() -> None:
    """A column of several chunks, a slice that starts inside one (Arrow offsets) and nulls."""
    rows = [("06 1234567" + str(i % 10), "NL") for i in range(300)] + [(None, "NL"), ("+32 470 12 34 56", None)]
    frame = pl.concat([_frame(rows[:150]), _frame(rows[150:]).with_columns(pl.col("_i") + 150)], rechunk=False)
    assert frame["raw"].n_chunks() == 2
    for part in (frame, frame.slice(7, 250)):
        part = part.filter(pl.col("raw").is_not_null()) if part.height > 280 else part
        assert _settled(*_split(part)) == _settled(*_front(part))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(raws(), st.sampled_from(REGIONS)), min_size=1, max_size=60))
def test_rows_normalised_without_the_extension_are_the_same(rows: list[tuple[str, str | None]]) -> None:
    """Where the extension is not built (no C compiler), normalise_rows answers the same with polars alone."""
    frame = pl.DataFrame({"raw": [r for r, _ in rows], "region": [g for _, g in rows]},
                         schema={"raw": pl.String, "region": pl.String})
    with_c = phones.normalise_rows(frame)
    module, cpass.compiled = cpass.compiled, None
    try:
        without = phones.normalise_rows(frame)
    finally:
        cpass.compiled = module
    assert with_c.equals(without)


@pytest.mark.parametrize("damage", ["state", "matcher", "size", "count"])
def test_a_damaged_program_is_refused_not_walked(damage: str) -> None:
    """The C pass checks the program's indices before it walks them: a wrong one is a ValueError."""
    import numpy as np

    found = program()
    assert found is not None
    buffers = [b.copy() for b in found[0]]
    if damage == "state":
        buffers[0][3] = len(buffers[1])  # a transition past the last state
    elif damage == "matcher":
        buffers[3][0] = len(buffers[2]) // 2  # a type's general pattern past the last matcher
    elif damage == "size":
        buffers[2] = buffers[2][:-1]  # half a matcher
    else:
        buffers = buffers[:5]
    frame = _frame([("06 12345678", "NL")])
    metas = home_metas()
    rows = frame.height
    out = [np.zeros(rows, dtype=np.uint8), np.zeros(rows, dtype=np.uint8), np.zeros(rows, dtype=np.int64),
           np.zeros(rows, dtype=np.uint8)]
    with pytest.raises(ValueError, match="program"):
        cpass.compiled.split(frame["raw"].__arrow_c_stream__(), np.ones(rows, dtype=np.uint8),
                             [m.cc for m in metas.values()], cpass.known_codes(), *out, buffers)
