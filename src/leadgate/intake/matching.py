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

from leadgate.people.models import CustomerRelationship

CHUNK = 2000  # values per IN query: well inside SQLite's and PostgreSQL's parameter limits
CONFLICT = "phone number and e-mail address belong to two different persons already stored"


def id_prefix() -> str:
    return os.urandom(8).hex()


def ids_from(prefix: str, position: pl.Expr) -> pl.Expr:
    """32-character ids (as uuid4().hex): a random 64-bit prefix per batch and a 16-digit position. Ascending
    ids within a batch also let the primary-key index grow at its end."""
    return pl.lit(prefix) + (position.cast(pl.Int64) + 10**15).cast(pl.String)


def new_ids(n: int) -> pl.Series:
    return pl.select(ids_from(id_prefix(), pl.int_range(n, dtype=pl.Int64)).alias("id")).to_series()


def existing_points(session: Session, medium: str, values: pl.Series) -> dict[str, tuple[str, str]]:
    """value -> (contact point id, person id) of the stored contact points among `values`. Plain SQL with
    chunked parameters: compiling a million bound parameters in SQLAlchemy costs more than the queries."""
    connection = session.connection()
    found: dict[str, tuple[str, str]] = {}
    postgres = connection.dialect.name == "postgresql"
    size = 50_000 if postgres else 5_000
    for start in range(0, len(values), size):
        batch = values.slice(start, size).to_list()
        if postgres:
            result = connection.exec_driver_sql(
                "SELECT value, id, person_id FROM contact_points WHERE medium = %(m)s AND value = ANY(%(v)s)",
                {"m": medium, "v": batch})
        else:
            marks = ",".join("?" * len(batch))
            result = connection.exec_driver_sql(
                f"SELECT value, id, person_id FROM contact_points WHERE medium = ? AND value IN ({marks})",
                (medium, *batch))
        found.update((value, (point, person)) for value, point, person in result)
    return found


def paying_customers(session: Session, person_ids: Iterable[str]) -> set[str]:
    ids, found = list(person_ids), set[str]()
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
    """Assign every accepted row (columns _row, e164, email_norm) its person and contact points; returns the
    rows (less those rejected for a conflict) with person_id, phone_cp, email_cp and new_person/phone/email."""
    stored_phone = existing_points(session, "phone", rows["e164"].drop_nulls().unique())
    stored_email = existing_points(session, "email", rows["email_norm"].drop_nulls().unique())
    narrow = rows.select("_row", "e164", "email_norm").with_row_index("_pos")
    shared = pl.lit(False)
    for column, stored in (("e164", stored_phone), ("email_norm", stored_email)):
        seen = (pl.len().over(column) > 1) | (pl.col(column).is_in(list(stored)) if stored else pl.lit(False))
        shared = shared | (pl.col(column).is_not_null() & seen)
    walked = narrow.filter(shared)
    persons = _Persons()
    owner: dict[tuple[str, str], tuple[str, object]] = {}
    token_of: dict[int, tuple[str, object]] = {}
    conflicts: list[int] = []
    for pos, row_number, phone, email in walked.iter_rows():
        keys = [k for k in (("phone", phone), ("email", email)) if k[1] is not None]
        tokens = set()
        for key in keys:
            if key in owner:
                tokens.add(persons.find(owner[key]))
            else:
                point = (stored_phone if key[0] == "phone" else stored_email).get(key[1])
                if point is not None:
                    tokens.add(persons.find(("s", point[1])))
        if sum(1 for t in tokens if t[0] == "s") > 1:
            conflicts.append(row_number)
            continue
        root = persons.join(tokens | {("n", pos)})
        for key in keys:
            owner.setdefault(key, root)
        token_of[pos] = root
    # Every row is its own new person unless the walk says otherwise: a stored person, or an earlier row.
    root_pos = pl.Series("_root", range(narrow.height), dtype=pl.Int64)
    stored_person = pl.Series("_stored", [None] * narrow.height, dtype=pl.String)
    resolved = [(pos, persons.find(token)) for pos, token in token_of.items()]
    new_roots = [(pos, int(t[1])) for pos, t in resolved if t[0] == "n"]  # type: ignore[call-overload]
    old = [(pos, str(t[1])) for pos, t in resolved if t[0] == "s"]
    if new_roots:
        root_pos = root_pos.scatter([p for p, _ in new_roots], [r for _, r in new_roots])
    if old:
        stored_person = stored_person.scatter([p for p, _ in old], [i for _, i in old])
    keep = ~pl.col("_row").is_in(conflicts)
    narrow = narrow.with_columns(root_pos, stored_person).filter(keep)
    person = id_prefix()
    narrow = narrow.with_columns(
        pl.coalesce("_stored", ids_from(person, pl.col("_root"))).alias("person_id"),
        (pl.col("_stored").is_null() & (pl.col("_root") == pl.col("_pos"))).alias("new_person"))
    narrow = _points(narrow, stored_phone, stored_email)
    out = (rows.filter(keep) if conflicts else rows).hstack(
        narrow.select("person_id", "new_person", "phone_cp", "email_cp", "new_phone", "new_email"))
    return Matched(out, pl.DataFrame({"_row": conflicts}, schema={"_row": pl.Int64}),
                   {str(t[1]) for _, t in resolved if t[0] == "s"})


def _points(rows: pl.DataFrame, stored_phone: dict[str, tuple[str, str]], stored_email: dict[str, tuple[str, str]]
            ) -> pl.DataFrame:
    """phone_cp/email_cp per row: the stored point, else one new point per value (its first row creates it)."""
    for medium, column, stored in (("phone", "e164", stored_phone), ("email", "email_norm", stored_email)):
        if stored:
            known = pl.DataFrame({column: list(stored), "_known": [v[0] for v in stored.values()]},
                                 schema={column: pl.String, "_known": pl.String})
            rows = rows.join(known, on=column, how="left", maintain_order="left")
        else:
            rows = rows.with_columns(pl.lit(None, pl.String).alias("_known"))
        first = pl.col("_pos").min().over(column)
        fresh = pl.col(column).is_not_null() & pl.col("_known").is_null()
        rows = rows.with_columns(
            pl.when(fresh).then(ids_from(id_prefix(), first)).otherwise("_known").alias(f"{medium}_cp"),
            (fresh & (first == pl.col("_pos"))).alias(f"new_{medium}")).drop("_known")
    return rows
