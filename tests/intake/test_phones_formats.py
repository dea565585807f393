"""The bulk normaliser agrees with `phonenumbers` on every valid number, however it is written.

tests/intake/test_fast_paths.py holds `normalise_phones` equal to `parse_phone` on digit soup; this file
compares both with phonenumbers itself, on real numbers of many types and regions written the ways
lead files write them, and on junk. Each hypothesis draw is the seed of a frame of 200 numbers (a
failure names the number), so one example exercises the column-wise path the way a file does.

parse_phone deliberately differs from phonenumbers in two ways (see its docstring), so the reference
here applies them too: a number with a letter in it (`x12`, `ext. 12`, `;ext=12`, an `O` for a zero)
is not valid, and neither is a non-geographic number (region "001").
"""

from __future__ import annotations

import random
import re

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from leadgate.core.phone import parse_phone
from leadgate.intake.phones import _vectorised, normalise_phones, normalise_rows

HOME = ["NL", "BE", "FR", "DE", "GB"]
OTHER = ["RE", "YT", "GP", "MQ", "LU", "CH", "US", "GG", "JE", "IM", "IT"]
TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
         PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
         PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.UAN, PhoneNumberType.PAGER]
ROW_SIZE = 200
FORMATS = [PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL,
           PhoneNumberFormat.RFC3966]
_LETTER = re.compile(r"[^\W\d_]")

Answer = tuple[str, str, bool] | None


def _valid_numbers() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    """(region, number): phonenumbers' example numbers of every type, and numbers that share their
    leading digits with random subscriber digits and that phonenumbers calls valid."""
    rnd = random.Random(20261125)
    out = []
    for region in HOME + OTHER:
        cc = phonenumbers.country_code_for_region(region)
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            nsn = phonenumbers.national_significant_number(example)
            tries = 400 if region in HOME else 60
            for _ in range(tries):
                keep = rnd.randint(1, len(nsn))
                digits = nsn[:keep] + "".join(rnd.choice("0123456789") for _ in nsn[keep:])
                number = phonenumbers.parse(f"+{cc}{digits}")
                if phonenumbers.is_valid_number(number):
                    out.append((region, number))
            out.append((region, example))
    return out


VALID = _valid_numbers()
PADS = ["", "", "", " ", "  ", "\t", "\u00a0", " \u00a0"]
SEPARATORS = ["", " ", " ", "-", ".", "/", " - ", "\u00a0"]
EXTENSIONS = [" ext. 12", " x12", "x12", ";ext=12", " #12", "#12", " # 12", " ext 7"]


def _grouped(rnd: random.Random, digits: str) -> str:
    sep = rnd.choice(SEPARATORS)
    parts, i = [], 0
    while i < len(digits):
        step = rnd.choice((1, 2, 2, 3, 4))
        parts.append(digits[i:i + step])
        i += step
    return sep.join(parts)


def _messy(rnd: random.Random, number: phonenumbers.PhoneNumber) -> str:
    """The number written one of the ways people write it."""
    cc, nsn = str(number.country_code), phonenumbers.national_significant_number(number)
    national = re.sub(r"\D", "", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
    style = rnd.randrange(10)
    if style == 0:
        text = phonenumbers.format_number(number, rnd.choice(FORMATS))
        text = text.removeprefix("tel:")
    elif style == 1:
        text = f"+{cc} {_grouped(rnd, nsn)}"
    elif style == 2:
        text = f"{rnd.choice(['00', '00 ', '+'])}{cc}{rnd.choice(['', ' ', '-'])}{_grouped(rnd, nsn)}"
    elif style == 3:
        text = f"+{cc}{rnd.choice([' (0)', '(0)', ' (0) ', ' 0', '-(0)-'])}{_grouped(rnd, nsn)}"
    elif style == 4:
        text = f"00{cc} (0){_grouped(rnd, nsn)}"
    elif style == 5:
        cut = rnd.randint(1, max(1, min(5, len(national) - 1)))
        text = f"({national[:cut]}) {_grouped(rnd, national[cut:])}"
    elif style == 6:
        cut = rnd.randint(1, max(1, min(5, len(national) - 1)))
        text = f"{national[:cut]}/{_grouped(rnd, national[cut:])}"
    elif style == 7:
        text = f"+{cc} ({nsn[:2]}) {_grouped(rnd, nsn[2:])}"
    else:
        text = _grouped(rnd, national)
    if rnd.random() < 0.1:
        text += rnd.choice(EXTENSIONS)
    return rnd.choice(PADS) + text + rnd.choice(PADS)


def _junk(rnd: random.Random) -> str:
    """Digit strings of any length with any prefix: mostly not valid, sometimes valid by chance."""
    digits = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(0, 18)))
    prefix = rnd.choice(["", "", "0", "00", "+", "+3", "+31", "+32", "+33", "+49", "+44", "0031", "+262", "000"])
    text = prefix + _grouped(rnd, digits)
    r = rnd.random()
    if r < 0.1 and text:
        at = rnd.randrange(len(text))
        text = text[:at] + rnd.choice("OolIabc") + text[at + 1:]
    elif r < 0.15:
        text = rnd.choice(["+", "(", ")", "-", "+(", "0(0)"]) + text
    elif r < 0.25:  # an extension of any length after a `#`, sometimes closed by another
        extension = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(0, 12)))
        text += rnd.choice(["#", " #", "# ", " # ", ",#", "#-", " -#"]) + extension + rnd.choice(["", "", "#"])
    return rnd.choice(PADS) + text + rnd.choice(PADS)


def _phonenumbers_answer(raw: str, region: str | None) -> Answer:
    """What phonenumbers says, with parse_phone's two documented refusals."""
    if _LETTER.search(raw):
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    where = phonenumbers.region_code_for_number(number)
    if where is None or where == "001":
        return None
    mobile = phonenumbers.number_type(number) in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), where, mobile


def _rows(rnd: random.Random, junk_share: float) -> list[tuple[str, str | None]]:
    rows = []
    for _ in range(ROW_SIZE):
        if rnd.random() < junk_share:
            rows.append((_junk(rnd), rnd.choice([*HOME, *OTHER, None])))
            continue
        region, number = rnd.choice(VALID)
        # Mostly the number's own region (national formats need it), sometimes another or none.
        default = rnd.choice([region, region, region, rnd.choice(HOME), rnd.choice(OTHER), None])
        rows.append((_messy(rnd, number), default))
    return rows


def _check(rows: list[tuple[str, str | None]]) -> None:
    frame = pl.DataFrame({"raw": [r for r, _ in rows], "region": [g for _, g in rows]},
                         schema={"raw": pl.String, "region": pl.String})
    out = normalise_phones(frame)
    assert out.height == frame.unique().height
    got = {(r["raw"], r["region"]): (r["e164"], r["phone_region"], r["mobile"]) if r["e164"] else None
           for r in out.iter_rows(named=True)}
    for raw, region in rows:
        expected = _phonenumbers_answer(raw, region)
        assert got[(raw, region)] == expected, (raw, region)
        phone = parse_phone(raw, region)
        assert ((phone.e164, phone.region, phone.mobile) if phone else None) == expected, (raw, region)
    # Row by row, in order: the same answers.
    aligned = normalise_rows(frame)
    assert aligned.height == frame.height
    for (raw, region), row in zip(rows, aligned.iter_rows(named=True), strict=True):
        assert ((row["e164"], row["phone_region"], row["mobile"]) if row["e164"] else None) == got[(raw, region)]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**64))
def test_bulk_agrees_with_phonenumbers_on_valid_numbers_written_messily(seed: int) -> None:
    _check(_rows(random.Random(seed), junk_share=0.0))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**64))
def test_bulk_says_invalid_exactly_where_phonenumbers_does(seed: int) -> None:
    _check(_rows(random.Random(seed), junk_share=0.7))


def test_the_valid_pool_covers_every_region_and_mobiles() -> None:
    regions = {r for r, _ in VALID}
    assert regions >= set(HOME + OTHER) - {"IT"}
    assert sum(phonenumbers.number_type(n) == PhoneNumberType.MOBILE for _, n in VALID) > 100


def test_common_messy_formats_are_settled_column_wise() -> None:
    """Not only equal but fast: `(0)`, `00`, slashes, extensions, bare national numbers and junk
    of the home regions do not fall back to the per-row parser."""
    cases = [("+31 (0)6 12345678", "NL"), ("0031 (0)6-12345678", "BE"), ("020/1234567", "NL"),
             ("(020) 123 45 67", "NL"), ("612345678", "NL"), ("06 12345678 x12", "NL"), ("123", "NL"),
             ("06 12345678 #12", "NL"), ("+32 470 12 34 56#-123456789", "FR"),
             ("0612345678", None), ("()", "FR"), ("+31 0 20 1234567", "NL"),
             ("+44 7911 123456", "GB"), ("07624 123456", "GB"), ("+999 1234567", None), ("00 28 12345", "BE"),
             ("+33 6 12 34 56 78 ext. 12", "FR"), ("\u00a0+32 470 12 34 56\u00a0", "BE"), ("0612", "NL"),
             ("01234567890123", "DE"), ("06123456O8", "NL"), ("+44 20 7946 0018", None)]
    frame = pl.DataFrame({"raw": [c[0] for c in cases], "region": [c[1] for c in cases]})
    settled = _vectorised(frame)
    assert sorted(settled["raw"].to_list()) == sorted(c[0] for c in cases)
    for raw, region, e164, phone_region, mobile in settled.iter_rows():
        assert ((e164, phone_region, mobile) if e164 else None) == _phonenumbers_answer(raw, region), raw


def test_rows_without_a_number_keep_their_place_and_an_empty_list_gives_no_rows() -> None:
    frame = pl.DataFrame({"raw": [None, "06 12345678", None, "+32 470 12 34 56", "06 12345678"],
                          "region": ["NL", "NL", None, None, "NL"]}, schema={"raw": pl.String, "region": pl.String})
    out = normalise_rows(frame)
    assert out["e164"].to_list() == [None, "+31612345678", None, "+32470123456", "+31612345678"]
    assert out["phone_region"].to_list() == [None, "NL", None, "BE", "NL"]
    assert normalise_rows(frame.clear()).height == 0
    assert normalise_rows(frame.head(1))["e164"].to_list() == [None]


@pytest.mark.parametrize("slice_rows", [10**9, 7, 1])  # two halves; slices of 7 rows (the last shorter); of one
def test_settling_in_slices_gives_the_answers_of_one_pass(monkeypatch: pytest.MonkeyPatch, slice_rows: int) -> None:
    from leadgate.intake import phones

    rows = _rows(random.Random(11), junk_share=0.3) * 3
    frame = pl.DataFrame({"raw": [r for r, _ in rows], "region": [g for _, g in rows]},
                         schema={"raw": pl.String, "region": pl.String})
    whole = normalise_rows(frame)
    monkeypatch.setattr(phones, "SPLIT_FROM", 2)
    monkeypatch.setattr(phones, "SLICE", slice_rows)
    assert normalise_rows(frame).equals(whole)
    assert whole["e164"].null_count() < frame.height  # valid numbers are in the comparison
