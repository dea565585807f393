"""Benchmark of the suppression list's bulk check (consent.suppressed) against hashing every number.

    python bench/bench_suppressed.py --numbers 10000000 --suppressions 1000000 --repeat 3

A throwaway SQLite file made by `leadgate db upgrade`; the phone suppressions are inserted with
executemany (bucket and HMAC digest as record_objection computes them). The input is `--numbers`
random 11-digit numbers, `--hits` of them drawn from the list. Reported, best of `--repeat`:

- phone_buckets over all input numbers (numpy SipHash);
- suppressed_numbers (load buckets and digests, bucket semi-join, HMAC of candidates, details of matches);
- baseline: the same load, then the HMAC of every distinct input number (precomputed states) and a join
  on digest — what screening would cost without the prefilter (and what the legacy slow path costs).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from leadgate.consent.buckets import EMAIL_BUCKET, phone_buckets
from leadgate.consent.suppressed import _suppressions, phone_digests, suppressed_numbers
from leadgate.kit.db import unit_of_work

KEY = b"bench-suppression-key-0123456789"
LOW, HIGH = 10**10, 10**11  # 11-digit numbers, the length of most European mobiles in E.164


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall time, and the CPU time (all threads) of that run: the CPU figure holds on a busy machine."""
    times, result = [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    wall, cpu = min(times)
    return wall, cpu, result


def fill(path: Path, listed: np.ndarray, emails: int) -> None:
    buckets = phone_buckets(KEY, listed).tolist()
    digests = phone_digests(KEY, listed.tolist())
    at = "2026-11-20 09:00:00.000000"
    rows = [(secrets.token_hex(16), d, "phone", at, b) for d, b in zip(digests, buckets, strict=True)]
    rows += [(secrets.token_hex(16), secrets.token_hex(32), "all", at, EMAIL_BUCKET) for _ in range(emails)]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO suppressions (id, digest, channel, at, bucket) VALUES (?, ?, ?, ?, ?)", rows)


def baseline(url: str, numbers: pl.Series) -> pl.DataFrame:
    with unit_of_work(url) as session:
        listed = _suppressions(session)[0].filter(pl.col("bucket") >= 0)
    distinct = numbers.drop_nulls().unique()
    hashed = pl.DataFrame({"number": distinct, "digest": phone_digests(KEY, distinct.to_list())})
    return hashed.join(listed, on="digest", how="semi")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=10_000_000)
    parser.add_argument("--suppressions", type=int, default=1_000_000)
    parser.add_argument("--emails", type=int, default=10_000, help="e-mail suppressions (never candidates)")
    parser.add_argument("--hits", type=int, default=100_000, help="input numbers that are on the list")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="keep the SQLite file here; an existing one is reused as is")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    listed = np.unique(rng.integers(LOW, HIGH, size=args.suppressions, dtype=np.int64))
    numbers = rng.integers(LOW, HIGH, size=args.numbers, dtype=np.int64)
    numbers[rng.choice(args.numbers, size=args.hits, replace=False)] = rng.choice(listed, size=args.hits)
    series = pl.Series("number", numbers, dtype=pl.Int64)
    expected = int(np.isin(np.unique(numbers), listed).sum())

    with tempfile.TemporaryDirectory() as workdir:
        path = args.db or Path(workdir) / "bench.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {
                "LEADGATE_DATABASE_URL": url}
            subprocess.run([str(Path(sys.executable).parent / "leadgate"), "db", "upgrade"], env=env, check=True,
                           capture_output=True)
            start = time.perf_counter()
            fill(path, listed, args.emails)
            print(f"setup: {len(listed):,} phone + {args.emails:,} e-mail suppressions in "
                  f"{time.perf_counter() - start:.1f} s")
        print(f"{args.numbers:,} input numbers, {expected:,} distinct on the list")

        seconds, cpu, _ = best(args.repeat, lambda: phone_buckets(KEY, numbers))
        print(f"phone_buckets, {args.numbers:,} numbers: {seconds:.2f} s, CPU {cpu:.2f} s "
              f"({seconds / args.numbers * 1e9:.0f} ns/number)")

        def fast() -> pl.DataFrame:
            with unit_of_work(url) as session:
                return suppressed_numbers(session, key=KEY, numbers=series)
        seconds, cpu, found = best(args.repeat, fast)
        assert found["number"].n_unique() == expected, (found["number"].n_unique(), expected)
        print(f"suppressed_numbers: {seconds:.2f} s, CPU {cpu:.2f} s, {found.height:,} rows")

        seconds, cpu, hashed = best(args.repeat, lambda: baseline(url, series))
        assert hashed.height == expected
        print(f"baseline, HMAC of every distinct number: {seconds:.2f} s, CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()
