"""Benchmark of `leadgate customer import` and `leadgate outcomes import`: 10,000 rows each into a fresh
SQLite file and a fresh PostgreSQL database, each the real command in a child process.

    python bench/bench_store_imports.py --n 10000 --repeat 3

Customers: random NL mobiles, paid yes/no, a reference each. Outcomes: random NL mobiles, the eight
outcomes (about one in eight an opt-out, which is an objection and a ledger event), one campaign, one
call centre. Wall time, CPU time and peak RSS are those of the import process (see bench_intake.measured).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_intake import fresh_database, measured

OUTCOMES = ("no_answer", "busy", "voicemail", "connected", "not_interested", "callback_requested", "opt_out",
            "wrong_number")
CAMPAIGN = 'id = "bench"\nname = "Bench"\nlawful_basis = "consent"\n[[call_centre]]\nname = "BenchCalls"\nshare = 100\n'


def files(workdir: Path, n: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    numbers = [f"06{rng.choice('12345')}{rng.randrange(10**7):07d}" for _ in range(n)]  # valid NL mobiles
    customers = workdir / "customers.csv"
    customers.write_text("contact,country,paid,started_on,reference\n" + "".join(
        f"{x},NL,{rng.choice(('yes', 'no'))},2024-0{rng.randrange(1, 10)}-01,KL-{i}\n"
        for i, x in enumerate(numbers)), "utf-8")
    outcomes = workdir / "outcomes.csv"
    outcomes.write_text("call_id,contact,country,campaign,at,outcome\n" + "".join(
        f"C-{i},{x},NL,bench,2026-11-2{rng.randrange(0, 4)}T1{rng.randrange(0, 8)}:00:00+01:00,"
        f"{rng.choice(OUTCOMES)}\n" for i, x in enumerate(numbers)), "utf-8")
    return customers, outcomes


def one_run(kind: str, workdir: Path, customers: Path, outcomes: Path) -> dict[str, float]:
    url, drop = fresh_database(kind, workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {
        "LEADGATE_DATABASE_URL": url, "LEADGATE_SUPPRESSION_KEY": "bench-key-0123456789abcdef", "NO_COLOR": "1"}
    leadgate = str(Path(sys.executable).parent / "leadgate")
    (workdir / "campaign.toml").write_text(CAMPAIGN, "utf-8")
    try:
        for args in (["db", "upgrade"], ["partner", "add", "BenchCalls", "--kind", "call_centre"],
                     ["campaign", "create", "--file", str(workdir / "campaign.toml")]):
            subprocess.run([leadgate, *args], env=env, check=True, capture_output=True)
        cust = measured([leadgate, "customer", "import", str(customers)], env)
        outc = measured([leadgate, "outcomes", "import", str(outcomes), "--call-centre", "BenchCalls"], env)
    finally:
        drop()
    return {"customers": cust["wall_s"], "outcomes": outc["wall_s"], "rss": max(cust["maxrss_mb"],
                                                                               outc["maxrss_mb"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        customers, outcomes = files(workdir, args.n, args.seed)
        for kind in ("sqlite", "postgresql"):
            runs = [one_run(kind, workdir, customers, outcomes) for _ in range(args.repeat)]
            for what in ("customers", "outcomes"):
                walls = [r[what] for r in runs]
                print(f"{kind} {what} import, {args.n:,} rows: median {statistics.median(walls):.1f} s "
                      f"({' / '.join(f'{w:.1f}' for w in walls)}), peak RSS {max(r['rss'] for r in runs):.0f} MB")


if __name__ == "__main__":
    main()
