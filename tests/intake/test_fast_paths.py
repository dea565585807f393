"""The column-wise fast paths give exactly the per-value references' answers (phones, e-mail, times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.core.contact import normalise_email
from leadgate.core.phone import parse_phone
from leadgate.intake.columns import normalise_emails, parse_moments
from leadgate.intake.phones import _vectorised, normalise_phones
from leadgate.intake.validate import _moment

CC = {"NL": "31", "BE": "32", "FR": "33", "DE": "49", "GB": "44"}
# Leading digits that reach every branch: mobiles, landlines, special numbers, junk, "0" after the code.
LEADS = ("6", "61", "20", "10", "47", "49", "2", "3", "9", "15", "17", "30", "40", "69", "7", "74", "77", "20",
         "121", "800", "900", "0", "1", "5", "8", "180020", "")


@st.composite
def messy_numbers(draw: st.DrawFn) -> tuple[str, str | None]:
    region = draw(st.sampled_from([*CC, None, "US"]))
    country = draw(st.sampled_from(list(CC)))
    nsn = draw(st.sampled_from(LEADS)) + draw(st.text("0123456789", min_size=0, max_size=11))
    style = draw(st.sampled_from(["national", "plus", "00", "plus0", "bare", "junk"]))
    digits = {"national": "0" + nsn, "plus": f"+{CC[country]}{nsn}", "00": f"00{CC[country]}{nsn}",
              "plus0": f"+{CC[country]}0{nsn}", "bare": nsn, "junk": nsn + draw(st.sampled_from(["O", "x12", "+"]))}
    text = digits[style]
    out, i = [], 0
    sep = draw(st.sampled_from(["", " ", "-", ".", "/", " - "]))
    while i < len(text):
        step = draw(st.integers(1, 4))
        out.append(text[i:i + step])
        i += step
    number = sep.join(out)
    if style == "plus0" and draw(st.booleans()):
        number = f"+{CC[country]} (0){nsn}"
    if draw(st.integers(0, 9)) == 0:
        number = f" {number} "
    return number, region


def _reference(raw: str, region: str | None) -> tuple[str, str, bool] | None:
    phone = parse_phone(raw, region)
    return (phone.e164, phone.region, phone.mobile) if phone else None


@settings(max_examples=600, deadline=None)
@given(st.lists(messy_numbers(), min_size=1, max_size=40))
def test_bulk_phones_equal_parse_phone(numbers: list[tuple[str, str | None]]) -> None:
    frame = pl.DataFrame({"raw": [n for n, _ in numbers], "region": [r for _, r in numbers]},
                         schema={"raw": pl.String, "region": pl.String})
    got = {(r["raw"], r["region"]): (r["e164"], r["phone_region"], r["mobile"]) if r["e164"] else None
           for r in normalise_phones(frame).iter_rows(named=True)}
    for raw, region in numbers:
        assert got[(raw, region)] == _reference(raw, region), (raw, region)


def test_the_vectorised_path_settles_the_common_formats() -> None:
    """Not everything falls back: the formats of real lead files are settled column-wise, correctly."""
    cases = [("06-12345678", "NL"), ("+31 (0)6 12345678", "NL"), ("0031 6 12345678", "NL"), ("0470 12 34 56", "BE"),
             ("+33 6 12 34 56 78", None), ("0151 23456789", "DE"), ("+44 7400 123456", "GB"), ("020 7946 0018", "GB")]
    settled = _vectorised(pl.DataFrame({"raw": [c[0] for c in cases], "region": [c[1] for c in cases]}))
    assert settled.height == len(cases)
    for raw, region, e164, phone_region, mobile in settled.iter_rows():
        assert (e164, phone_region, mobile) == _reference(raw, region)


ADDRESS_PARTS = st.text("abcXYZ019._%+-'\"é ", min_size=0, max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(ADDRESS_PARTS, st.sampled_from(["", "@"]), ADDRESS_PARTS,
                          st.sampled_from([".nl", ".NL", ".test", ".co.uk", "", ".x", "--a.fr", ".localhost"])),
                min_size=1, max_size=30),
       st.sampled_from(["", "info", "SALES", "Jan"]))
def test_bulk_emails_equal_normalise_email(parts: list[tuple[str, str, str, str]], role: str) -> None:
    values = [f"{role or local}{at}{domain}{tld}" for local, at, domain, tld in parts]
    got = dict(normalise_emails(pl.Series(values, dtype=pl.String)).iter_rows())
    for value in values:
        assert got[value] == normalise_email(value), value


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.datetimes(min_value=datetime(1999, 1, 1), max_value=datetime(2030, 1, 1)),
                          st.integers(-12 * 60, 14 * 60),
                          st.sampled_from(["iso", "seconds", "Z", "space", "naive", "broken"])), min_size=1,
                max_size=20),
       st.sampled_from([None, "Europe/Amsterdam"]))
def test_bulk_moments_equal_the_python_parser(values: list[tuple[datetime, int, str]], zone: str | None) -> None:
    texts = []
    for moment, minutes, style in values:
        aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
        texts.append({"iso": aware.isoformat(), "seconds": aware.isoformat(timespec="seconds"),
                      "Z": moment.isoformat(timespec="seconds") + "Z", "space": str(aware),
                      "naive": moment.isoformat(timespec="minutes"),
                      "broken": aware.isoformat(timespec="seconds").replace("-", "/", 1)}[style])
    frame = pl.DataFrame({"consent_given_at": texts, "_zone": [zone] * len(texts)},
                         schema={"consent_given_at": pl.String, "_zone": pl.String})
    got = {r[0]: (r[2], r[3]) for r in parse_moments(frame, _moment).iter_rows()}
    for text in texts:
        assert got[text] == _moment(text, zone), text


def test_a_local_time_needs_a_zone() -> None:
    assert _moment("2026-10-02 14:03", None)[1] is not None
    assert _moment("2026-10-02 14:03", "Europe/Amsterdam") == (datetime(2026, 10, 2, 12, 3, tzinfo=UTC), None)


def test_found_by_the_property_test() -> None:
    """GB's national prefix pattern also matches 180020, on which the fast path of core.phone gives up."""
    numbers = pl.DataFrame({"raw": [" +441800200000 ", "+44 1800 200 0000", "0031 (0) 6 12345678"],
                            "region": ["NL", "GB", "NL"]})
    for raw, region, e164, _, _ in normalise_phones(numbers).iter_rows():
        assert (_reference(raw, region) or (None,))[0] == e164
