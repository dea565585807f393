"""The derived, hash-verified Parquet file of each full snapshot's listed numbers.

The database is the record (listing intervals); the file is a cache that serves bulk screening and the
next import's diff in a second instead of a 25-million-row query. Every read checks it against the
snapshot's `listed_sha256`; a missing or altered file is rebuilt from the database, and a database that
no longer gives that hash is tampering, reported as an error rather than screened against.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from leadgate.kit.errors import LeadgateError
from leadgate.registers.models import RegisterSnapshot


class RegisterTampered(LeadgateError):
    status_code = 500
    code = "register_tampered"


def listed_digest(numbers: pl.Series) -> str:
    """SHA-256 of sorted numbers as little-endian int64 bytes (the order is the caller's: sorted)."""
    array = np.ascontiguousarray(numbers.cast(pl.Int64).to_numpy().astype("<i8", copy=False))
    return hashlib.sha256(array.data).hexdigest()  # no copy of the 200 MB of a 25M-number list


def cache_path(data_dir: Path, snapshot: RegisterSnapshot) -> Path:
    return data_dir / "registers" / snapshot.register / f"{snapshot.id}.parquet"


def write_cache(data_dir: Path, snapshot: RegisterSnapshot, numbers: pl.Series) -> Path:
    """Write the sorted numbers atomically: a reader sees the old file or the whole new one."""
    path = cache_path(data_dir, snapshot)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{snapshot.id}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            pl.DataFrame({"number": numbers.cast(pl.Int64)}).write_parquet(out, statistics=False)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _read_cache(path: Path) -> pl.Series | None:
    try:
        return pl.read_parquet(path, columns=["number"])["number"]
    except Exception:  # missing, truncated or not Parquet at all: all mean "rebuild"
        return None


def from_database(session: Session, snapshot: RegisterSnapshot) -> pl.Series:
    """The numbers listed at `snapshot` according to the listing intervals, sorted (Int64)."""
    sql = ("SELECT number FROM register_numbers WHERE register = '{r}' AND listed_from <= {i} "
           "AND (listed_to IS NULL OR listed_to > {i}) ORDER BY number")
    # The name is checked against the rulebooks' pattern at import ([a-z0-9-]) and the id is an int, so the
    # literals cannot inject; COPY cannot take bound parameters.
    if not all(c.isalnum() or c == "-" for c in snapshot.register):
        raise LeadgateError(f"unexpected register name {snapshot.register!r}")
    query = sql.format(r=snapshot.register, i=int(snapshot.id))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        buffer = io.BytesIO()
        with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        text = buffer.getvalue()
        if not text:
            return pl.Series("number", [], dtype=pl.Int64)
        return pl.read_csv(io.BytesIO(text), has_header=False, new_columns=["number"],
                           schema_overrides={"number": pl.Int64})["number"]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(query)
    parts = []
    while rows := cursor.fetchmany(1_000_000):
        parts.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
    array = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return pl.Series("number", array, dtype=pl.Int64)


def listed_numbers(session: Session, *, snapshot: RegisterSnapshot, data_dir: Path) -> pl.Series:
    """The sorted numbers (Int64) a full snapshot lists, from its verified cache file (rebuilt if needed)."""
    path = cache_path(data_dir, snapshot)
    numbers = _read_cache(path)
    if numbers is not None and listed_digest(numbers) == snapshot.listed_sha256:
        return numbers.rename("number")
    numbers = from_database(session, snapshot)
    if listed_digest(numbers) != snapshot.listed_sha256:
        raise RegisterTampered(
            f"The listings of {snapshot.register} snapshot {snapshot.id} in the database no longer match the "
            f"hash recorded at import ({numbers.len():,} numbers now, {snapshot.numbers_listed:,} then): the "
            "register tables were altered outside leadgate. Re-import the register file; do not screen "
            "against this snapshot.")
    write_cache(data_dir, snapshot, numbers)
    return numbers
