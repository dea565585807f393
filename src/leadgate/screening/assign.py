"""Which call centre gets which person, and in which flow (customers: klantflow, the rest: leadflow).

One person, one call centre: everything is decided per person (the stored person, or the number when the
store does not know it), so a person's numbers never end up in two call centres' files, and a person in
the customer flow never appears in the lead flow. Call centres with regions take the people of those
regions; the others share the rest by their percentages. The split is a deterministic function of the
person's key (`spread_of`), so screening the same list again gives each person the same call centre.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from leadgate.kit.errors import InvalidInput


@dataclass(frozen=True)
class CallCentre:
    id: str
    name: str
    share: int
    regions: frozenset[str]


SPREAD = 10_000
_FNV_OFFSET, _FNV_PRIME, _MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
# MurmurHash3's 64-bit finaliser (fmix64): FNV-1a's low digits follow its last bytes too closely for a
# modulo. Each step: h ^= h >> 33, h *= factor (mod 2**64); then a last h ^= h >> 33.
_FMIX_FACTORS = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)


def _mix(h: int) -> int:
    for factor in _FMIX_FACTORS:
        h ^= h >> 33
        h = (h * factor) & _MASK
    return h ^ (h >> 33)


def fnv1a(data: bytes) -> int:
    """FNV-1a, 64-bit."""
    h = _FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return h


def spread_of(key: str) -> int:
    """0..9999 for a person's key: FNV-1a (64-bit) of its UTF-8 bytes, finalised as MurmurHash3 does, modulo
    10,000. Stable across runs, machines and library versions; `_spread` computes it for millions of keys."""
    return _mix(fnv1a(key.encode())) % SPREAD


def _spread(person_keys: pl.Series) -> pl.Series:
    """spread_of for every key, column-wise: the keys' bytes as a matrix, FNV-1a one byte column at a time
    over the keys that long (a few distinct lengths: a person id, "n:" and a number). A SHA-256 per key in
    Python cost ~1.5 CPU-s for the 2.5M people of a 10M-row list (on forked workers 2.1-2.5 s wall); this
    ~0.6 s."""
    if person_keys.len() == 0:
        return pl.Series(person_keys.name, [], dtype=pl.Int64)
    if person_keys.null_count():
        raise ValueError("every exported row has a person key (a person id, or its number)")
    lengths = person_keys.str.len_bytes().to_numpy()
    width = max(int(lengths.max()), 1)
    matrix = np.array(person_keys.cast(pl.Binary).to_list(), dtype=f"S{width}").view(np.uint8).reshape(-1, width)
    hashes = np.empty(lengths.size, dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    with np.errstate(over="ignore"):  # multiplication modulo 2**64 is the point
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            h = np.full(rows.size, _FNV_OFFSET, dtype=np.uint64)
            for column in np.ascontiguousarray(matrix[rows, :length].T):  # a byte position of every key
                h ^= column
                h *= prime
            hashes[rows] = h
        for factor in _FMIX_FACTORS:  # _mix, column-wise
            hashes ^= hashes >> np.uint64(33)
            hashes *= np.uint64(factor)
        hashes ^= hashes >> np.uint64(33)
    return pl.Series(person_keys.name, (hashes % np.uint64(SPREAD)).astype(np.int64))


def _by_share(spread: pl.Expr, centres: list[CallCentre]) -> pl.Expr:
    """Bands of 0..SPREAD-1 in proportion to the shares, in the campaign's order of call centres."""
    total = sum(c.share for c in centres)
    upper = 0
    chain: Any = None
    for centre in centres:
        upper += centre.share
        bound = upper * SPREAD // total
        chain = (pl.when(spread < bound).then(pl.lit(centre.id)) if chain is None
                 else chain.when(spread < bound).then(pl.lit(centre.id)))
    return pl.lit(None, pl.String) if chain is None else chain.otherwise(pl.lit(None, pl.String))


def assign(allowed: pl.DataFrame, centres: list[CallCentre], *, alone: pl.Expr | None = None) -> pl.DataFrame:
    """`allowed` (columns person_key, region, customer) with call_centre_id and flow added; call_centre_id
    is null where no call centre takes the region (`unassigned`). `alone`: true for rows known to be their
    person's only row (a number the store does not know, when the list's numbers are distinct): those are
    their own person, not grouped."""
    if not centres:
        raise InvalidInput("The campaign has no call centres; add them to the campaign file ([[call_centre]] "
                           "name and share) and create it again.", field="call_centre")
    # The spread is a function of the key alone, so it is taken per row. A person's region (its first row's)
    # and whether it is a customer (any row) are found by grouping only the rows that may share a person:
    # at 10M rows grouping and joining back all 2.5M exported rows on a text key cost ~1.5 s, and all but a
    # few percent are people of one row.
    frame = allowed.with_columns(_spread(allowed["person_key"]).alias("_spread"))
    shared = (np.ones(frame.height, dtype=bool) if alone is None
              else frame.select((~alone).fill_null(True)).to_series().to_numpy())
    if shared.any():
        rows = pl.Series(np.flatnonzero(shared), dtype=pl.Int64)
        part = frame.select("person_key", "region", "customer").gather(rows)
        people = part.group_by("person_key").agg(pl.col("region").first(), pl.col("customer").any())
        part = part.select("person_key").join(people, on="person_key", how="left", maintain_order="left")
        frame = frame.with_columns(frame["region"].scatter(rows, part["region"]),
                                   frame["customer"].scatter(rows, part["customer"]))
    regional = [c for c in centres if c.regions]
    general = [c for c in centres if not c.regions]
    choice = _by_share(pl.col("_spread"), general) if general else pl.lit(None, pl.String)
    for region in sorted({r for c in regional for r in c.regions}):
        takers = [c for c in regional if region in c.regions]
        choice = pl.when(pl.col("region") == region).then(_by_share(pl.col("_spread"), takers)).otherwise(choice)
    flow = pl.when(pl.col("customer")).then(pl.lit("customer")).otherwise(pl.lit("lead"))
    # The caller's region and customer columns as they were: the person's are only used to choose.
    return allowed.hstack(frame.select(choice.alias("call_centre_id"), flow.alias("flow")))
