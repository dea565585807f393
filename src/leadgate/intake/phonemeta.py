"""What the bulk phone normaliser knows of the home regions (NL, BE, FR, DE, GB), from phonenumbers'
metadata: each region's country code, number-type patterns with their lengths, national-prefix lengths and
the country code's other regions (GG, IM, JE for 44). The polars path (`phones`) matches the patterns as
regexes, the C pass (`cpass`) as digit automata; both read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from leadgate.core.phone import _SPECIAL

HOME = ("NL", "BE", "FR", "DE", "GB")
OUT_SCHEMA = {"e164": pl.String, "phone_region": pl.String, "mobile": pl.Boolean}  # a number's answer
NONE = {"e164": pl.lit(None, pl.String), "phone_region": pl.lit(None, pl.String), "mobile": pl.lit(None, pl.Boolean)}


Desc = tuple[str, tuple[int, ...]]


@dataclass(frozen=True)
class Types:
    """A region's number-type patterns: enough to tell valid (and mobile) from invalid."""
    general: Desc
    special: tuple[Desc, ...]
    fixed: Desc | None
    mobile: Desc | None
    same_mobile_and_fixed: bool


@dataclass(frozen=True)
class Meta:
    region: str
    cc: str
    types: Types
    local_only: tuple[int, ...]
    # The other regions of the country code with their leading digits (GG, IM, JE for 44), in
    # phonenumbers' order: a number invalid in the main region may belong to one of them.
    siblings: tuple[tuple[str, str | None, Types], ...] | None
    # The national prefix's other form phonenumbers parses ("0|180020" for GB): fast_parse gives up on it.
    gives_up_on: str | None = None


def _desc(number_desc: object) -> Desc | None:
    pattern = getattr(number_desc, "national_number_pattern", None)
    if not pattern:
        return None
    # ASCII-only matching ((?-u): \d is [0-9]) on digit strings: the same answers, 2-3x faster.
    return f"(?-u)^(?:{pattern})$", tuple(getattr(number_desc, "possible_length", ()) or ())


def _types(md: PhoneMetadata | None) -> Types | None:
    general = _desc(md.general_desc) if md is not None else None
    if md is None or general is None or not general[1]:
        return None
    return Types(general, tuple(d for d in (_desc(getattr(md, name)) for name, _ in _SPECIAL) if d is not None),
                  _desc(md.fixed_line), _desc(md.mobile), bool(md.same_mobile_and_fixed_line_pattern))


@lru_cache(maxsize=8)
def region_meta(region: str) -> Meta | None:
    md = PhoneMetadata.metadata_for_region(region, None)
    # The vectorised path only knows a plain "0" national prefix and the "00" international prefix.
    if md is None or md.national_prefix_for_parsing not in ("0", "0|180020") or md.international_prefix != "00":
        return None
    types = _types(md)
    if types is None:
        return None
    others = []
    for code in COUNTRY_CODE_TO_REGION_CODE.get(md.country_code or 0, ()):
        other = PhoneMetadata.metadata_for_region(code, None)
        if code != region and other is not None:
            others.append((code, other.leading_digits or None, _types(other)))
    siblings = tuple((c, d, t) for c, d, t in others if t is not None) if all(t for _, _, t in others) else None
    return Meta(region, str(md.country_code), types,
                tuple(getattr(md.general_desc, "possible_length_local_only", None) or ()), siblings,
                "180020" if md.national_prefix_for_parsing == "0|180020" else None)


def home_metas() -> dict[str, Meta]:
    """The home regions the normaliser can follow (all five with today's metadata), in HOME's order."""
    return {code: meta for code in HOME if (meta := region_meta(code)) is not None}
