"""Benchmark of reading a lead file (`leadgate.intake.reader.read_table`, used by `leadgate screen --leads` and
`leadgate intake`), before and after a change, each run in a child process.

    git worktree add /tmp/reader-before <commit>
    python bench/bench_reader.py --before /tmp/reader-before/src --repeat 3
    python bench/bench_reader.py --file bench/data/screen-leads-1m.csv --repeat 1   # this tree only

Files default to bench/data/screen-leads-1m.csv and screen-leads-10m.csv (bench/make_screening.py). Each run is
a fresh `python` importing read_table from the given source tree (PYTHONPATH): `read_s` is read_table's own
wall time, measured in the child; wall (whole process, imports included), CPU (user + system) and peak RSS come
from wait4. Old and new runs alternate, so load from other work on the machine hits both alike; the median of
the runs is shown. The floor is polars parsing the file into text columns and nothing else. Every run must
give the same rows, SHA-256, encoding, headers and missing-cell counts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
READ = """
import json, sys, time
from pathlib import Path
from leadgate.intake.reader import read_table
began = time.perf_counter()
table = read_table(Path(sys.argv[1]))
took = time.perf_counter() - began
print(json.dumps({"read_s": took, "rows": table.frame.height, "sha256": table.sha256, "encoding": table.encoding,
                  "headers": table.headers, "missing": table.frame.null_count().row(0)}))
"""
FLOOR = """
import json, sys, time
import polars as pl
began = time.perf_counter()
with open(sys.argv[1], "rb") as file:
    frame = pl.read_csv(file, separator=";", infer_schema=False, truncate_ragged_lines=True)
print(json.dumps({"read_s": time.perf_counter() - began, "rows": frame.height}))
"""


def measured(code: str, file: Path, src: Path | None) -> dict[str, Any]:
    """read_s (from the child), wall, CPU (user + system) and peak RSS of one child process, from wait4."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", code, str(file)], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text_out, text_err = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"reading {file} with {src} failed: {text_err[-2000:]}")
    answer: dict[str, Any] = json.loads(text_out)
    return answer | {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024}


def load() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine slows every variant."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, action="append", help="lead file (repeatable)")
    parser.add_argument("--before", type=Path, help="src/ of the tree to compare with (a git worktree)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write all runs here")
    args = parser.parse_args()
    files = args.file or [HERE / "data" / "screen-leads-1m.csv", HERE / "data" / "screen-leads-10m.csv"]
    variants: list[tuple[str, str, Path | None]] = [("after", READ, SRC), ("floor", FLOOR, SRC)]
    if args.before:
        variants.insert(0, ("before", READ, args.before))
    print(f"cores {os.cpu_count()}, load average at start {load()}")
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for file in files:
        size = file.stat().st_size / 1e6
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in variants}
        for _ in range(args.repeat):
            for name, code, src in variants:
                runs[name].append(measured(code, file, src))
        answers = {json.dumps({k: r[k] for k in ("rows", "sha256", "encoding", "headers", "missing")})
                   for name in runs if name != "floor" for r in runs[name]}
        if len(answers) != 1:
            raise SystemExit(f"{file}: the variants read different tables: {answers}")
        print(f"\n{file.name}: {size:.0f} MB, {runs['after'][0]['rows']:,} rows; median of {args.repeat}"
              f" (load average now {load()})")
        print(f"  {'':8} {'read_table s':>12} {'process s':>10} {'CPU s':>8} {'peak RSS MB':>12}")
        for name, _, _ in variants:
            median = {key: statistics.median(r[key] for r in runs[name])
                      for key in ("read_s", "wall_s", "cpu_s", "maxrss_mb")}
            print(f"  {name:8} {median['read_s']:12.2f} {median['wall_s']:10.2f} {median['cpu_s']:8.2f}"
                  f" {median['maxrss_mb']:12.0f}")
        results[str(file)] = runs
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
