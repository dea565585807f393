"""Benchmark of `leadgate screen`: a messy lead file against the store of bench/make_screening.py (a 25M-number
BE register, a GB TPS file, 1M suppressions, consents / customers / attempts for a few percent of the rows),
files in to call-centre files out, as the real command in a child process.

    python bench/make_screening.py --seed 1
    python bench/bench_screen.py --repeat 3                          # 10M and 1M files, naive baseline
    python bench/bench_screen.py --files bench/data/screen-leads-1m.csv --repeat 1 --naive-n 20000

Per file: wall time, CPU time (user + system, wait4) and peak RSS of the `leadgate screen` process, rows/s,
exported / left-out counts, and per stage (the stage lines it prints) the wall time and how many cores the
process and its forked workers kept busy (sampled from /proc). Every run adds one export to the store (ledger
event, export_contacts rows); screening does not read them back.

The naive baseline, in process on the first `--naive-n` rows of the 1M file: per row `phonenumbers.parse` +
`is_valid_number` + E.164 format + number type, then `row_facts` + `decide` with the same store view,
register columns and suppressions as the bulk path (built by the bulk path's own functions, not timed),
no grouping. Against it: `decide_candidates` on the same rows (the bulk path without the files), timed
whole. Results also go to bench/data/screen-results.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

sys.path.insert(0, str(Path(__file__).parent))

from leadgate.core.engine import decide
from leadgate.decisions.service import campaign_facts
from leadgate.intake.mapping import Mapping
from leadgate.kit.db import unit_of_work
from leadgate.registers.lookup import register_states
from leadgate.rules.loader import load
from leadgate.screening import candidates as cand
from leadgate.screening import service, storeview
from leadgate.screening.bulk import Context, row_facts

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b"")) - 1


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of `root`, its waited-for children and its live children, from /proc."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(entry) == root:  # a forked worker's CPU moves to cutime/cstime once it is waited for
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        elif int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def staged(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Wall time, CPU time (user + system) and peak RSS (MB) from wait4, plus each stage's wall time and how
    many cores the process and its workers kept busy in it: the stage lines are timed as they arrive on
    stderr and the process tree's CPU is sampled from /proc every 0.1 s meanwhile."""
    start = time.perf_counter()
    samples: list[tuple[float, float]] = []
    marks: list[tuple[float, str]] = []
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env, text=True)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                samples.append((time.perf_counter() - start, _tree_cpu(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert proc.stderr is not None
        err = []
        for line in proc.stderr:
            err.append(line)
            if line.strip().startswith("["):
                name = line.strip().split("]", 1)[1].strip(" .")
                marks.append((time.perf_counter() - start, re.sub(r"\s[\d,]+( rows)?$", "", name)))
        samples.append((time.perf_counter() - start, _tree_cpu(proc.pid)))
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        out.seek(0)
        text_out = out.read().decode()
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}: {''.join(err)[-2000:]}")

    def cpu_at(moment: float) -> tuple[float, float]:
        before = [s for s in samples if s[0] <= moment]
        return before[-1] if before else (0.0, 0.0)

    stages = []
    bounds = [(0.0, "start-up"), *marks, (samples[-1][0], "")]
    for (begin, name), (end, _) in itertools.pairwise(bounds):
        (t0, c0), (t1, c1) = cpu_at(begin), cpu_at(end)
        stages.append({"stage": name, "wall_s": end - begin, "cores": (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0})
    stages[-1]["stage"] += " (to the summary)"
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
            "stdout": text_out, "stderr": "".join(err), "stage_cpu": stages}


def screen_run(setup: dict[str, Any], file: Path, out: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {
        "LEADGATE_DATABASE_URL": setup["url"], "LEADGATE_SUPPRESSION_KEY": setup["key"],
        "LEADGATE_DATA_DIR": setup["data_dir"], "COLUMNS": "200", "NO_COLOR": "1"}
    shutil.rmtree(out, ignore_errors=True)  # a run starts from no files (overwriting 1.3 GB costs time too)
    # Nor with the previous run's 1.7 GB still being written back: its commit's fsync would wait for them.
    os.sync()
    # `python -m leadgate.cli.main` runs what the `leadgate` script runs, from whichever leadgate PYTHONPATH
    # puts first: an older checkout's src/ can be measured against this one in the same hour.
    result = staged([sys.executable, "-m", "leadgate.cli.main", "screen", "--campaign", setup["campaign"],
                     "--leads", str(file), "--at", setup["at"], "--out", str(out)], env)
    stages = [line.strip() for line in result.pop("stderr").splitlines() if line.strip().startswith("[")]
    said = " ".join(result.pop("stdout").split())
    counts = said.split(": ", 1)[1].split(" left out")[0] if ": " in said else said[:200]
    return result | {"stages": stages, "counts": counts, "summary": said[:2000]}


def naive(setup: dict[str, Any], file: Path, n: int) -> dict[str, Any]:
    sample = DATA / f"screen-leads-{n}.csv"
    if not sample.exists():
        with file.open("rb") as src, sample.open("wb") as dst:
            for _ in range(n + 1):
                dst.write(src.readline())
    books = load(None)
    at = datetime.fromisoformat(setup["at"])
    key = setup["key"].encode()
    with unit_of_work(setup["url"]) as session:
        start, cpu = time.perf_counter(), time.process_time()
        decided = service.decide_candidates(session, campaign_id=setup["campaign"], at=at, books=books, key=key,
                                            data_dir=Path(setup["data_dir"]), leads=sample)
        bulk_s, bulk_cpu = time.perf_counter() - start, time.process_time() - cpu
        session.rollback()

        # The same inputs for the naive path, built by the bulk path's pieces (not timed).
        frame, _ = cand.file_candidates(sample, mapping=Mapping(), country=None)
        states = register_states(session, at=at, data_dir=Path(setup["data_dir"]))
        store = cand.attach_store(session, cand.normalised(frame))
        store = service.with_registers(store, states)
        suppressed = service._suppressed(session, key, store)
        view = storeview.load(session, person_ids=set(store["person_id"].drop_nulls().unique()),
                              point_ids=set(store["contact_point_id"].drop_nulls().unique()))
        ctx = Context(campaign=campaign_facts(session, setup["campaign"]), at=at, channel="phone",
                      registers=tuple(s.name for s in states), books=books)
        rows = store.drop("e164", "phone_region", "mobile", "number").to_dicts()

    start, cpu = time.perf_counter(), time.process_time()
    for row in rows:
        raw, region = row["raw"], row["country"]
        e164 = phone_region = mobile = number = None
        if raw:
            try:
                parsed = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                parsed = None
            if parsed is not None and phonenumbers.is_valid_number(parsed):
                e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                phone_region = phonenumbers.region_code_for_number(parsed)
                mobile = phonenumbers.number_type(parsed) in MOBILE
                number = int(e164[1:])
        row.update(e164=e164, phone_region=phone_region, mobile=mobile, number=number)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    allowed = sum(decide(row_facts(row, ctx, view, suppressed), books).allowed for row in rows)
    decide_s = time.perf_counter() - start
    naive_s, naive_cpu = parse_s + decide_s, time.process_time() - cpu
    bulk_allowed = int(decided.rows["allowed"].sum())
    return {"rows": len(rows), "naive_parse_s": parse_s, "naive_decide_s": decide_s, "naive_s": naive_s,
            "naive_cpu_s": naive_cpu,
            "naive_us_per_row": naive_s / len(rows) * 1e6, "naive_allowed": allowed,
            "naive_10m_extrapolated_s": naive_s / len(rows) * 10_000_000,
            "bulk_decide_candidates_s": bulk_s, "bulk_cpu_s": bulk_cpu, "bulk_allowed": bulk_allowed,
            "ratio": naive_s / bulk_s, "ratio_cpu": naive_cpu / bulk_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", type=Path, default=DATA / "screen-setup.json", help="written by make_screening.py")
    parser.add_argument("--files", type=Path, nargs="*",
                        default=[DATA / "screen-leads-10m.csv", DATA / "screen-leads-1m.csv"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-n", type=int, default=100_000, help="0: no naive baseline")
    parser.add_argument("--out", type=Path, default=Path("/tmp/leadgate-bench-screen"))
    args = parser.parse_args()
    setup = json.loads(args.setup.read_text())
    report: dict[str, Any] = {"setup": setup, "cores": os.cpu_count(), "load": os.getloadavg(), "files": {}}
    for file in args.files if args.repeat else ():
        rows = lines(file)
        runs = []
        for i in range(args.repeat):
            run = screen_run(setup, file, args.out / f"{file.stem}-{i}")
            runs.append(run)
            print(f"{file.name}: {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU, {run['maxrss_mb']:,.0f} MB, "
                  f"load {os.getloadavg()[0]:.1f}; {run['counts']}", file=sys.stderr)
            print("  " + " | ".join(f"{s['stage'][:28]} {s['wall_s']:.2f} s, {s['cores']:.2f} cores"
                                    for s in run["stage_cpu"]), file=sys.stderr)
        wall = statistics.median(r["wall_s"] for r in runs)
        report["files"][file.name] = {"rows": rows, "runs": runs, "median_wall_s": wall,
                                      "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
                                      "max_rss_mb": max(r["maxrss_mb"] for r in runs), "rows_per_s": rows / wall}
    if args.naive_n:
        report["naive"] = naive(setup, args.files[-1], args.naive_n)
        print(json.dumps(report["naive"], indent=1), file=sys.stderr)
    print("\n| file | rows | median wall | median CPU | rows/s (wall) | peak RSS | runs (wall s) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, r in report["files"].items():
        print(f"| {name} | {r['rows']:,} | {r['median_wall_s']:.1f} s | {r['median_cpu_s']:.1f} s | "
              f"{r['rows_per_s']:,.0f} | {r['max_rss_mb']:,.0f} MB | "
              f"{' / '.join(format(x['wall_s'], '.1f') for x in r['runs'])} |")
    if "naive" in report:
        nv = report["naive"]
        print(f"\nnaive, {nv['rows']:,} rows: {nv['naive_s']:.1f} s ({nv['naive_us_per_row']:.0f} µs/row: parse "
              f"{nv['naive_parse_s']:.1f} s, facts + decide {nv['naive_decide_s']:.1f} s), "
              f"10M extrapolated {nv['naive_10m_extrapolated_s']:,.0f} s; bulk decide_candidates "
              f"{nv['bulk_decide_candidates_s']:.1f} s; ratio {nv['ratio']:.1f}x "
              f"(CPU: naive {nv['naive_cpu_s']:.1f} s, "
              f"bulk {nv['bulk_cpu_s']:.1f} s, {nv['ratio_cpu']:.1f}x); allowed naive "
              f"{nv['naive_allowed']:,} / bulk {nv['bulk_allowed']:,}")
    (DATA / "screen-results.json").write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
