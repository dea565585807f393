"""Hashing files without reading them into memory at once (lead files and exports of a gigabyte).

A file is read into one reused buffer of 32 MiB at a time and each piece hashed in one call: reading and
hashing both release the GIL, and a gigabyte takes ~40 of those calls, so the process's other threads
run Python meanwhile and each hand-over of the GIL (up to the 5 ms switch interval while another thread
runs Python) happens ~80 times, not tens of thousands. Hashing what polars writes, piece by piece, through
a Python file object needed the GIL for every small piece: writing and hashing a 1.3 GB blocked.csv took
~12 s beside a busy thread, against ~3 s this way. (A memory map would need no buffer, but its pages count
in the process's resident memory, ~1.3 GB more at the peak of a 10M-row screening.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

_PIECE = 32 << 20  # bytes read and hashed at a time


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(_PIECE)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as handle:
        while read := handle.readinto(buffer):
            digest.update(view[:read])
    return digest.hexdigest()


def write_csv_sha256(frame: pl.DataFrame, path: Path) -> str:
    """`frame.write_csv(path)`, and the written file's SHA-256. polars writes to the path itself, without
    the GIL; the bytes are then hashed from the page cache (see the module docstring)."""
    frame.write_csv(path)
    return file_sha256(path)
