"""The Python side of the C pass of the bulk phone normaliser (`_phonesplit.c`, built by setup.py where a
C compiler is): the home regions' number patterns compiled into one program of digit automata
(digitdfa), and `split`, which runs the pass over a column and turns its per-row answers into frames.
`compiled` is None where the extension was not built; the polars path (`phones`) then does the work,
with the same answers (tests/intake/test_phonesplit.py).
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

import numpy as np
import polars as pl
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from leadgate.intake.digitdfa import Unsupported, compile_digits
from leadgate.intake.phonemeta import NONE, Desc, Types, home_metas

compiled: ModuleType | None
try:
    from leadgate.intake import _phonesplit as compiled
except ImportError:  # pragma: no cover
    compiled = None


@lru_cache(maxsize=1)
def known_codes() -> bytes:
    """known[v] == 1: v (1-999, written without leading zeros) is a country code (the pass's table)."""
    known = bytearray(1000)
    for cc in COUNTRY_CODE_TO_REGION_CODE:
        if 0 < cc < 1000:
            known[cc] = 1
    return bytes(known)


UNSURE, INVALID, HOME, OPEN, VALID = range(5)  # _phonesplit.c's statuses
TYPE_SIZE, REGION_SIZE, SIBLING_SIZE = 16, 8, 3  # as in _phonesplit.c


def _lengths(lengths: tuple[int, ...]) -> int:
    """A set of lengths as _phonesplit's mask (bit n: n digits; 0: any length, as _match without lengths)."""
    if any(not 0 <= n < 31 for n in lengths):
        raise Unsupported(f"lengths {lengths}")
    return sum(1 << n for n in set(lengths))


@lru_cache(maxsize=1)
def program() -> tuple[tuple[np.ndarray, ...], tuple[str, ...]] | None:
    """The home regions' number patterns as one program for the C pass (digit automata, see digitdfa
    and _phonesplit.c for the layout), and the regions its VALID rows name (code n: the n-th); None where
    a pattern is beyond digitdfa's syntax (then polars matches them, as without the extension)."""
    metas = home_metas()
    following: list[tuple[int, ...]] = []
    accepting: list[bool] = []
    starts: dict[str, int] = {}
    matchers: list[tuple[int, int]] = []
    names = list(metas)

    def matcher(pattern: str, lengths: int) -> int:
        start = starts.get(pattern)
        if start is None:
            dfa = compile_digits(pattern)
            start = starts[pattern] = len(accepting)
            following.extend(tuple(t + start if t >= 0 else -1 for t in row) for row in dfa.next)
            accepting.extend(dfa.accept)
        matchers.append((start, lengths))
        return len(matchers) - 1

    def described(desc: Desc | None, *, any_length: bool = False) -> int:
        if desc is None:
            return -1
        return matcher(desc[0].removeprefix("(?-u)^(?:").removesuffix(")$"), 0 if any_length else _lengths(desc[1]))

    types: list[list[int]] = []

    def typed(t: Types) -> int:
        if len(t.special) > TYPE_SIZE - 6:
            raise Unsupported("special types")
        specials = [described(d) for d in t.special]
        types.append([described(t.general), described(t.general, any_length=True), described(t.fixed),
                      described(t.mobile), int(t.same_mobile_and_fixed), len(specials), *specials,
                      *[-1] * (TYPE_SIZE - 6 - len(specials))])
        return len(types) - 1

    regions: list[list[int]] = []
    siblings: list[list[int]] = []
    try:
        for meta in metas.values():
            first = len(siblings)
            for other, leading, other_types in meta.siblings or ():
                if other not in names:
                    names.append(other)
                siblings.append([names.index(other) + 1, matcher(leading, 0) if leading else -1, typed(other_types)])
            if meta.gives_up_on not in (None, "180020"):
                raise Unsupported(f"a national prefix {meta.gives_up_on}")
            regions.append([typed(meta.types), _lengths(meta.local_only), int(meta.gives_up_on is not None), first,
                            -1 if meta.siblings is None else len(meta.siblings), int(meta.cc), len(meta.cc),
                            max(meta.types.general[1])])
    except Unsupported:
        return None
    if len(names) > 255:
        return None

    def table(rows: list[list[int]], width: int) -> np.ndarray:
        return np.array(rows, dtype=np.int32).reshape(-1, width).ravel()

    buffers = (np.array(following, dtype=np.int32).ravel(), np.array(accepting, dtype=np.uint8),
               np.array(matchers, dtype=np.int32).ravel(), table(types, TYPE_SIZE), table(regions, REGION_SIZE),
               table(siblings, SIBLING_SIZE))
    return buffers, tuple(names)


def split(frame: pl.DataFrame) -> tuple[list[pl.DataFrame], dict[str, pl.DataFrame], pl.Series]:
    """Columns _i, raw, region -> the rows settled (_i, e164/phone_region/mobile; null e164: not valid),
    per home region the rows' national numbers as written still to classify (_i, _rest: only without a
    program), and the mask of the rows the C pass is unsure of (a "#" extension, non-ASCII white space,
    ...), which the polars path answers. Rows in none of these are for parse_phone."""
    assert compiled is not None
    metas = home_metas()
    index = {code: i + 1 for i, code in enumerate(metas)}
    region = pl.col("region")  # 0: none, 1...: a home region, 255: another
    regions = frame.select(pl.when(region.is_null()).then(pl.lit(0, pl.UInt8))
                           .otherwise(region.replace_strict(index, default=255, return_dtype=pl.UInt8))).to_series()
    rows = frame.height
    status, home, rest_len = (np.empty(rows, dtype=np.uint8) for _ in range(3))
    rest = np.empty(rows, dtype=np.int64)
    found = program()
    compiled.split(frame["raw"].__arrow_c_stream__(), np.ascontiguousarray(regions.to_numpy()),
                   [m.cc for m in metas.values()], known_codes(), status, home, rest, rest_len,
                   None if found is None else found[0])
    answers = frame.select("_i").with_columns(pl.Series("_status", status), pl.Series("_home", home),
                                              pl.Series("_rest", rest), pl.Series("_len", rest_len))
    settled = [answers.filter(pl.col("_status") == INVALID).select("_i", **NONE)]
    if found is not None:  # "_home": the region's code, "_rest": the E.164 digits, "_len": 1 for a mobile
        names = found[1]
        settled.append(answers.filter(pl.col("_status") == VALID).select(
            "_i", pl.format("+{}", "_rest").alias("e164"),  # one pass: ~0.7 of a cast and a concatenation
            pl.col("_home").replace_strict(dict(enumerate(names, 1)), return_dtype=pl.String).alias("phone_region"),
            (pl.col("_len") == 1).alias("mobile")))
    rests: dict[str, pl.DataFrame] = {}
    national = answers.filter(pl.col("_status") == HOME).select(
        "_i", "_home", pl.when(pl.col("_len") > 0).then(pl.col("_rest").cast(pl.String).str.zfill(pl.col("_len")))
        .otherwise(pl.lit("")).alias("_rest"))
    for (number,), part in national.partition_by("_home", as_dict=True, include_key=False).items():
        rests[list(metas)[number - 1]] = part
    return settled, rests, answers["_status"] == UNSURE


