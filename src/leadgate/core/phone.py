"""Phone numbers to (E.164, region, mobile?), fast for the common formats and exact for all.

`phonenumbers.parse` + validation costs ~60 µs per number, most of it generic work (normalising any
alphabet, finding the number inside text, regex-cache look-ups). The common formats in lead files
(``+31 6 1234 5678``, ``0031-6-12345678``, ``06.12.34.56.78``, ``+33 (0)6 ...``) need none of that:
this module strips the separators, splits off the country code or national prefix, and classifies
the national number with phonenumbers' own metadata regexes, following the same steps as
``phonenumbers.parse`` / ``is_valid_number`` / ``number_type``. Whatever the fast path cannot settle
(letters, extensions, odd prefixes, numbers it finds invalid) goes to phonenumbers itself, so the
answer is always phonenumbers' answer; a property test holds the two paths equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

_SEPARATORS = str.maketrans("", "", " -./()")
_ALLOWED = frozenset("0123456789 -./()")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# The order phonenumbers tests the special types in (phonenumberutil._number_type_helper).
_SPECIAL = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE), ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST), ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER), ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN), ("voicemail", PhoneNumberType.VOICEMAIL),
)

Desc = tuple["re.Pattern[str]", frozenset[int]] | None


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    region: str
    mobile: bool
    national: str  # the national significant number: the E.164 number without "+" and country code


@dataclass(frozen=True, slots=True)
class _Region:
    code: str
    leading_digits: re.Pattern[str] | None
    general: Desc
    special: tuple[tuple[Desc, int], ...]
    fixed_line: Desc
    mobile: Desc
    same_mobile_and_fixed: bool
    national_prefix: re.Pattern[str] | None  # national_prefix_for_parsing
    local_only: frozenset[int]

    def number_type(self, nsn: str) -> int:
        if not _matches(nsn, self.general):
            return PhoneNumberType.UNKNOWN
        for desc, kind in self.special:
            if _matches(nsn, desc):
                return kind
        if _matches(nsn, self.fixed_line):
            if self.same_mobile_and_fixed or _matches(nsn, self.mobile):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if not self.same_mobile_and_fixed and _matches(nsn, self.mobile):
            return PhoneNumberType.MOBILE
        return PhoneNumberType.UNKNOWN


def _matches(nsn: str, desc: Desc) -> bool:
    if desc is None:
        return False
    pattern, lengths = desc
    return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None


def _desc(number_desc: object) -> Desc:
    pattern = getattr(number_desc, "national_number_pattern", None)
    if not pattern:
        return None
    return re.compile(pattern), frozenset(getattr(number_desc, "possible_length", ()) or ())


@lru_cache(maxsize=512)
def _region(code: str) -> _Region | None:
    md = PhoneMetadata.metadata_for_region(code, None)
    if md is None:
        return None
    return _Region(
        code=code,
        leading_digits=re.compile(md.leading_digits) if md.leading_digits else None,
        general=_desc(md.general_desc),
        special=tuple((_desc(getattr(md, name)), kind) for name, kind in _SPECIAL),
        fixed_line=_desc(md.fixed_line),
        mobile=_desc(md.mobile),
        same_mobile_and_fixed=bool(md.same_mobile_and_fixed_line_pattern),
        national_prefix=re.compile(md.national_prefix_for_parsing) if md.national_prefix_for_parsing else None,
        local_only=frozenset(getattr(md.general_desc, "possible_length_local_only", None) or ()),
    )


@lru_cache(maxsize=512)
def _idd(code: str) -> str | None:
    """The region's international dialling prefix when it is plain digits ("00")."""
    md = PhoneMetadata.metadata_for_region(code, None)
    prefix = md.international_prefix if md is not None else None
    return prefix if prefix and prefix.isdigit() else None


def _strip_national_prefix(digits: str, region: _Region) -> str | None:
    """`digits` without a leading national prefix "0" where phonenumbers would strip it, `digits`
    where it would not, None where it would do something this path does not (carrier codes)."""
    pattern = region.national_prefix
    if pattern is None:
        return digits
    match = pattern.match(digits)
    if match is None:
        return digits
    if match.end() != 1 or digits[0] != "0" or any(match.groups()):
        return None
    stripped = digits[1:]
    general = region.general
    if general is not None and general[0].fullmatch(digits) and not general[0].fullmatch(stripped):
        return digits  # the original is a viable number and the stripped one is not
    lengths = general[1] if general is not None else frozenset()
    if lengths and (len(stripped) in region.local_only
                    or (len(stripped) not in lengths and len(stripped) <= max(lengths))):
        return digits  # too short / not a possible length for the region: phonenumbers keeps the 0
    return stripped


def _classify(cc: int, nsn: str) -> Phone | None:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(cc)
    if not regions or nsn.startswith("0"):
        return None
    found: _Region | None = None
    if len(regions) == 1:
        found = _region(regions[0])
    else:  # phonenumbers' _region_code_for_number_from_list
        for code in regions:
            region = _region(code)
            if region is None:
                continue
            if region.leading_digits is not None:
                if region.leading_digits.match(nsn):
                    found = region
                    break
            elif region.number_type(nsn) != PhoneNumberType.UNKNOWN:
                found = region
                break
    if found is None or found.code == "001":
        return None
    kind = found.number_type(nsn)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    return Phone(f"+{cc}{nsn}", found.code, kind in _MOBILE_TYPES, nsn)


def fast_parse(raw: str, default_region: str | None) -> Phone | None:
    """The number when the fast path can settle it as valid, else None (ask phonenumbers)."""
    text = raw.strip()
    plus = text.startswith("+")
    body = text[1:] if plus else text
    if not body or not _ALLOWED.issuperset(body):
        return None
    digits = body.translate(_SEPARATORS)
    if not digits:
        return None
    if not plus:
        home = _region(default_region) if default_region else None
        if home is None:
            return None
        idd = _idd(home.code)
        if idd and digits.startswith(idd):
            digits = digits[len(idd):]
            if digits.startswith("0"):
                return None
        elif digits.startswith("0"):
            nsn = _strip_national_prefix(digits, home)
            metadata = PhoneMetadata.metadata_for_region(home.code, None)
            if metadata is None or metadata.country_code is None or nsn is None or nsn == digits:
                return None
            return _classify(metadata.country_code, nsn)
        else:
            return None
    if len(digits) <= 2 or digits.startswith("0"):
        return None
    for width in (1, 2, 3):
        cc = int(digits[:width])
        if cc in COUNTRY_CODE_TO_REGION_CODE:
            main = _region(COUNTRY_CODE_TO_REGION_CODE[cc][0])
            nsn = _strip_national_prefix(digits[width:], main) if main is not None else None
            return None if nsn is None else _classify(cc, nsn)
    return None


def slow_parse(raw: str, default_region: str | None) -> Phone | None:
    """phonenumbers' own answer: the reference the fast path must agree with."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    region = phonenumbers.region_code_for_number(number)
    if region is None or region == "001":
        return None
    mobile = phonenumbers.number_type(number) in _MOBILE_TYPES
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), region, mobile,
                 phonenumbers.national_significant_number(number))


@lru_cache(maxsize=512)
def _country_code(region: str) -> str:
    return str(phonenumbers.country_code_for_region(region))


def settled(e164: str, region: str, mobile: bool) -> Phone:
    """The Phone of a number whose parse_phone answer is known already (E.164, region, mobile): a
    column-wise normaliser that agrees with parse_phone hands its answers to the core this way."""
    return Phone(e164, region, mobile, e164[1 + len(_country_code(region)):])


_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=65_536)
def parse_phone(raw: str, default_region: str | None) -> Phone | None:
    """A valid number as (E.164, region, mobile?), or None when it is not a valid number.

    Unlike phonenumbers, letters are refused: in lead data "061234567O" is a typo for a zero, not the
    vanity digit 6, and an extension cannot be dialled by a call centre's list anyway.
    """
    if _LETTER.search(raw):
        return None
    return fast_parse(raw, default_region) or slow_parse(raw, default_region)
