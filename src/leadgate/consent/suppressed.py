"""Which of millions of phone numbers are on the suppression list: the bulk check behind screening.

The list holds HMAC digests only, so a number is found by hashing it. Hashing all 10 million numbers of
a screening run costs seconds; instead every number gets its 30-bit bucket (`consent.buckets`, numpy, a
fraction of that), only numbers whose bucket occurs on the list are hashed (matches plus ~0.1% false
candidates at 1M suppressions), and those digests are looked up. Of the list itself only the bucket
column is read in full (its index covers it); the rows of the candidates' buckets are fetched by index.

Rows recorded before migration 0005 have no bucket (NULL), and as the list keeps no numbers they cannot
get one afterwards (recording the same objection again fills it in). E-mail rows carry `EMAIL_BUCKET`
instead, so a NULL bucket means exactly "older than the prefilter". While such rows exist, every input
number is also hashed and matched against them: correct but slow; `legacy_suppressions` counts them so
that the caller can warn, and a warning is logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.consent.buckets import bucket_key, phone_buckets
from leadgate.consent.models import Suppression
from leadgate.kit.moments import from_store

log = logging.getLogger(__name__)

_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S%.f"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
RESULT_SCHEMA = pl.Schema({"number": pl.Int64(), "channel": pl.String(), "at": pl.Datetime("us", "UTC")})


def phone_digests(key: bytes, numbers: Iterable[int]) -> list[str]:
    """suppression_digest(key, f"phone:+{n}") for each number: HMAC-SHA256 with the inner and outer
    states computed once and copied per number (about 3x faster than hmac.new per value)."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    digests = []
    for number in numbers:
        i = inner.copy()
        i.update(b"phone:+%d" % number)
        o = outer.copy()
        o.update(i.digest())
        digests.append(o.hexdigest())
    return digests


def legacy_suppressions(session: Session) -> int:
    """Suppressions without a bucket (recorded before migration 0005): each makes bulk checks hash every number."""
    return session.scalar(select(func.count()).select_from(Suppression).where(Suppression.bucket.is_(None))) or 0


def listed_buckets(session: Session) -> pl.Series:
    """The distinct buckets of the phone suppression list: what `suppressed_numbers` reads of the list in
    full, whatever numbers it checks (1M suppressions: ~0.5 s), so that a caller can read it beforehand."""
    session.flush()  # the cursor bypasses the ORM's autoflush: rows added in this unit of work count too
    return _column(session, "SELECT bucket FROM suppressions WHERE bucket >= 0").unique()


def suppressed_numbers(session: Session, *, key: bytes, numbers: pl.Series,
                       buckets: pl.Series | None = None) -> pl.DataFrame:
    """(number, channel, at) for each input number on the phone suppression list, one row per suppression.

    `numbers` are E.164 numbers as Int64 digits (+32470123456 → 32470123456); nulls and repeats are fine.
    `buckets`: `listed_buckets` read earlier in the same unit of work, if the caller has them.
    """
    bucket_key(key)  # refuses a short key before any work
    given = numbers.cast(pl.Int64).drop_nulls()
    session.flush()  # the cursors below bypass the ORM's autoflush: rows added in this unit of work count too
    listed = listed_buckets(session) if buckets is None else buckets
    # Repeats are dropped among the few candidates, not among all numbers: cheaper than a unique() first.
    inputs = pl.DataFrame({"number": given, "bucket": phone_buckets(key, given.to_numpy())})
    candidates = inputs.join(pl.DataFrame({"bucket": listed}, schema={"bucket": pl.Int64}), on="bucket",
                             how="semi").unique("number")
    rows = _rows_in_buckets(session, candidates["bucket"].unique().sort().to_list())
    hashed = candidates.with_columns(digest=pl.Series(phone_digests(key, candidates["number"].to_list()),
                                                      dtype=pl.String))
    found = pl.DataFrame({"bucket": [r[0] for r in rows], "digest": [r[1] for r in rows], "row": range(len(rows))},
                         schema={"bucket": pl.Int64, "digest": pl.String, "row": pl.Int64})
    matched = hashed.join(found, on=["bucket", "digest"]).select("number", "row")

    legacy = _fetch(session, "SELECT NULL, digest, channel, at FROM suppressions WHERE bucket IS NULL")
    if legacy:
        distinct = given.unique()
        log.warning("%d suppressions predate the phone prefilter: hashing all %d numbers to check them",
                    len(legacy), len(distinct))
        everyone = pl.DataFrame({"number": distinct, "digest": phone_digests(key, distinct.to_list())},
                                schema={"number": pl.Int64, "digest": pl.String})
        old = pl.DataFrame({"digest": [r[1] for r in legacy], "row": range(len(rows), len(rows) + len(legacy))},
                           schema={"digest": pl.String, "row": pl.Int64})
        matched = pl.concat([matched, everyone.join(old, on="digest").select("number", "row")])
        rows = rows + legacy

    at = matched["row"].to_list()
    return pl.DataFrame({"number": matched["number"], "channel": [rows[r][2] for r in at],
                         "at": _moments([rows[r][3] for r in at])},
                        schema=RESULT_SCHEMA).sort("number", "at", "channel")


# Buckets per query: well under SQLite's bound parameters limit (32,766).
_BUCKETS_PER_QUERY = 10_000


def _column(session: Session, sql: str) -> pl.Series:
    """One integer column through a plain DB-API cursor: SQLAlchemy rows for a million values cost seconds.
    On SQLite the bucket index covers the query, so the table itself is never read."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return pl.Series([r[0] for r in cursor.fetchall()], dtype=pl.Int64)
    finally:
        cursor.close()


def _fetch(session: Session, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _rows_in_buckets(session: Session, buckets: list[int]) -> list[Any]:
    """(bucket, digest, channel, at) of the suppressions in these buckets: the candidates' rows only (a
    fraction of a percent of a big list), by the bucket index. The moments stay as the driver returns them
    until a row matches."""
    if not buckets:
        return []
    if session.connection().dialect.name == "postgresql":
        return _fetch(session, "SELECT bucket, digest, channel, at FROM suppressions WHERE bucket = ANY(%s)",
                      (buckets,))
    rows: list[Any] = []
    for start in range(0, len(buckets), _BUCKETS_PER_QUERY):
        part = buckets[start:start + _BUCKETS_PER_QUERY]
        rows += _fetch(session, "SELECT bucket, digest, channel, at FROM suppressions WHERE bucket IN "
                                f"({', '.join('?' * len(part))})", tuple(part))
    return rows


def _moments(values: list[object]) -> pl.Series:
    """The stored moments as one UTC column, without building an aware datetime per row (slow in polars).

    SQLite gives SQLAlchemy's text form of the UTC wall clock (kit.moments), PostgreSQL aware datetimes.
    """
    if all(isinstance(v, str) for v in values):
        return (pl.Series(values, dtype=pl.String).str.to_datetime(_SQLITE_FORMAT, time_unit="us")
                .dt.replace_time_zone("UTC"))
    micros = []
    for value in values:
        if not isinstance(value, datetime):
            raise TypeError(f"unexpected moment {value!r} in the suppression list")
        micros.append((from_store(value) - _EPOCH) // _MICROSECOND)
    return pl.Series(micros, dtype=pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
