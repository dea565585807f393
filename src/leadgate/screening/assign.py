"""Which call centre gets which person, and in which flow (customers: klantflow, the rest: leadflow).

One person, one call centre: everything is decided per person (the stored person, or the number when the
store does not know it), so a person's numbers never end up in two call centres' files, and a person in
the customer flow never appears in the lead flow. Call centres with regions take the people of those
regions; the others share the rest by their percentages. The split is a deterministic function of the
person, so screening the same list again gives each person the same call centre.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from leadgate.kit.errors import InvalidInput
from leadgate.screening.forked import forked_map


@dataclass(frozen=True)
class CallCentre:
    id: str
    name: str
    share: int
    regions: frozenset[str]


def _spreads(person_keys: Sequence[str]) -> list[int]:
    return [int.from_bytes(hashlib.sha256(k.encode()).digest()[:4], "big") % 10_000 for k in person_keys]


def _spread(person_keys: pl.Series) -> pl.Series:
    """0..9999 per person, stable across runs and library versions (SHA-256 of the key); a few million
    keys are hashed on every core."""
    return pl.Series(forked_map(_spreads, person_keys.to_list(), minimum=200_000), dtype=pl.Int64)


def _by_share(spread: pl.Expr, centres: list[CallCentre]) -> pl.Expr:
    """Bands of 0..9999 in proportion to the shares, in the campaign's order of call centres."""
    total = sum(c.share for c in centres)
    upper = 0
    chain: Any = None
    for centre in centres:
        upper += centre.share
        bound = upper * 10_000 // total
        chain = (pl.when(spread < bound).then(pl.lit(centre.id)) if chain is None
                 else chain.when(spread < bound).then(pl.lit(centre.id)))
    return pl.lit(None, pl.String) if chain is None else chain.otherwise(pl.lit(None, pl.String))


def assign(allowed: pl.DataFrame, centres: list[CallCentre]) -> pl.DataFrame:
    """`allowed` (columns person_key, region, customer) with call_centre_id and flow added; call_centre_id
    is null where no call centre takes the region (`unassigned`)."""
    if not centres:
        raise InvalidInput("The campaign has no call centres; add them to the campaign file ([[call_centre]] "
                           "name and share) and create it again.", field="call_centre")
    people = allowed.group_by("person_key").agg(pl.col("region").first(), pl.col("customer").any())
    people = people.with_columns(_spread(people["person_key"]).alias("_spread"))
    regional = [c for c in centres if c.regions]
    general = [c for c in centres if not c.regions]
    choice = _by_share(pl.col("_spread"), general) if general else pl.lit(None, pl.String)
    for region in sorted({r for c in regional for r in c.regions}):
        takers = [c for c in regional if region in c.regions]
        choice = pl.when(pl.col("region") == region).then(_by_share(pl.col("_spread"), takers)).otherwise(choice)
    people = people.with_columns(choice.alias("call_centre_id"),
                                 pl.when(pl.col("customer")).then(pl.lit("customer")).otherwise(pl.lit("lead"))
                                 .alias("flow"))
    return allowed.join(people.select("person_key", "call_centre_id", "flow"), on="person_key", how="left")
