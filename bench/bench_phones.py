"""Time `leadgate.intake.phones.normalise_phones` on N messy lead phone numbers (default 10 million).

    python bench/bench_phones.py --n 10000000 --repeat 3 --seed 1 [--cache /tmp/phones-10m.parquet]
    python bench/bench_phones.py --n 10000000 --repeat 3 --compare   # the C pass against polars alone

The numbers are generated column-wise (numpy + polars, a few seconds for 10M) and are nearly all
distinct, like a real lead file. Mix per row (approximate shares):

- default region NL/BE/FR/DE/GB 30/20/25/15/10 %, 75 % mobiles in plausible ranges (most valid);
- national with trunk 0 ~47 %, `+CC` ~30 %, `00CC` ~9 %, `+CC (0)...` ~3 %, national with the area
  code and a slash (`020/1234567`) ~3 %, with an extension (` x12`, ` ext. 12`, `;ext=12`, ` #12`)
  ~3 %, grouped with spaces, dashes, dots or nothing; ~2 % carry leading/trailing (non-breaking) spaces;
- ~5 % junk: random digit strings of 3-16 digits, too short national numbers, letters for digits.

Reports the median wall time of `--repeat` runs and their CPU time (all threads: the figure to trust on
a busy machine), how many distinct rows went to the per-row fallback
(`parse_phone`), how many came out valid, and the process's peak RSS before and after normalising.
`--compare` times `normalise_rows` (what screening runs) instead, alternating runs with the C pass
(intake/_phonesplit.c) and without it (the polars path alone), and checks that both answer the same.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import polars as pl

from leadgate.intake import cpass, phones
from leadgate.intake.phones import _settle, normalise_phones

COUNTRIES = ("NL", "BE", "FR", "DE", "GB")
WEIGHTS = (0.30, 0.20, 0.25, 0.15, 0.10)
CC = {"NL": "31", "BE": "32", "FR": "33", "DE": "49", "GB": "44"}
# (prefixes, digits after the prefix) for mobiles and for landlines, as in make_facts.national_number.
RANGES = {
    "NL": ((["61", "62", "63", "64", "65"], 7), (["20", "10", "30", "70", "40"], 7)),
    "BE": ((["470", "471", "472", "475", "476", "477", "478", "479", "484", "485", "486", "487", "488", "489",
             "491", "492", "493", "494", "495", "496", "497", "498", "499"], 6), (["2", "3", "9"], 7)),
    "FR": ((["6", "7"], 8), (["1", "2", "3", "4", "5"], 8)),
    "DE": ((["151", "152", "160", "162", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"], 7),
           (["30", "40", "69"], 8)),
    "GB": ((["74", "75", "77", "78", "79"], 8), (["20", "121", "131", "161"], 7)),
}
STYLES = ("national", "plus", "00", "plus0", "slash", "ext", "junk")
STYLE_WEIGHTS = (0.47, 0.30, 0.09, 0.03, 0.03, 0.03, 0.05)
EXTENSIONS = (" x12", " ext. 123", ";ext=12", " #12")


def _pick(rng: np.random.Generator, values: list[str] | tuple[str, ...], n: int,
          p: tuple[float, ...] | list[float] | None = None) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(rng.choice(len(values), n, p=p))


def _digits(rng: np.random.Generator, n: int, width: int) -> pl.Series:
    return pl.Series(rng.integers(0, 10**width, n, dtype=np.int64)).cast(pl.String).str.zfill(width)


def _national(rng: np.random.Generator, country: str, n: int) -> pl.Series:
    (mobile, m_width), (fixed, f_width) = RANGES[country]
    is_mobile = rng.random(n) < 0.75
    m = _pick(rng, mobile, n) + _digits(rng, n, m_width)
    f = _pick(rng, fixed, n) + _digits(rng, n, f_width)
    return pl.select(pl.when(pl.Series(is_mobile)).then(m).otherwise(f)).to_series()


def _grouped(nsn: pl.Expr, sep: pl.Expr) -> pl.Expr:
    pairs = nsn.str.replace_all(r"(\d\d)", "${1}_").str.strip_chars_end("_")
    return pl.when(sep == "").then(nsn).otherwise(pairs.str.replace_all("_", sep, literal=False))


def make_numbers(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, WEIGHTS)
    parts = []
    for country, count in zip(COUNTRIES, counts, strict=True):
        parts.append(pl.DataFrame({"nsn": _national(rng, country, int(count)),
                                   "region": pl.repeat(country, int(count), eager=True),
                                   "cc": pl.repeat(CC[country], int(count), eager=True)}))
    frame = pl.concat(parts)
    frame = frame.with_columns(
        style=_pick(rng, STYLES, n, STYLE_WEIGHTS),
        sep=_pick(rng, ["", " ", "-", ".", " "], n, [0.35, 0.35, 0.12, 0.08, 0.10]),
        ext=_pick(rng, EXTENSIONS, n),
        junk=_digits(rng, n, 16).str.slice(0, pl.Series(rng.integers(3, 17, n))),
        junk_kind=pl.Series(rng.integers(0, 3, n)),
        pad=_pick(rng, ["", " ", "\u00a0"], n, [0.98, 0.01, 0.01]),
    )
    nsn, cc, sep, grouped = pl.col("nsn"), pl.col("cc"), pl.col("sep"), _grouped(pl.col("nsn"), pl.col("sep"))
    style = pl.col("style")
    raw = (
        pl.when(style == "national").then(pl.lit("0") + grouped)
        .when(style == "plus").then(pl.lit("+") + cc + pl.lit(" ") + grouped)
        .when(style == "00").then(pl.lit("00") + cc + sep + grouped)
        .when(style == "plus0").then(pl.lit("+") + cc + pl.lit(" (0)") + grouped)
        .when(style == "slash").then(pl.lit("0") + nsn.str.slice(0, 2) + pl.lit("/") + nsn.str.slice(2))
        .when(style == "ext").then(pl.lit("0") + grouped + pl.col("ext"))
        .when(pl.col("junk_kind") == 0).then(pl.col("junk"))
        .when(pl.col("junk_kind") == 1).then(pl.lit("0") + pl.col("junk").str.slice(0, 5))
        .otherwise(pl.lit("0") + nsn.str.replace("0", "O"))
    )
    frame = frame.select((pl.col("pad") + raw + pl.col("pad")).alias("raw"), "region")
    frame = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    # Laid out in row order as a file reader lays it out (a shuffled frame's strings are scattered in
    # memory, which makes every string pass several times slower at 10M rows than on a read file).
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    buffer.seek(0)
    return pl.read_parquet(buffer)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="a parquet file: read when it exists, else written")
    parser.add_argument("--compare", action="store_true", help="normalise_rows with and without the C pass")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.cache and args.cache.exists():
        frame = pl.read_parquet(args.cache)
    else:
        frame = make_numbers(args.n, args.seed)
        if args.cache:
            frame.write_parquet(args.cache)
    print(f"generated {frame.height:,} numbers in {time.perf_counter() - started:.1f} s; "
          f"peak RSS {_peak_rss_mib():,.0f} MiB")
    print(frame.head(8))

    if args.compare:
        compare(frame, args.repeat)
        return
    pairs = frame.select("raw", "region").unique(maintain_order=True).with_row_index("_i")
    settled = _settle(pairs).height
    print(f"distinct (raw, region): {pairs.height:,}; settled column-wise: {settled:,}; "
          f"fallback to parse_phone: {pairs.height - settled:,} ({(pairs.height - settled) / pairs.height:.2%})")
    del pairs

    times, cpu = [], []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        out = normalise_phones(frame)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        print(f"  run: {times[-1]:.2f} s wall, {cpu[-1]:.2f} s CPU (all threads)")
    valid = out.filter(pl.col("e164").is_not_null()).height
    print(f"normalise_phones on {args.n:,} rows: median {statistics.median(times):.2f} s of {args.repeat} "
          f"(min {min(times):.2f}), CPU median {statistics.median(cpu):.2f} s; "
          f"valid {valid:,} of {out.height:,} distinct; "
          f"peak RSS {_peak_rss_mib():,.0f} MiB")


def compare(frame: pl.DataFrame, repeat: int) -> None:
    if cpass.compiled is None:
        raise SystemExit("the C extension is not built here (pip install -e . with a C compiler)")
    module, answers = cpass.compiled, {}
    times: dict[str, list[float]] = {"C pass": [], "polars alone": []}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    for _ in range(repeat):
        for name in times:
            cpass.compiled = module if name == "C pass" else None
            started, cpu_started = time.perf_counter(), time.process_time()
            answers[name] = phones.normalise_rows(frame)
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
            print(f"  {name}: {times[name][-1]:.2f} s wall, {cpu[name][-1]:.2f} s CPU")
    cpass.compiled = module
    assert answers["C pass"].equals(answers["polars alone"]), "the two paths disagree"
    wall = {name: statistics.median(t) for name, t in times.items()}
    used = {name: statistics.median(c) for name, c in cpu.items()}
    for name in times:
        print(f"normalise_rows, {name}, {frame.height:,} rows: median {wall[name]:.2f} s wall, {used[name]:.2f} s CPU")
    print(f"ratio C/polars: wall {wall['C pass'] / wall['polars alone']:.2f}, "
          f"CPU {used['C pass'] / used['polars alone']:.2f}; same answers")


if __name__ == "__main__":
    main()
