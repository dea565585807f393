"""The fast phone path must give phonenumbers' answer on every input it settles."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadgate.core.phone import fast_parse, parse_phone, slow_parse

REGIONS = ["NL", "BE", "FR", "DE", "GB", "RE", "YT", "GP", "MQ", "GF", "BL", "MF", "GG", "JE", "IM", "US", "IT"]
TYPES = [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
         phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.VOIP]


def _examples() -> list[tuple[str, str]]:
    """(region, national significant number) of phonenumbers' example numbers, plus digit variations."""
    rnd = random.Random(7)
    out = []
    for region in REGIONS:
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            nsn = phonenumbers.national_significant_number(number)
            out.append((region, nsn))
            for _ in range(20):  # same prefix, other subscriber digits: some valid, some not
                keep = rnd.randint(1, len(nsn))
                out.append((region, nsn[:keep] + "".join(rnd.choice("0123456789") for _ in nsn[keep:])))
    return out


EXAMPLES = _examples()


def _formats(region: str, nsn: str, style: int, sep: str) -> str:
    cc = str(phonenumbers.country_code_for_region(region))
    groups = sep.join(nsn[i:i + 2] for i in range(0, len(nsn), 2))
    return [
        f"+{cc}{sep}{groups}",
        f"00{cc}{sep}{groups}",
        f"0{groups}",
        f"+{cc}{sep}(0){sep}{groups}",
        f"({'0' + nsn[:2]}){sep}{nsn[2:]}",
        f"  +{cc} {nsn}  ",
        f"+{cc}0{nsn}",
        f"{cc}{nsn}",
    ][style]


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(EXAMPLES),
    st.integers(0, 7),
    st.sampled_from([" ", "-", ".", "/", "", " - "]),
    st.sampled_from([*REGIONS, None]),
)
def test_fast_path_agrees_with_phonenumbers_on_messy_formats(example_number, style, sep, default_region):
    region, nsn = example_number
    raw = _formats(region, nsn, style, sep)
    fast = fast_parse(raw, default_region)
    if fast is not None:
        assert fast == slow_parse(raw, default_region), raw
    assert parse_phone(raw, default_region) == slow_parse(raw, default_region)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="+0123456789 -./()x", max_size=24), st.sampled_from([*REGIONS, None]))
@example("+31 (0)6 12345678", "NL")
@example("0032 470 12 34 56", "NL")
@example("06-12345678", "NL")
def test_any_string_gives_phonenumbers_answer(raw, default_region):
    fast = fast_parse(raw, default_region)
    if fast is not None:
        assert fast == slow_parse(raw, default_region)


@pytest.mark.parametrize(("raw", "region", "e164", "where", "mobile"), [
    ("06-12345678", "NL", "+31612345678", "NL", True),
    ("+31 (0)6 12345678", "NL", "+31612345678", "NL", True),
    ("0031 6 1234 5678", "NL", "+31612345678", "NL", True),
    ("0032 470 12 34 56", "NL", "+32470123456", "BE", True),
    ("020-1234567", "NL", "+31201234567", "NL", False),
    ("06 12 34 56 78", "FR", "+33612345678", "FR", True),
    ("+262 692 12 34 56", "FR", "+262692123456", "RE", True),
    ("+262 269 61 12 34", "FR", "+262269611234", "YT", False),
    ("07400 123456", "GB", "+447400123456", "GB", True),
    ("+44 7911 123456", None, "+447911123456", "GG", True),
])
def test_known_numbers(raw, region, e164, where, mobile):
    phone = parse_phone(raw, region)
    assert phone is not None
    assert (phone.e164, phone.region, phone.mobile) == (e164, where, mobile)


@pytest.mark.parametrize("raw", ["", "+", "12", "06-1234", "not a number", "+999 123456", "0612345678", "+31 6"])
def test_invalid_numbers_are_none(raw):
    # "0612345678" without a default region cannot be placed in any country.
    assert parse_phone(raw, None) is None
