"""Organisation registration numbers: valid ones compacted, typos named."""

from __future__ import annotations

import pytest

from leadgate.kit.errors import InvalidInput
from leadgate.people.orgid import validate_org_id


@pytest.mark.parametrize(("kind", "raw", "compact"), [
    ("kvk", "6914 6584", "69146584"),
    ("kvk", "69.14.65.84", "69146584"),
    ("kbo", "0403.170.701", "0403170701"),
    ("kbo", "BE 0403 170 701", "0403170701"),
    ("siren", "732 829 320", "732829320"),
    ("siret", "732 829 320 00074", "73282932000074"),
    ("vat", "NL004495445B01", "NL004495445B01"),
    ("vat", "fr 40 303 265 045", "FR40303265045"),
    ("company_number", "1234567", "01234567"),
    ("company_number", "sc123456", "SC123456"),
])
def test_valid_numbers_are_compacted(kind: str, raw: str, compact: str) -> None:
    assert validate_org_id(kind, raw) == compact


@pytest.mark.parametrize(("kind", "raw", "words"), [
    ("kbo", "0403.170.702", "check digit"),
    ("siren", "732829321", "check digit"),
    ("siret", "73282932000075", "check digit"),
    ("kvk", "123", "not a valid KvK"),
    ("vat", "NL123", "not a valid EU VAT"),
    ("company_number", "XX123456", "not a valid Companies House"),
])
def test_invalid_numbers_are_refused_with_what_is_wrong(kind: str, raw: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as caught:
        validate_org_id(kind, raw)
    assert caught.value.field == "organisation_id"


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="kvk, kbo, siren") as caught:
        validate_org_id("duns", "123456789")
    assert caught.value.field == "organisation_id_kind"
