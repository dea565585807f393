"""Benchmark of `leadgate decide`: end to end (subprocess, JSONL in and out) and the pure core in-process.

    python bench/bench_decide.py                      # 1,000,000 lines end to end, 200,000 for the core
    python bench/bench_decide.py --n 50000 --core-n 20000 --repeat 1    # a quick run

The facts file is made with bench/make_facts.py (same seed, so the same lines) when it is missing.
Every measurement is repeated --repeat times; the table shows the median. Results also go to
bench/data/results-<n>.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic_core import to_json

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
VENV_BIN = Path(sys.executable).parent
LEADGATE = str(VENV_BIN / "leadgate")

# The floor of any Python path: read each line, parse its JSON, write JSON back, as `leadgate decide` does
# its I/O (bytes in, pydantic-core JSON out, batched writes), without validating or deciding anything.
IO_FLOOR = r"""
import json, sys
from pydantic_core import to_json
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as out:
    batch = []
    for line in src:
        if line.strip():
            batch.append(to_json(json.loads(line)))
            if len(batch) == 2000:
                out.write(b"\n".join(batch) + b"\n")
                batch = []
    if batch:
        out.write(b"\n".join(batch) + b"\n")
"""


def facts_file(n: int, seed: int) -> Path:
    path = DATA / f"facts-{n}-seed{seed}.jsonl"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_facts.py"), "--n", str(n), "--out", str(path),
                        "--seed", str(seed)], check=True)
    return path


ENV = dict(os.environ)


def use_source(src: Path | None) -> None:
    """Measure the leadgate under `src` (a snapshot of src/) instead of the installed one."""
    if src is not None:
        ENV["PYTHONPATH"] = str(src.resolve())
        sys.path.insert(0, str(src.resolve()))


def run_child(argv: list[str]) -> dict[str, float]:
    """Wall time, CPU time and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 2):  # 2 = some lines invalid, expected
        raise SystemExit(f"{argv} exited {proc.returncode}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024}


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], float]:
    """(median wall s, wall runs, median CPU s): CPU time is the per-core figure when the machine is shared."""
    times, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), times, statistics.median(cpu)


def end_to_end(path: Path, n: int, repeat: int, decide_runs: bool = True) -> dict[str, Any]:
    out = Path("/tmp/leadgate-bench-decisions.jsonl")
    empty = DATA / "empty.jsonl"
    empty.write_text("")
    results: dict[str, Any] = {}
    startup = [run_child([LEADGATE, "decide", "--facts", str(empty), "--out", str(out)]) for _ in range(repeat)]
    results["startup"] = median_of(startup)
    runs = []
    for i in range(repeat if decide_runs else 0):
        r = run_child([LEADGATE, "decide", "--facts", str(path), "--out", str(out)])
        print(f"  end to end run {i + 1}: {r['wall_s']:.1f} s, {n / r['wall_s']:,.0f} facts/s, "
              f"CPU {r['cpu_s']:.1f} s, "
              f"{r['maxrss_mb']:.0f} MB", file=sys.stderr)
        runs.append(r)
    if runs:
        results["decide"] = median_of(runs)
        results["decide_runs"] = runs
    jobs = []
    for i in range(repeat if decide_runs else 0):
        r = run_child([LEADGATE, "decide", "--jobs", "2", "--facts", str(path), "--out", str(out)])
        print(f"  end to end --jobs 2 run {i + 1}: {r['wall_s']:.1f} s, {n / r['wall_s']:,.0f} facts/s, "
              f"CPU {r['cpu_s']:.1f} s", file=sys.stderr)
        jobs.append(r)
    if jobs:
        results["decide_jobs2"] = median_of(jobs)
    floor = [run_child([sys.executable, "-c", IO_FLOOR, str(path), str(out)]) for _ in range(repeat)]
    for r in floor:
        print(f"  I/O floor run: {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s, {r['maxrss_mb']:.0f} MB", file=sys.stderr)
    results["io_floor"] = median_of(floor)
    out.unlink(missing_ok=True)
    return results


def core(path: Path, n: int, repeat: int) -> dict[str, Any]:
    import phonenumbers
    from pydantic import ValidationError

    from leadgate.core import contact
    from leadgate.core.engine import decide
    from leadgate.core.facts import Facts
    from leadgate.core.lines import decide_line, error_record
    from leadgate.rules.loader import load

    books = load(None)
    with path.open(encoding="utf-8-sig") as f:
        lines = [line for _, line in zip(range(n), f, strict=False) if line.strip()]

    dumps = to_json  # what `leadgate decide` writes with

    def clear() -> None:
        contact.parse_phone.cache_clear()
        contact.normalise_email.cache_clear()

    valid: list[Facts] = []
    bad: list[tuple[int, str]] = []
    for i, line in enumerate(lines, 1):
        try:
            valid.append(Facts.model_validate_json(line))
        except ValidationError:
            bad.append((i, line))
    phones = [(f.contact.phone, f.contact.country) for f in valid if f.channel != "email" and f.contact.phone]
    parsed_ok = sum(contact.parse_phone.__wrapped__(p, c) is not None for p, c in phones)
    clear()
    decisions = [decide(f, books) for f in valid]
    clear()
    # The setup keeps ~n facts and decisions alive: freeze them so that the garbage collections in the
    # timed loops do not traverse them (the CLI keeps nothing between lines).
    gc.collect()
    gc.freeze()
    out: dict[str, Any] = {"lines": len(lines), "valid": len(valid), "invalid": len(bad),
                           "phone_lines": len(phones), "distinct_phones": len(set(phones)),
                           "phones_valid": parsed_ok,
                           "allowed": sum(d.allowed for d in decisions)}
    measures: dict[str, tuple[Callable[[], Any], int]] = {}

    def full() -> None:
        clear()
        for i, line in enumerate(lines, 1):
            dumps(decide_line(line, i, books)[0])

    def validation() -> None:
        for line in lines:
            try:  # noqa: SIM105 - contextlib.suppress costs more than the measured call
                Facts.model_validate_json(line)
            except ValidationError:
                pass

    def phone_parsing() -> None:
        contact.parse_phone.cache_clear()
        for p, c in phones:
            contact.parse_phone(p, c)

    def decide_only() -> None:
        clear()
        for f in valid:
            decide(f, books)

    def serialise() -> None:
        for d in decisions:
            dumps(d.as_dict())

    def errors() -> None:
        for i, line in bad:
            try:
                Facts.model_validate_json(line)
            except ValidationError as exc:
                dumps(error_record(line, i, exc))

    def json_floor() -> None:
        loads = json.loads
        for line in lines:
            dumps(loads(line))

    def plain_parse() -> None:
        parse = phonenumbers.parse
        for p, c in phones:
            try:  # noqa: SIM105
                parse(p, c)
            except phonenumbers.NumberParseException:
                pass

    def plain_parse_valid() -> None:
        parse, valid_ = phonenumbers.parse, phonenumbers.is_valid_number
        for p, c in phones:
            try:  # noqa: SIM105
                valid_(parse(p, c))
            except phonenumbers.NumberParseException:
                pass

    measures = {
        "core: decide_line + json (all lines)": (full, len(lines)),
        "validation only (model_validate_json)": (validation, len(lines)),
        "phone parsing only (parse_phone, cache cleared)": (phone_parsing, len(phones)),
        "decide only (pre-validated, caches cleared)": (decide_only, len(valid)),
        "serialisation only (as_dict + json)": (serialise, len(decisions)),
        "error path only (invalid lines)": (errors, len(bad)),
        "baseline: json.loads + json.dumps": (json_floor, len(lines)),
        "baseline: phonenumbers.parse": (plain_parse, len(phones)),
        "baseline: phonenumbers.parse + is_valid_number": (plain_parse_valid, len(phones)),
    }
    out["measures"] = {}
    for name, (fn, count) in measures.items():
        med, times, cpu = timed(fn, repeat)
        out["measures"][name] = {"count": count, "median_s": med, "runs_s": times, "per_s": count / med,
                                 "cpu_s": cpu, "per_cpu_s": count / cpu, "us_each": cpu / count * 1e6}
        print(f"  {name}: {med:.2f} s ({count / med:,.0f}/s)", file=sys.stderr)
    return out


def machine() -> dict[str, str]:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    import phonenumbers
    import pydantic
    return {"nproc": str(os.cpu_count()), "cpu": model, "python": platform.python_version(),
            "pydantic": pydantic.VERSION, "phonenumbers": phonenumbers.__version__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="lines end to end")
    parser.add_argument("--core-n", type=int, default=200_000, help="lines for the in-process core measures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--facts", type=Path, help="use this facts file instead of making one")
    parser.add_argument("--src", type=Path, help="a copy of src/ to measure (default: the installed leadgate)")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-core", action="store_true")
    parser.add_argument("--floor-only", action="store_true", help="end to end: only startup and the I/O floor")
    args = parser.parse_args(argv)
    use_source(args.src)
    path = args.facts or facts_file(args.n, args.seed)
    n = sum(1 for line in path.open(encoding="utf-8") if line.strip())
    info = machine()
    import leadgate
    info["leadgate"] = str(Path(leadgate.__file__).parent)
    result: dict[str, Any] = {"machine": info, "facts": str(path), "n": n, "repeat": args.repeat}
    print(f"machine: {info}; facts: {path} ({n:,} lines)", file=sys.stderr)
    if not args.skip_e2e:
        result["e2e"] = end_to_end(path, n, args.repeat, decide_runs=not args.floor_only)
    if not args.skip_core:
        result["core"] = core(path, min(args.core_n, n), args.repeat)
    DATA.mkdir(exist_ok=True)
    (DATA / f"results-{n}.json").write_text(json.dumps(result, indent=1))
    print_table(result)
    return 0


def print_table(result: dict[str, Any]) -> None:
    n = result["n"]
    rows: list[tuple[str, str, str, str, str]] = []
    if "e2e" in result and "decide" in result["e2e"]:
        e = result["e2e"]
        d, s, f = e["decide"], e["startup"], e["io_floor"]
        rows.append(("leadgate decide, end to end", f"{d['wall_s']:.1f} s", f"{n / d['wall_s']:,.0f}",
                     f"{n / d['cpu_s']:,.0f}", f"peak RSS {d['maxrss_mb']:.0f} MB, CPU {d['cpu_s']:.1f} s"))
        rows.append(("  same, startup excluded", f"{d['wall_s'] - s['wall_s']:.1f} s",
                     f"{n / (d['wall_s'] - s['wall_s']):,.0f}", f"{n / (d['cpu_s'] - s['cpu_s']):,.0f}",
                     f"startup {s['wall_s']:.2f} s wall, {s['cpu_s']:.2f} s CPU"))
        rows.append(("baseline: python json.loads+dumps file to file", f"{f['wall_s']:.1f} s",
                     f"{n / f['wall_s']:,.0f}", f"{n / f['cpu_s']:,.0f}",
                     f"decide takes {d['cpu_s'] / f['cpu_s']:.1f}x the CPU of this I/O floor"))
    elif "e2e" in result:
        f, s = result["e2e"]["io_floor"], result["e2e"]["startup"]
        rows.append(("baseline: python json.loads+dumps file to file", f"{f['wall_s']:.1f} s",
                     f"{n / f['wall_s']:,.0f}", f"{n / f['cpu_s']:,.0f}",
                     f"leadgate startup {s['wall_s']:.2f} s wall, {s['cpu_s']:.2f} s CPU"))
    if "core" in result:
        c = result["core"]
        for name, m in c["measures"].items():
            rows.append((name, f"{m['median_s']:.2f} s", f"{m['per_s']:,.0f}", f"{m['per_cpu_s']:,.0f}",
                         f"{m['count']:,} items, {m['us_each']:.1f} µs CPU each"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    head = (f"measure (median of {result['repeat']})", "wall", "per s", "per CPU s", "notes")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=True)]
    fmt = "| " + " | ".join(f"{{:{'<' if i in (0, 4) else '>'}{w}}}" for i, w in enumerate(widths)) + " |"
    print(fmt.format(*head))
    rule = ("-" * (w + 1) + ":" if i in (1, 2, 3) else "-" * (w + 2) for i, w in enumerate(widths))
    print("|" + "|".join(rule) + "|")
    for r in rows:
        print(fmt.format(*r))
    if "core" in result:
        c = result["core"]
        print(f"\ncore sample: {c['lines']:,} lines, {c['valid']:,} valid, {c['invalid']:,} invalid, "
              f"{c['allowed']:,} allowed; {c['phone_lines']:,} phone/sms lines, {c['distinct_phones']:,} distinct "
              f"(number, country), {c['phones_valid']:,} valid numbers")


if __name__ == "__main__":
    raise SystemExit(main())
