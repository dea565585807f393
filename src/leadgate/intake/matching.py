"""Who is who: the same E.164 number or normalised e-mail address is the same person.

Most rows of a file name a number and address seen nowhere else: each becomes a new person, column-wise.
Only rows sharing a value with another row or with a stored contact point are walked in Python, in file
order, merging persons as their values meet (the first row of a person gives its name and kind). A row
whose values belong to two different stored persons is rejected: merging stored persons is a decision
for a human, not for an import.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.people.models import ContactPoint, CustomerRelationship

CHUNK = 2000  # values per IN query: well inside SQLite's and PostgreSQL's parameter limits
CONFLICT = "phone number and e-mail address belong to two different persons already stored"


def new_ids(n: int) -> pl.Series:
    """n fresh ids: a random 64-bit prefix per batch and a counter (32 hex-like characters, as uuid4().hex).
    Ascending ids within a batch also make the primary-key index grow at its end."""
    prefix = os.urandom(8).hex()
    return pl.select((pl.lit(prefix) + pl.int_range(n, dtype=pl.Int64).cast(pl.String).str.zfill(16))
                     .alias("id")).to_series()


def existing_points(session: Session, medium: str, values: Iterable[str]) -> dict[str, tuple[str, str]]:
    """value -> (contact point id, person id) of the stored contact points among `values`."""
    found: dict[str, tuple[str, str]] = {}
    batch = list(values)
    for start in range(0, len(batch), CHUNK):
        query = select(ContactPoint.value, ContactPoint.id, ContactPoint.person_id).where(
            ContactPoint.medium == medium, ContactPoint.value.in_(batch[start:start + CHUNK]))
        found.update((value, (point, person)) for value, point, person in session.execute(query).tuples())
    return found


def paying_customers(session: Session, person_ids: Iterable[str]) -> set[str]:
    ids, found = list(person_ids), set()
    for start in range(0, len(ids), CHUNK):
        found.update(session.scalars(select(CustomerRelationship.person_id).where(
            CustomerRelationship.paid.is_(True), CustomerRelationship.person_id.in_(ids[start:start + CHUNK]))))
    return found


@dataclass
class Matched:
    rows: pl.DataFrame  # accepted rows with person_id, phone_cp, email_cp, new_person, new_phone, new_email
    conflicts: pl.DataFrame  # _row of rows rejected for a conflict between stored persons
    persons_matched: set[str]


class _Persons:
    """Union-find over persons: stored ones ("s", id) and ones this file creates ("n", first row position)."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, object], tuple[str, object]] = {}

    def find(self, token: tuple[str, object]) -> tuple[str, object]:
        root = token
        while (up := self.parent.get(root, root)) != root:
            root = up
        while token != root:  # path compression
            self.parent[token], token = root, self.parent.get(token, token)
        return root

    def join(self, tokens: set[tuple[str, object]]) -> tuple[str, object]:
        stored = [t for t in tokens if t[0] == "s"]
        root = stored[0] if stored else min(tokens, key=lambda t: int(t[1]))  # type: ignore[call-overload]
        for token in tokens:
            self.parent[token] = root
        return root


def match(session: Session, rows: pl.DataFrame) -> Matched:
    """Assign every accepted row (columns _row, e164, email_norm) its person and contact points."""
    stored_phone = existing_points(session, "phone", rows["e164"].drop_nulls().unique())
    stored_email = existing_points(session, "email", rows["email_norm"].drop_nulls().unique())
    shared = (pl.col("e164").is_not_null() & ((pl.len().over("e164") > 1)
                                              | pl.col("e164").is_in(list(stored_phone))))
    shared = shared | (pl.col("email_norm").is_not_null() & ((pl.len().over("email_norm") > 1)
                                                            | pl.col("email_norm").is_in(list(stored_email))))
    rows = rows.with_columns(pl.int_range(pl.len()).alias("_pos"), shared.fill_null(False).alias("_shared"))
    plain = rows.filter(~pl.col("_shared"))
    plain = plain.with_columns(new_ids(plain.height).alias("person_id"), pl.lit(True).alias("new_person"))

    walked = rows.filter(pl.col("_shared")).select("_pos", "_row", "e164", "email_norm")
    persons, owner = _Persons(), {}
    token_of: dict[int, tuple[str, object]] = {}
    conflicts: list[int] = []
    for pos, row_number, phone, email in walked.iter_rows():
        keys = [k for k in (("phone", phone), ("email", email)) if k[1] is not None]
        tokens = set()
        for key in keys:
            if key in owner:
                tokens.add(persons.find(owner[key]))
            else:
                stored = (stored_phone if key[0] == "phone" else stored_email).get(key[1])
                if stored is not None:
                    tokens.add(persons.find(("s", stored[1])))
        if sum(1 for t in tokens if t[0] == "s") > 1:
            conflicts.append(row_number)
            continue
        root = persons.join(tokens | {("n", pos)})
        for key in keys:
            owner.setdefault(key, root)
        token_of[pos] = root

    resolved = {pos: persons.find(token) for pos, token in token_of.items()}
    new_person_ids = dict(zip(sorted({t for t in resolved.values() if t[0] == "n"}, key=str),
                              new_ids(len(resolved)).to_list(), strict=False))
    positions = sorted(resolved)
    person_of = pl.DataFrame({
        "_pos": pl.Series(positions, dtype=pl.Int64),
        "person_id": [str(resolved[p][1]) if resolved[p][0] == "s" else new_person_ids[resolved[p]]
                      for p in positions],
        "new_person": [resolved[p][0] == "n" and resolved[p][1] == p for p in positions],
    })
    walked_rows = rows.filter(pl.col("_shared")).join(person_of, on="_pos", how="inner", maintain_order="left")
    matched = {str(t[1]) for t in resolved.values() if t[0] == "s"}
    out = pl.concat([plain, walked_rows.select(plain.columns)]).sort("_pos")
    return Matched(_points(out, stored_phone, stored_email), pl.DataFrame({"_row": conflicts}, schema={"_row": pl.Int64}),
                   matched)


def _points(rows: pl.DataFrame, stored_phone: dict[str, tuple[str, str]], stored_email: dict[str, tuple[str, str]]
            ) -> pl.DataFrame:
    """phone_cp/email_cp per row: the stored point, else one new point per value (its first row creates it)."""
    for medium, column, stored in (("phone", "e164", stored_phone), ("email", "email_norm", stored_email)):
        known = pl.DataFrame({column: list(stored), f"{medium}_cp": [v[0] for v in stored.values()]},
                             schema={column: pl.String, f"{medium}_cp": pl.String})
        rows = rows.join(known, on=column, how="left", maintain_order="left")
        first = pl.col(column).is_not_null() & pl.col(f"{medium}_cp").is_null() & pl.col(column).is_first_distinct()
        rows = rows.with_columns(first.alias(f"new_{medium}"))
        fresh = rows.filter(pl.col(f"new_{medium}")).select(column).with_columns(
            new_ids(int(rows[f"new_{medium}"].sum())).alias("_fresh"))
        rows = rows.join(fresh, on=column, how="left", maintain_order="left").with_columns(
            pl.coalesce(f"{medium}_cp", "_fresh").alias(f"{medium}_cp")).drop("_fresh")
    return rows
