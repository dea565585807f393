"""Benchmark of recording an export's receipt (who received which number, table export_contacts): the
rows `write_export` inserts, through the same `insert_frame` (executemany on SQLite, COPY on PostgreSQL),
in number order, into a store that already holds one earlier export of as many rows (--earlier: of that
many; 0: the store's first export).

    python bench/bench_receipt.py --rows 2500000 --repeat 3 --before-src /tmp/receipt-before/src
    python bench/bench_receipt.py --rows 2500000 --earlier 0 --repeat 3 --before-src /tmp/receipt-before/src

Each source tree (this one; --before-src: an older checkout, e.g. `git worktree add /tmp/receipt-before
HEAD` before the change; any --tree LABEL=SRC) builds its store once per database from its own
migrations: two call centres, a campaign, an earlier export of --earlier random NL mobiles. Every measured
run starts from a copy of that store (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL,
checkpointed first) and inserts an export of --rows other random numbers, sorted, in one transaction,
committed. Before and after alternate,
so that a busy machine slows both alike. Wall time covers insert and commit; CPU is this process's
(user + system) and, on PostgreSQL, the server backend's (read from /proc: same machine). Each run is a
child process with PYTHONPATH set to its tree's src; medians over --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PG_ADMIN_URL = os.environ.get("LEADGATE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_PREFIX = "leadgate_bench_receipt"
TICK = os.sysconf("SC_CLK_TCK")


# ---- in the child: runs against one source tree (whatever `leadgate` PYTHONPATH imports) -----------------

def _frame(rows: int, seed: int, export_id: str, centres: list[str]) -> Any:
    """write_export's `received` frame (old receipt: export_id, number, call_centre_id, flow, person_id):
    random NL mobiles (distinct), sorted, two call centres, a person each."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    size = int(rows * 1.02)
    while (numbers := np.unique(rng.integers(31_600_000_000, 31_700_000_000, size=size))).size < rows:
        size = int(size * 1.1)  # 10 M of the 100 M numbers: more collide
    numbers = np.sort(rng.choice(numbers, size=rows, replace=False))
    persons = [secrets.token_hex(16) for _ in range(1000)]
    return pl.DataFrame({
        "export_id": pl.Series([export_id], dtype=pl.String).new_from_index(0, rows),
        "number": numbers,
        "call_centre_id": pl.Series(centres, dtype=pl.String).gather(rng.integers(0, 2, size=rows)),
        "flow": pl.Series(["lead"], dtype=pl.String).new_from_index(0, rows),
        "person_id": pl.Series(persons, dtype=pl.String).gather(rng.integers(0, len(persons), size=rows)),
    })


def _received(session: Any, rows: int, seed: int, centres: list[str]) -> Any:
    """A new export and its receipt rows as the measured tree's write_export inserts them: through its own
    `_receipt` (the sheets added; number, sheet_id, person_id: migration 0010 on) where it has one, else the
    rows naming export and call centre themselves."""
    export_id = _export(session, centres)
    frame = _frame(rows, seed, export_id, centres)
    from leadgate.screening import export

    receipt = getattr(export, "_receipt", None)
    if receipt is None:
        return frame
    from leadgate.screening.assign import CallCentre

    return receipt(session, frame, export_id=export_id,
                   centres=[CallCentre(c, c, 1, frozenset()) for c in centres])


def _export(session: Any, centres: list[str]) -> str:
    from datetime import UTC, datetime

    from leadgate.screening.models import Export

    now = datetime.now(UTC)
    export = Export(campaign_id="bench", planned_at=now, created_at=now, source="bench", summary="{}")
    session.add(export)
    session.flush()
    return str(export.id)


def child_build(url: str, rows: int, seed: int) -> dict[str, Any]:
    """Migrate, two call centres and a campaign, an earlier export of `rows` rows (none: 0)."""
    from alembic import command
    from sqlalchemy import select

    from leadgate.campaigns import service as campaigns
    from leadgate.campaigns.models import Partner
    from leadgate.intake.bulk import insert_frame
    from leadgate.kit.db import alembic_config, unit_of_work
    from leadgate.screening.models import ExportContact

    command.upgrade(alembic_config(url), "head")
    with unit_of_work(url) as session:
        from datetime import UTC, datetime
        now = datetime.now(UTC)
        for name in ("CallOne", "CallTwo"):
            campaigns.add_partner(session, name=name, kind="call_centre", now=now, actor="bench")
        campaigns.create_campaign(session, campaigns.CampaignSpec(id="bench", name="Bench", lawful_basis="consent"),
                                  now=now, actor="bench")
        centres = sorted(session.scalars(select(Partner.id).where(Partner.kind == "call_centre")))
        if rows:
            insert_frame(session, ExportContact.__table__, _received(session, rows, seed, centres))  # type: ignore[arg-type]
    return {"centres": centres}


def _backend_cpu(session: Any) -> float | None:
    if session.get_bind().dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def child_measure(url: str, rows: int, seed: int, centres: list[str]) -> dict[str, Any]:
    """Insert a second export of `rows` rows as write_export does; wall and CPU of insert + commit."""
    from sqlalchemy import text

    from leadgate.intake.bulk import insert_frame
    from leadgate.kit.db import new_session
    from leadgate.screening.models import ExportContact

    session = new_session(url)
    try:
        frame = _received(session, rows, seed, centres)
        server_before = _backend_cpu(session)
        began, began_cpu = time.perf_counter(), time.process_time()
        insert_frame(session, ExportContact.__table__, frame)  # type: ignore[arg-type]
        session.commit()
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        server_after = _backend_cpu(session)
        count = session.execute(text("SELECT count(*) FROM export_contacts")).scalar_one()
        session.commit()
    finally:
        session.close()
    server = None if server_before is None or server_after is None else server_after - server_before
    return {"wall_s": wall, "cpu_s": cpu, "server_cpu_s": server, "rows_after": count}


# ---- the driver ----------------------------------------------------------------------------------------

def _child(src: Path, rows: int, seed: int, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {"PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, __file__, "--rows", str(rows), "--seed", str(seed), "--child", *args],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{src}: {' '.join(args[:2])} failed: {done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _admin(sql: str, database: str = "postgres") -> None:
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(make_url(PG_ADMIN_URL).set(database=database), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql))
    engine.dispose()


def _pg_url(name: str) -> str:
    from sqlalchemy import make_url

    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _build(kind: str, label: str, src: Path, tmp: Path, earlier: int, seed: int) -> tuple[str, list[str]]:
    """The store with the earlier export: (SQLite file or PostgreSQL database name, call centre ids)."""
    if kind == "sqlite":
        base = str(tmp / f"base-{label}.db")
        url = f"sqlite:///{base}"
    else:
        base = f"{DB_PREFIX}_{label}_base"
        _admin(f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{base}"')
        url = _pg_url(base)
    started = time.perf_counter()
    centres = _child(src, earlier, seed, "build", url)["centres"]
    if kind == "postgresql":
        _admin("VACUUM ANALYZE", base)
    print(f"{kind} {label}: store built in {time.perf_counter() - started:.0f} s", flush=True)
    return base, centres


def _measure(kind: str, label: str, src: Path, tmp: Path, base: str, centres: list[str], rows: int,
             seed: int) -> dict[str, Any]:
    """One insert of the second export into a fresh copy of the store."""
    if kind == "sqlite":
        copy = tmp / f"run-{label}.db"
        shutil.copyfile(base, copy)
        url = f"sqlite:///{copy}"
    else:
        name = f"{DB_PREFIX}_{label}_run"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
        _admin("CHECKPOINT")
        url = _pg_url(name)
    try:
        run = _child(src, rows, seed, "measure", url, json.dumps(centres))
    finally:
        if kind == "sqlite":
            copy.unlink()
        else:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server = f", server CPU {run['server_cpu_s']:.1f} s" if run["server_cpu_s"] is not None else ""
    print(f"  {kind} {label}: {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU{server} "
          f"({run['rows_after']:,} rows after; load {_load()}; {run['src']})", flush=True)
    return run


def _median(runs: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in runs if r[key] is not None]
    return f"{statistics.median(values):.1f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--earlier", type=int, help="rows of the export already stored (default: --rows; 0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--before-src", type=Path, help="an older tree's src (e.g. /tmp/receipt-before/src)")
    parser.add_argument("--tree", action="append", default=[], metavar="LABEL=SRC",
                        help="another tree to compare (after --before-src, before this tree's, in the order given)")
    parser.add_argument("--kinds", default="sqlite,postgresql")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, url, *rest = args.child
        out = child_build(url, args.rows, args.seed) if what == "build" else \
            child_measure(url, args.rows, args.seed + 1, json.loads(rest[0]))
        import leadgate

        print(json.dumps(out | {"src": str(Path(leadgate.__file__).parent.parent)}))
        return

    trees = {"before": args.before_src.resolve()} if args.before_src else {}
    trees |= {label: Path(src).resolve() for label, src in (t.split("=", 1) for t in args.tree)}
    trees["after"] = Path(__file__).resolve().parent.parent / "src"
    earlier = args.rows if args.earlier is None else args.earlier
    print(f"{args.rows:,} rows into a store holding an earlier export of {earlier:,}; "
          f"load {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-receipt-") as name:
        tmp = Path(name)
        for kind in args.kinds.split(","):
            bases: dict[str, tuple[str, list[str]]] = {}
            runs: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
            try:
                for label, src in trees.items():
                    bases[label] = _build(kind, label, src, tmp, earlier, args.seed)
                for _ in range(args.repeat):  # before and after alternate: a busy machine slows both alike
                    for label, src in trees.items():
                        runs[label].append(_measure(kind, label, src, tmp, *bases[label], args.rows, args.seed))
            finally:
                if kind == "postgresql":
                    for base, _ in bases.values():
                        _admin(f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
            for label, done in runs.items():
                print(f"{kind} {label}: median of {len(done)}: {_median(done, 'wall_s')} s wall, "
                      f"{_median(done, 'cpu_s')} s CPU"
                      + (f", server CPU {_median(done, 'server_cpu_s')} s" if kind == "postgresql" else ""),
                      flush=True)


if __name__ == "__main__":
    main()
