"""Time and peak memory of one register import (run once per file: the peak RSS is the process's).

    python bench/make_register.py --n 25000000 --out /tmp/dncm25.txt --seed 1
    python bench/make_register.py --n 25000000 --out /tmp/dncm25b.txt --seed 1 --change 0.001
    python bench/bench_registers.py --url sqlite:////tmp/reg.db --fresh --file /tmp/dncm25.txt --days-ago 2
    python bench/bench_registers.py --url sqlite:////tmp/reg.db --file /tmp/dncm25b.txt --days-ago 1

`--fresh` recreates the database (PostgreSQL: the public schema) and the cache folder first.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from leadgate.kit.db import alembic_config, unit_of_work
from leadgate.registers import service
from leadgate.rules.loader import load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--register", default="be-dncm")
    parser.add_argument("--days-ago", type=float, default=1.0, help="checked_at = now minus this")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/leadgate-bench-data"))
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(args.data_dir, ignore_errors=True)
        if args.url.startswith("sqlite:///"):
            Path(args.url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            with create_engine(args.url, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        command.upgrade(alembic_config(args.url), "head")
    books = load(None)
    now = datetime.now(UTC)
    data = args.file.read_bytes()
    began = time.perf_counter()

    def stage(name: str) -> None:
        print(f"  [{time.perf_counter() - began:7.1f} s] {name}", flush=True)

    with unit_of_work(args.url) as session:
        summary = service.import_full(session, register=args.register, data=data, where=args.file.name,
                                      checked_at=now - timedelta(days=args.days_ago), now=now, actor="bench",
                                      data_dir=args.data_dir, books=books, stage=stage)
        stage("committing")
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.file.name}: {summary.lines_total:,} lines, {summary.lines_invalid:,} invalid, "
          f"{summary.numbers_listed:,} listed, +{summary.added:,} / -{summary.removed:,}: {seconds:.1f} s "
          f"(incl. commit), peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
