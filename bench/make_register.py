"""A synthetic do-not-call register file for benchmarks: realistic Belgian numbers (mobiles 04[5-9]..., Brussels,
Antwerp-area and Ghent-area fixed lines), about 0.5 % junk lines, in the DNCM ("number;registration date")
or TPS (one national number a line) layout. `--change 0.001` writes the same register (same --seed) a day
later: that share of the numbers replaced by new ones (half removed, half added), for the diff import.

    python bench/make_register.py --n 25000000 --out /tmp/dncm.txt --seed 1
    python bench/make_register.py --n 25000000 --out /tmp/dncm2.txt --seed 1 --change 0.001
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

# National significant numbers (without the 0) as [low, high) ranges, with their share of the draw.
RANGES = ((450_000_000, 500_000_000, 0.8), (22_000_000, 29_000_000, 0.15), (92_000_000, 95_000_000, 0.05))
JUNK = ("n/a", "04701", "+32 abc", "0000000000", "unknown", "0470-12-34-5x", "12")


def _distinct(values: np.ndarray) -> np.ndarray:
    # np.unique is slow on this numpy build (seconds per million); a sort and a neighbour test is not.
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` distinct national significant numbers (int64)."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        want = int((n - out.size) * 1.1) + 1000
        parts = [rng.integers(lo, hi, size=int(want * share), dtype=np.int64) for lo, hi, share in RANGES]
        out = _distinct(np.concatenate([out, *parts]))
    return rng.permutation(out)[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="numbers in the file")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=("dncm", "tps"), default="dncm")
    parser.add_argument("--change", type=float, default=0.0, help="share of numbers replaced (0.001 = 0.1 %%)")
    parser.add_argument("--junk", type=float, default=0.005, help="share of junk lines")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    nsn = numbers(args.n, rng)
    if args.change:
        changed = int(args.n * args.change / 2)
        candidates = numbers(changed * 3, np.random.default_rng(args.seed + 1))
        fresh = candidates[~np.isin(candidates, nsn, kind="sort")][:changed]
        keep = np.random.default_rng(args.seed + 2).permutation(nsn.size)[changed:]
        nsn = np.concatenate([nsn[keep], fresh])
    frame = pl.DataFrame({"nsn": nsn})
    text = pl.lit("0") + pl.col("nsn").cast(pl.String)
    if args.format == "dncm":
        days = rng.integers(0, 4000, size=frame.height)
        frame = frame.with_columns(pl.Series("day", days))
        text = text + pl.lit(";") + (pl.date(2014, 5, 31) + pl.duration(days=pl.col("day"))).dt.strftime("%Y-%m-%d")
    lines = frame.select(text.alias("line"))
    junk = int(frame.height * args.junk)
    if junk:
        # Junk lines come on top of the numbers, at positions of their own seed: a --change file differs
        # from its original by exactly the changed numbers.
        bad = pl.DataFrame({"line": [JUNK[i % len(JUNK)] for i in range(junk)]})
        order = np.random.default_rng(args.seed + 3).permutation(lines.height + junk)
        lines = pl.concat([lines, bad])[order]
    header = "number;registration_date\n" if args.format == "dncm" else ""
    with args.out.open("wb") as out:
        out.write(header.encode())
        lines.write_csv(out, include_header=False, quote_style="never")
    print(f"{args.out}: {lines.height:,} lines ({junk:,} junk)")


if __name__ == "__main__":
    main()
