"""Phone numbers of a whole file at once, with exactly `leadgate.core.phone.parse_phone`'s answers.

A lead file has a million numbers in a handful of formats. Calling `parse_phone` (~14 µs) for each is
most of an intake's time, so this module settles the common cases column-wise in polars, following
phonenumbers' parse and validation step by step for the five home regions (NL, BE, FR, DE, GB):

1. a Latin letter anywhere: not valid (parse_phone refuses letters, so `x12` and `ext. 12` too);
2. otherwise only digits and the separators ` -./()`, with an optional leading `+`;
3. `+CC...`, `00CC...` (the regions' international prefix), the national `0...`, or the bare national
   number (`612345678`) of the row's home region;
4. the national prefix stripped where phonenumbers strips it (`+31 (0)6...`), with its length checks;
5. the national number classified with phonenumbers' own metadata patterns (general, special types,
   fixed line, mobile) of the country code's regions, in phonenumbers' order (GB, GG, IM, JE for 44).

Steps 1-3 (and the country code) take a dozen string passes in polars (`_front`), steps 4-5 a regex pass
per pattern (`_classified`). Where the C extension `_phonesplit` is built, every step runs in one pass over
the column's Arrow buffers instead (`_split`, `cpass`; the patterns as digit automata, see digitdfa), and
the rows it is unsure of (a `#` extension, non-ASCII white space, ...) take the polars path.

A `#12` extension is cut off as phonenumbers cuts it, and `+CC`/`00CC` with no known country code is
invalid. Every other number (other countries' national formats, `+262 ...`, a kept trunk zero, ...)
goes to `parse_phone` itself, so a number is never judged differently; hypothesis tests hold the
result equal to parse_phone and to phonenumbers (tests/intake/test_fast_paths.py,
tests/intake/test_phones_formats.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from leadgate.core.phone import parse_phone
from leadgate.intake import cpass
from leadgate.intake.phonemeta import NONE, OUT_SCHEMA, Desc, Meta, Types, home_metas


def _match(expr: pl.Expr, desc: Desc | None) -> pl.Expr:
    if desc is None:
        return pl.lit(False)
    pattern, lengths = desc
    found = expr.str.contains(pattern)
    return found if not lengths else found & expr.str.len_bytes().is_in(list(lengths))


def _strip(rest: pl.Expr, meta: Meta) -> pl.Expr:
    """core.phone._strip_national_prefix for a "0" prefix (phonenumbers' own rule: the zero is kept
    where the stripped number would not be viable); null where the vectorised path gives up."""
    stripped = rest.str.slice(1)
    pattern, lengths = meta.types.general
    keeps_zero = (_match(rest, (pattern, ())) & ~_match(stripped, (pattern, ()))) | \
        stripped.str.len_bytes().is_in(list(meta.local_only)) | \
        (~stripped.str.len_bytes().is_in(list(lengths)) & (stripped.str.len_bytes() <= max(lengths)))
    # (A null condition falls through to `otherwise`: guards wrap the whole result, not its input.)
    result = pl.when(~rest.str.starts_with("0") | keeps_zero).then(rest).otherwise(stripped)
    if meta.gives_up_on:  # GB's prefix pattern "0|180020": fast_parse gives up on 180020
        result = pl.when(~rest.str.starts_with(meta.gives_up_on)).then(result)
    return result


def _classify(nsn: pl.Expr, types: Types, name: str) -> tuple[list[pl.Expr], pl.Expr, pl.Expr]:
    """Match columns to add first (each pattern once, in parallel), then (valid, mobile) over them, as
    core.phone._Region.number_type decides them (valid = not UNKNOWN)."""
    columns = [_match(nsn, types.general).alias(f"{name}g"), _match(nsn, types.fixed).alias(f"{name}f"),
               _match(nsn, types.mobile).alias(f"{name}m")]
    columns += [_match(nsn, desc).alias(f"{name}s{i}") for i, desc in enumerate(types.special)]
    general, fixed, mobile = pl.col(f"{name}g"), pl.col(f"{name}f"), pl.col(f"{name}m")
    special = pl.any_horizontal(pl.lit(False), *(pl.col(f"{name}s{i}") for i in range(len(types.special))))
    if types.same_mobile_and_fixed:
        valid, is_mobile = general & (special | fixed), ~special
    else:
        valid = general & (special | fixed | mobile)
        is_mobile = ~special & mobile  # FIXED_LINE_OR_MOBILE or MOBILE
    return columns, valid, is_mobile


_COUNTRY_CODES = [str(cc) for cc in COUNTRY_CODE_TO_REGION_CODE]
_SEPARATORS = ["+", " ", "-", ".", "/", "(", ")"]
_HASH_EXTENSION = r"^(\s*\+?[0-9 \-./()]+?)[ \t,]*#[ \t,-]*[0-9]{1,9}\s*$"


def _front(frame: pl.DataFrame) -> tuple[list[pl.DataFrame], dict[str, pl.DataFrame]]:
    """The first half of _settle (polars): the rows settled as not valid (_i, e164/phone_region/mobile all
    null), and per home region its rows' national numbers as written (_i, _rest), not yet classified:

    - a Latin letter anywhere: parse_phone refuses letters (and with them `x12`, `ext. 12`);
    - digits and ` -./()` only, `+` first or not at all: `+CC`, `00CC` (home regions' IDD), the
      national `0...` and the bare national number (`612345678`: no trunk 0, not starting with the
      region's country code) of the home regions; without `+` and without a region: invalid;
    - the rest (_classified) classifies them.
    """
    # Plain: what strip(), an optional "+" and only digits and ` -./()` leave (Rust's \s is Python's
    # strip() set less \x1c-\x1f, which then fall back). Each pass only over the rows that need it.
    raw, region = pl.col("raw"), pl.col("region")
    work = frame.with_columns(raw.str.contains(r"^\s*\+?[0-9 \-./()]+\s*$").alias("_plain"))
    odd = work.filter(~pl.col("_plain"))
    lettered = odd.filter(raw.str.contains("(?-u)[A-Za-z]")).select("_i", **NONE)
    # `06 12345678 #12`: phonenumbers strips the extension where what precedes it is a viable number
    # (3 digits and punctuation are), and answers for that number: so do we.
    hashed = odd.filter(raw.str.contains(_HASH_EXTENSION)).with_columns(raw.str.replace(_HASH_EXTENSION, "${1}"))
    hashed = hashed.filter(raw.str.count_matches("[0-9]") >= 3)
    # What is left is digits and `+ -./()` between outer white space (Rust's trim() and \s agree on it): the
    # digits are what remains without those seven characters (Aho-Corasick, ~1/3 cheaper than a regex).
    work = pl.concat([work.filter("_plain"), hashed]).with_columns(raw.str.strip_chars()).with_columns(
        raw.str.starts_with("+").alias("_plus"), raw.str.replace_many(_SEPARATORS, [""] * len(_SEPARATORS))
        .alias("_digits"))
    digits = pl.col("_digits")
    metas = home_metas()
    home = region.is_in(list(metas))
    refused = work.filter((digits.str.len_bytes() == 0) | (~pl.col("_plus") & region.is_null())).select(
        "_i", **NONE)
    work = work.filter(digits.str.len_bytes() > 0).with_columns(
        pl.when(pl.col("_plus")).then(digits).when(home & digits.str.starts_with("00")).then(digits.str.slice(2))
        .alias("_intl"),
        pl.when(~pl.col("_plus") & home & ~digits.str.starts_with("00")).then(digits).alias("_nat"))
    # `+CC`/`00CC` with no known country code in its first 1-3 digits: phonenumbers' INVALID_COUNTRY_CODE
    # (its retry without the "+" finds none either, the digits not starting with 0).
    intl = pl.col("_intl")
    unknown = work.filter(intl.is_not_null() & ~intl.str.starts_with("0")).filter(
        ~pl.any_horizontal(*(intl.str.slice(0, n).is_in(_COUNTRY_CODES) for n in (1, 2, 3))))
    settled = [lettered, refused, unknown.select("_i", **NONE)]
    # Each row belongs to at most one home region (`+CC`/`00CC` of its code, or the region's national
    # format; no home code is a prefix of another): the rows are split once, not filtered per region.
    # A bare number starting with the region's own code may be read as +CC...: left to phonenumbers.
    nat, cc_of_region = pl.col("_nat"), region.replace_strict({c: m.cc for c, m in metas.items()}, default=None)
    home_of = pl.coalesce(*(pl.when(pl.col("_intl").str.starts_with(m.cc)).then(pl.lit(c)) for c, m in metas.items()),
                          pl.when(nat.str.starts_with("0") | ~nat.str.starts_with(cc_of_region)).then(region))
    parts = work.select("_i", "_intl", "_nat", home_of.alias("_home")).filter(pl.col("_home").is_not_null()) \
        .partition_by("_home", as_dict=True, include_key=False)
    rests: dict[str, pl.DataFrame] = {}
    for (code,), part in parts.items():
        cc = metas[code].cc
        rests[code] = part.select("_i", pl.coalesce(pl.col("_intl").str.slice(len(cc)), pl.col("_nat")).alias("_rest"))
    return settled, rests


def _classified(rests: dict[str, pl.DataFrame]) -> list[pl.DataFrame]:
    """The second half of _settle: per home region, its rows' national numbers as written (_i, _rest) ->
    _i, e164/phone_region/mobile (null e164: not a valid number), or nothing where phonenumbers must
    answer. The national number (prefix stripped as phonenumbers strips it) is classified with the country
    code's regions' patterns: valid in the main region -> that number; invalid in every region of the
    code -> invalid; anything else (valid with a kept leading zero, GB's 180020) falls back."""
    settled: list[pl.DataFrame] = []
    for code, meta in home_metas().items():
        if code not in rests:
            continue
        part = rests[code]
        part = part.with_columns(_strip(pl.col("_rest"), meta).alias("_nsn")).filter(pl.col("_nsn").is_not_null())
        nsn = pl.col("_nsn")
        columns, valid, is_mobile = _classify(nsn, meta.types, "_a")
        part = part.with_columns(columns).with_columns(valid.alias("_valid"), is_mobile.alias("mobile"))
        # A national number keeps its zero only where phonenumbers' answer is not this number (fast_parse).
        settled.append(part.filter(pl.col("_valid") & ~nsn.str.starts_with("0")).select(
            "_i", (pl.lit("+" + meta.cc) + nsn).alias("e164"), pl.lit(code).alias("phone_region"), "mobile"))
        if meta.siblings is None:
            continue
        # The few invalid in the main region: phonenumbers' _region_code_for_number_from_list picks the
        # first other region whose leading digits match or, without them, that finds the number valid.
        where, valid, is_mobile, columns = pl.lit(None, pl.String), pl.lit(False), pl.lit(False), []
        for i, (other, leading, types) in reversed(list(enumerate(meta.siblings))):
            more, other_valid, other_mobile = _classify(nsn, types, f"_b{i}")
            columns += more
            picked = nsn.str.contains(f"(?-u)^(?:{leading})") if leading else other_valid
            where = pl.when(picked).then(pl.lit(other)).otherwise(where)
            valid = pl.when(picked).then(other_valid).otherwise(valid)
            is_mobile = pl.when(picked).then(other_mobile).otherwise(is_mobile)
        invalid = part.filter(~pl.col("_valid")).select("_i", "_nsn").with_columns(columns).with_columns(
            where.alias("phone_region"), valid.alias("_valid"), is_mobile.alias("mobile"))
        settled.append(invalid.filter(pl.col("_valid") & ~nsn.str.starts_with("0")).select(
            "_i", (pl.lit("+" + meta.cc) + nsn).alias("e164"), "phone_region", "mobile"))
        settled.append(invalid.filter(~pl.col("_valid")).select("_i", **NONE))
    return settled


def _settle(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns _i, raw, region -> _i, e164/phone_region/mobile for the rows settled here (a subset, each
    once; null e164: not a valid number): in the C pass where the extension is built (_split), else
    _front then _classified."""
    settled, rests = _split(frame) if cpass.compiled is not None else _front(frame)
    return pl.concat(settled + _classified(rests))


def _split(frame: pl.DataFrame) -> tuple[list[pl.DataFrame], dict[str, pl.DataFrame]]:
    """_front's answers from the C pass (`cpass.split`), and from _front itself for the rows it is unsure
    of; with the patterns' program, the rows come back settled, not as national numbers to classify."""
    settled, rests, unsure = cpass.split(frame)
    if unsure.any():
        more, extra = _front(frame.filter(unsure))
        settled += more
        for code, part in extra.items():
            rests[code] = pl.concat([rests[code], part]) if code in rests else part
    return settled, rests


def _vectorised(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns raw, region -> raw, region, e164/phone_region/mobile for the rows settled column-wise."""
    indexed = frame.select("raw", "region").with_row_index("_i")
    return indexed.join(_settle(indexed), on="_i").drop("_i")


def normalise_phones(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` has columns raw (the number as written) and region (the default region, may be null);
    returns the distinct (raw, region) pairs with e164, phone_region and mobile (nulls: not valid)."""
    # In the file's order: after a hash-ordered unique() every string pass reads its text from random
    # places of a buffer far larger than the CPU caches, and the whole path runs ~5x slower at 10M rows.
    pairs = frame.select("raw", "region").filter(pl.col("raw").is_not_null()).unique(maintain_order=True) \
        .with_row_index("_i")
    done = _settle(pairs)
    left = np.ones(pairs.height, dtype=bool)
    left[done["_i"].to_numpy()] = False
    rest = pairs.filter(pl.Series(left)).drop("_i")
    done = pairs.select("raw", "region").gather(done["_i"]).hstack(done.drop("_i"))
    parsed = [parse_phone(raw, region) for raw, region in rest.iter_rows()]
    slow = rest.with_columns(
        pl.Series("e164", [p.e164 if p else None for p in parsed], dtype=pl.String),
        pl.Series("phone_region", [p.region if p else None for p in parsed], dtype=pl.String),
        pl.Series("mobile", [p.mobile if p else None for p in parsed], dtype=pl.Boolean),
    )
    return pl.concat([done, slow])


# Rows from which _settle runs on slices in two threads: its passes are row by row, and polars runs most
# of them on one core (a string column in one chunk); from a million rows the second core halves the wall.
SPLIT_FROM = 1_000_000
# Rows per slice: each slice's passes hold a dozen intermediate columns (stripped text, digits, the
# national number, ...) until it is settled; two slices at a time, not two halves of a 10M-row list,
# keep that to a few hundred MB instead of ~1.6 GB.
SLICE = 1_000_000


def _settled(indexed: pl.DataFrame) -> pl.DataFrame:
    if indexed.height < SPLIT_FROM:
        return _settle(indexed)
    size = min(SLICE, -(-indexed.height // 2))
    with ThreadPoolExecutor(2) as pool:
        return pl.concat(list(pool.map(_settle, (indexed.slice(start, size)
                                                 for start in range(0, indexed.height, size)))))


def normalise_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """normalise_phones' answers with one row per input row, in order (columns e164, phone_region, mobile).

    A call list's numbers are nearly all different: finding the distinct pairs first and joining the
    answers back would cost more than settling the few repeats twice (a repeat that falls back to
    parse_phone is answered from its cache)."""
    indexed = frame.select("raw", "region").with_row_index("_i")
    done = _settled(indexed.filter(pl.col("raw").is_not_null()))
    left = indexed["raw"].is_not_null().to_numpy(writable=True)
    left[done["_i"].to_numpy()] = False
    rest = indexed.filter(pl.Series(left))
    parsed = [parse_phone(raw, region) for raw, region in rest.select("raw", "region").iter_rows()]
    slow = rest.select("_i").with_columns(
        pl.Series("e164", [p.e164 if p else None for p in parsed], dtype=pl.String),
        pl.Series("phone_region", [p.region if p else None for p in parsed], dtype=pl.String),
        pl.Series("mobile", [p.mobile if p else None for p in parsed], dtype=pl.Boolean))
    answers = pl.concat([done, slow])
    rows = answers["_i"].cast(pl.Int64)
    return pl.DataFrame([pl.Series(name, [None], dtype=dtype).extend_constant(None, frame.height - 1)
                         .scatter(rows, answers[name]) for name, dtype in OUT_SCHEMA.items()]
                        if frame.height else [pl.Series(name, [], dtype=dtype) for name, dtype in OUT_SCHEMA.items()])
