"""Benchmark of screening's store view (`screening.storeview.load`) and of reading the stored phone contact
points (`storeview.phone_points` against the SQLAlchemy rows `candidates.attach_store` reads), before and
after, on the store of bench/make_screening.py. Reads only: every session is closed without a commit.

    python bench/make_screening.py --seed 1        # once; writes bench/data/screen-setup.json
    git worktree add --detach /tmp/storeview-before <commit before>
    python bench/bench_storeview.py --before /tmp/storeview-before/src --repeat 3
    createdb -h 127.0.0.1 -U postgres leadgate_storeview
    python bench/bench_storeview.py --copy-to postgresql+psycopg://postgres@127.0.0.1:5432/leadgate_storeview
    python bench/bench_storeview.py --url postgresql+psycopg://postgres@127.0.0.1:5432/leadgate_storeview \
        --before /tmp/storeview-before/src --repeat 3

`--copy-to` migrates an empty PostgreSQL database and copies into it the tables the view reads (and
those they reference) from the SQLite store: the same rows on PostgreSQL without building the 10M-row
store there (registers, suppressions and the other tables are left out).

The view is loaded for every stored phone contact point and its person (what a screen of the lead file
that built the store asks for: the stored points its numbers match). Each source tree (`--before` and this
one) runs in a child process with that tree first on PYTHONPATH; each run uses a fresh session, so the
ORM's identity map carries nothing over. Reported per tree: median and all wall times, CPU time of the
median run, counts, and a digest of the view's content (consents as their fields with moments through
from_store, so ORM objects and the new records compare), which must be equal for both trees.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SETUP = HERE / "data" / "screen-setup.json"
CONSENT_FIELDS = ("id", "channel", "purpose", "given_at", "text", "source_code", "single_use", "used_at",
                  "withdrawn_at", "own_initiative", "automated_calls")


def digest(view: Any) -> str:
    """sha256 of the view's content in key order; moments through from_store, as the view's users read them."""
    from leadgate.kit.moments import from_store

    def consent(c: Any) -> tuple[Any, ...]:
        values = [getattr(c, n) for n in CONSENT_FIELDS]
        return tuple(from_store(v) if n.endswith("_at") and v is not None else v
                     for n, v in zip(CONSENT_FIELDS, values, strict=True))

    content = (sorted((k, [consent(c) for c in v]) for k, v in view.consents.items()),
               sorted((k, sorted(v, key=repr)) for k, v in view.objections.items()),
               sorted((k, sorted(v, key=repr)) for k, v in view.customers.items()),
               sorted(view.attempts.items()), sorted(view.sources.items()), sorted(view.leads.items()))
    return hashlib.sha256(repr(content).encode()).hexdigest()


def timed(repeat: int, run: Any) -> tuple[list[float], float, Any]:
    """Wall times of `repeat` runs, the CPU time of the median one, and the last result."""
    runs, result = [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = run()
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    ordered = sorted(runs)
    return [round(w, 3) for w, _ in runs], round(ordered[len(ordered) // 2][1], 3), result


def worker(url: str, repeat: int) -> dict[str, Any]:
    import polars as pl
    from sqlalchemy import select

    from leadgate.kit.db import new_session
    from leadgate.people.models import ContactPoint, Person
    from leadgate.screening import storeview

    session = new_session(url)
    try:
        rows = session.execute(select(ContactPoint.person_id, ContactPoint.id)
                               .where(ContactPoint.medium == "phone")).all()
    finally:
        session.close()
    people, points = {r[0] for r in rows}, {r[1] for r in rows}

    def load() -> Any:
        session = new_session(url)
        try:
            return storeview.load(session, person_ids=people, point_ids=points)
        finally:
            session.close()  # rolls back; no rollback() first: it would expire the (old) view's ORM objects

    walls, cpu, view = timed(repeat, load)
    out: dict[str, Any] = {
        "storeview": storeview.__file__, "people": len(people), "points": len(points),
        "load_s": walls, "load_median_s": statistics.median(walls), "load_cpu_s": cpu, "digest": digest(view),
        "counts": {"consents": sum(len(v) for v in view.consents.values()), "objections": sum(
            len(v) for v in view.objections.values()), "customers": sum(len(v) for v in view.customers.values()),
            "attempts": sum(len(v) for v in view.attempts.values()), "leads": len(view.leads)}}
    del view

    names = ("e164", "contact_point_id", "person_id", "person_kind", "person_country", "person_job_title")

    def rows_as_attach_store() -> pl.DataFrame:  # candidates.attach_store's statement and frame, as of 6a1e2c5
        session = new_session(url)
        try:
            found = session.execute(select(ContactPoint.value, ContactPoint.id, Person.id, Person.kind,
                                           Person.country, Person.job_title)
                                    .join(Person, Person.id == ContactPoint.person_id)
                                    .where(ContactPoint.medium == "phone")).all()
            return pl.DataFrame([dict(zip(names, r, strict=True)) for r in found],
                                schema={n: pl.String for n in names}, orient="row").unique("e164", keep="first")
        finally:
            session.close()

    walls, cpu, frame = timed(repeat, rows_as_attach_store)
    out |= {"points_rows_s": walls, "points_rows_median_s": statistics.median(walls), "points_rows_cpu_s": cpu}
    if hasattr(storeview, "phone_points"):
        def cursor() -> pl.DataFrame:
            session = new_session(url)
            try:
                return storeview.phone_points(session)
            finally:
                session.close()

        walls, cpu, fast = timed(repeat, cursor)
        out |= {"points_cursor_s": walls, "points_cursor_median_s": statistics.median(walls),
                "points_cursor_cpu_s": cpu, "points_same_rows": fast.sort("e164").equals(frame.sort("e164"))}
    return out


STORE_TABLES = ("persons", "contact_points", "consents", "objections", "customer_relationships", "data_sources",
                "leads", "contact_attempts")


def copy_to(source: str, target: str) -> None:
    """The rows of STORE_TABLES and the tables they reference, from the SQLite store into `target`."""
    import sqlite3

    import polars as pl
    from alembic import command
    from sqlalchemy import Boolean, DateTime, Integer, make_url, text

    import leadgate.attempts.models
    import leadgate.consent.models
    import leadgate.intake.models
    import leadgate.people.models  # noqa: F401  (the tables)
    from leadgate.intake.bulk import insert_frame
    from leadgate.kit.db import Base, alembic_config, unit_of_work

    tables = set(STORE_TABLES)
    while more := {fk.column.table.name for t in tables for fk in Base.metadata.tables[t].foreign_keys} - tables:
        tables |= more
    command.upgrade(alembic_config(target), "head")
    db = sqlite3.connect(f"file:{make_url(source).database}?mode=ro", uri=True)
    with unit_of_work(target) as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                continue
            start = time.perf_counter()
            names = [c.name for c in table.columns]
            schema = {c.name: pl.Int64 if isinstance(c.type, Integer | Boolean) else pl.String for c in table.columns}
            frame = pl.DataFrame(db.execute(f"SELECT {', '.join(names)} FROM {table.name}").fetchall(),
                                 schema=schema, orient="row", infer_schema_length=None)
            # SQLite holds SQLAlchemy's UTC wall-clock text: given its offset, PostgreSQL stores the same moment.
            frame = frame.with_columns(pl.col(c.name) + "+00:00" for c in table.columns
                                       if isinstance(c.type, DateTime))
            insert_frame(session, table, frame)
            print(f"{table.name}: {frame.height:,} rows, {time.perf_counter() - start:.1f} s", file=sys.stderr)
        session.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help=f"the store (default: the url in {SETUP.name})")
    parser.add_argument("--before", type=Path, help="the source tree (its src/) to compare with, e.g. a worktree")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copy-to", metavar="URL", help="copy the store's tables into this empty PostgreSQL database")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.url or json.loads(SETUP.read_text())["url"]
    if args.copy_to:
        copy_to(url, args.copy_to)
        return
    if args.worker:
        print(json.dumps(worker(url, args.repeat)))
        return
    results = {}
    trees = ([("before", args.before)] if args.before else []) + [("after", HERE.parent / "src")]
    for name, src in trees:
        env = os.environ | {"PYTHONPATH": str(src)}
        done = subprocess.run([sys.executable, __file__, "--worker", "--url", url, "--repeat", str(args.repeat)],
                              env=env, check=True, stdout=subprocess.PIPE, text=True)
        results[name] = json.loads(done.stdout)
        print(f"{name}: {json.dumps(results[name], indent=1)}", file=sys.stderr)
    if "before" in results:
        before, after = results["before"], results["after"]
        print(f"store {url}: {after['people']:,} people, {after['points']:,} phone points, {after['counts']}")
        print(f"storeview.load  before {before['load_median_s']:.2f} s (cpu {before['load_cpu_s']:.2f})  "
              f"after {after['load_median_s']:.2f} s (cpu {after['load_cpu_s']:.2f})  "
              f"x{before['load_median_s'] / after['load_median_s']:.1f}  same view: "
              f"{before['digest'] == after['digest']}")
        if "points_cursor_median_s" in after:
            print(f"phone points    rows {after['points_rows_median_s']:.2f} s  cursor "
                  f"{after['points_cursor_median_s']:.2f} s  same rows: {after['points_same_rows']}")
        if before["digest"] != after["digest"]:
            sys.exit("the views differ")


if __name__ == "__main__":
    main()
