"""Benchmark of `leadgate intake`: a supplier file end to end into a fresh SQLite file and a fresh PostgreSQL
database, each run as the real command in a child process.

    python bench/bench_intake.py --file bench/data/leads-1m.csv --repeat 3
    python bench/bench_intake.py --n 100000 --repeat 1          # a quick run, makes its own file

The file is made with bench/make_leads.py (5 % invalid rows) when it is missing. Each run gets an empty,
migrated database with one lead supplier; wall time, CPU time (user + system, `wait4`) and peak RSS are
those of the `leadgate intake` process alone. The same-run baseline is the floor of any polars-based
intake: reading the CSV into text columns with polars, nothing else. Results also go to
bench/data/intake-results-<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PG_ADMIN_URL = os.environ.get("LEADGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
READ_ONLY = ("import sys, polars as pl; "
             "f = pl.read_csv(sys.argv[1], separator=';', infer_schema=False, truncate_ragged_lines=True); "
             "print(f.height)")


def measured(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Wall time, CPU time (user + system) and peak RSS (MB) of one child process, from wait4."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        out.seek(0)
        err.seek(0)
        text_out, text_err = out.read().decode(), err.read().decode()
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}: {text_err[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
            "stdout": text_out, "stderr": text_err}


def fresh_database(kind: str, workdir: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        path = workdir / f"bench-{secrets.token_hex(3)}.db"

        def remove() -> None:
            for leftover in workdir.glob(path.name + "*"):
                leftover.unlink()
        return f"sqlite:///{path}", remove
    name = f"leadgate_bench_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False), drop


def one_run(kind: str, file: Path, workdir: Path) -> dict[str, Any]:
    url, drop = fresh_database(kind, workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {
        "LEADGATE_DATABASE_URL": url, "COLUMNS": "200", "NO_COLOR": "1"}
    leadgate = str(Path(sys.executable).parent / "leadgate")
    try:
        subprocess.run([leadgate, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([leadgate, "partner", "add", "BenchLeads", "--kind", "lead_supplier"], env=env, check=True,
                       capture_output=True)
        result = measured([leadgate, "intake", str(file), "--supplier", "BenchLeads", "--country", "NL"], env)
    finally:
        drop()
    (file.parent / f"{file.stem}.rejected.csv").unlink(missing_ok=True)
    stages = [line.strip() for line in result.pop("stderr").splitlines() if line.strip().startswith("[")]
    out = " ".join(result.pop("stdout").split())
    return result | {"stages": stages, "imported": out.split("rows imported │ ")[1].split(" ")[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    file = args.file or DATA / f"leads-{args.n}.csv"
    if not file.exists():
        subprocess.run([sys.executable, str(HERE / "make_leads.py"), "--n", str(args.n), "--invalid", "0.05",
                        "--out", str(file)], check=True)
    rows = sum(1 for _ in file.open("rb")) - 1
    report: dict[str, Any] = {"file": str(file), "rows": rows, "machine": {"cores": os.cpu_count(),
                              "python": platform.python_version()}, "runs": {}}
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(args.repeat):
            runs = report["runs"]
            runs.setdefault("baseline", []).append(measured([sys.executable, "-c", READ_ONLY, str(file)],
                                                            dict(os.environ)) | {"stdout": None, "stderr": None})
            for kind in args.databases.split(","):
                run = one_run(kind, file, Path(workdir))
                runs.setdefault(kind, []).append(run)
                print(f"{kind}: {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU, {run['maxrss_mb']:.0f} MB; "
                      f"{' | '.join(run['stages'])}", file=sys.stderr)
    print(f"\n{rows:,} rows ({file.name}), {args.repeat} run(s), median:")
    print("| measure | wall | rows/s (wall) | CPU (leadgate process) | peak RSS | x baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    base = statistics.median(r["wall_s"] for r in report["runs"]["baseline"])
    for kind, runs in report["runs"].items():
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        rss = max(r["maxrss_mb"] for r in runs)
        walls = " / ".join(f"{r['wall_s']:.1f}" for r in runs)
        print(f"| {kind} ({walls} s) | {wall:.1f} s | {rows / wall:,.0f} | {cpu:.1f} s | {rss:,.0f} MB | "
              f"{wall / base:.1f}x |")
    (DATA / f"intake-results-{rows}.json").write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
