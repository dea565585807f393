"""write_csv_sha256 writes what write_csv writes, and its hash (and file_sha256) is the hash of the file on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.kit.files import file_sha256, write_csv_sha256

cells = st.one_of(st.none(), st.text(max_size=12))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(cells, st.one_of(st.none(), st.integers(-10**12, 10**12))), max_size=40))
def test_the_file_and_its_hash_are_write_csvs(tmp_path_factory: pytest.TempPathFactory,
                                              rows: list[tuple[str | None, int | None]]) -> None:
    folder = tmp_path_factory.mktemp("files")
    frame = pl.DataFrame(rows, schema={"text": pl.String, "number": pl.Int64}, orient="row")
    frame.write_csv(folder / "plain.csv")
    sha = write_csv_sha256(frame, folder / "hashed.csv")
    assert (folder / "hashed.csv").read_bytes() == (folder / "plain.csv").read_bytes()
    assert sha == file_sha256(folder / "hashed.csv") == hashlib.sha256((folder / "plain.csv").read_bytes()).hexdigest()


def test_a_file_of_many_writes(tmp_path: Path) -> None:
    """Several megabytes: the hash covers the whole file, in order."""
    frame = pl.DataFrame({"n": range(300_000), "s": [f"+3161234{i:04d}" for i in range(300_000)]})
    sha = write_csv_sha256(frame, tmp_path / "big.csv")
    assert sha == hashlib.sha256((tmp_path / "big.csv").read_bytes()).hexdigest()
    assert (tmp_path / "big.csv").stat().st_size > 5_000_000


def test_an_empty_file_has_the_hash_of_no_bytes(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert file_sha256(tmp_path / "empty.csv") == hashlib.sha256(b"").hexdigest()
    assert write_csv_sha256(pl.DataFrame(), tmp_path / "none.csv") == hashlib.sha256(
        (tmp_path / "none.csv").read_bytes()).hexdigest()
