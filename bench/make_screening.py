"""The data set of the screening benchmark (bench/bench_screen.py), built deterministically into bench/data/.

    python bench/make_screening.py --seed 1                       # SQLite store bench/data/screen.db
    python bench/make_screening.py --seed 1 --url postgresql+psycopg://postgres@127.0.0.1:5432/leadgate_screen

Files (made once, reused when present):

- screen-leads-10m.csv: 10 messy supplier files of 1M rows from make_leads.py (seeds 100*seed + part,
  NL/BE/FR/DE/GB, ~5 % invalid), concatenated; screen-leads-1m.csv is its first part;
- screen-be-dncm.txt: a 25M-number Belgian DNCM file (make_register.py's ranges) listing 7 % of the lead
  file's distinct BE numbers, no other lead number; screen-gb-tps.txt: a 2M-number TPS file likewise.

The store (fresh every run): `leadgate db upgrade`, a supplier and two call centres, a legitimate-interest
campaign with its balancing test approved, both registers imported with `leadgate registers import`
(timed: the "register import of 25 million numbers" figure), then:

- consents: an intake (`leadgate intake --campaign`) of 2 % of the lead rows, chosen among rows with
  phone consent columns, plus 1 % rows without consent whose persons become customers;
- customer relationships (bulk insert) for those 1 % persons, 80 % paid, some ended;
- contact attempts (bulk insert) for 1 % of the rows' count, on random stored phone contact points;
- 1M phone suppressions (bucket + HMAC digest as record_objection stores them): 2 % of the lead file's
  distinct valid numbers, the rest other numbers.

Timings of each step are printed and written to bench/data/screen-setup-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).parent))
import make_register

from leadgate.attempts.models import ContactAttempt
from leadgate.consent.buckets import phone_buckets
from leadgate.consent.models import Suppression
from leadgate.consent.suppressed import phone_digests
from leadgate.intake.bulk import insert_frame
from leadgate.intake.mapping import Mapping
from leadgate.kit.db import unit_of_work
from leadgate.people.models import CustomerRelationship
from leadgate.screening import candidates as cand

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
KEY = "bench-screening-suppression-key-0123456789"
CAMPAIGN = "bench-screen"
AT = "2026-11-26T10:30:00+01:00"  # a Thursday morning: the planned moment of calling
CHECKED_AT = "2026-11-25T06:00:00+01:00"  # register files downloaded the morning before
CAMPAIGN_TOML = f"""id = "{CAMPAIGN}"
name = "Screening benchmark"
lawful_basis = "legitimate_interest"
sector = "energy"
caller_id = "+31 20 123 4567"

[[call_centre]]
name = "CallCo"
share = 60

[[call_centre]]
name = "BelBureau"
share = 40
"""
PART = 1_000_000


def step(name: str, timings: dict[str, float], began: float) -> None:
    timings[name] = round(time.perf_counter() - began, 2)
    print(f"  {name}: {timings[name]:.1f} s", file=sys.stderr, flush=True)


def leads(seed: int, parts: int) -> tuple[Path, Path]:
    big, small = DATA / f"screen-leads-{parts}m.csv", DATA / "screen-leads-1m.csv"
    if big.exists() and small.exists():
        return big, small
    folder = DATA / "parts"
    folder.mkdir(parents=True, exist_ok=True)
    todo = [i for i in range(parts) if not (folder / f"leads-part{i}.csv").exists()]
    # Two generators at a time (one per core): pure Python, ~1 min per million rows each.
    for pair in range(0, len(todo), 2):
        procs = [subprocess.Popen([sys.executable, str(HERE / "make_leads.py"), "--n", str(PART), "--invalid", "0.05",
                                   "--seed", f"{seed}0{i}", "--out", str(folder / f"leads-part{i}.csv.tmp")])
                 for i in todo[pair:pair + 2]]
        for i, proc in zip(todo[pair:pair + 2], procs, strict=True):
            if proc.wait() != 0:
                raise SystemExit("make_leads.py failed")
            (folder / f"leads-part{i}.csv.tmp").rename(folder / f"leads-part{i}.csv")
    with big.open("wb") as out:
        for i in range(parts):
            with (folder / f"leads-part{i}.csv").open("rb") as part:
                header = part.readline()
                if i == 0:
                    out.write(header)
                shutil.copyfileobj(part, out, 1 << 24)
    shutil.copyfile(folder / "leads-part0.csv", small)
    return big, small


def numbers_of(path: Path) -> pl.DataFrame:
    """_row, Kanaal and the normalised number of every row, as screening normalises them (cached)."""
    cache = path.with_suffix(".numbers.parquet")
    if cache.exists():
        return pl.read_parquet(cache)
    frame, _ = cand.file_candidates(path, mapping=Mapping(), country=None)
    frame = cand.normalised(frame).select("_row", "e164", "number", "phone_region")
    channel = pl.read_csv(path, separator=";", infer_schema=False, columns=["Kanaal"], truncate_ragged_lines=True,
                          encoding="utf8-lossy")
    channel = channel.with_row_index("_row", offset=2).select(pl.col("_row").cast(pl.Int64),
                                                              pl.col("Kanaal").alias("channel"))
    frame = frame.join(channel, on="_row", how="left")
    frame.write_parquet(cache)
    return frame


def register_file(path: Path, *, lead_nsn: np.ndarray, listed_share: float, total: int, country_ranges: Any,
                  fmt: str, seed: int) -> None:
    if path.exists():
        return
    rng = np.random.default_rng(seed)
    lead_nsn = np.unique(lead_nsn)
    listed = rng.choice(lead_nsn, size=int(lead_nsn.size * listed_share), replace=False)
    saved = make_register.RANGES
    make_register.RANGES = country_ranges
    try:
        others = make_register.numbers(total - listed.size + lead_nsn.size, rng)
    finally:
        make_register.RANGES = saved
    others = others[~np.isin(others, lead_nsn, kind="sort")][:total - listed.size]
    nsn = rng.permutation(np.concatenate([others, listed]))
    lines = pl.DataFrame({"nsn": nsn}).select(pl.lit("0") + pl.col("nsn").cast(pl.String))
    if fmt == "dncm":
        days = pl.Series(rng.integers(0, 4000, size=nsn.size))
        lines = lines.with_columns(pl.col("literal") + pl.lit(";") + (
            pl.date(2014, 5, 31) + pl.duration(days=days)).dt.strftime("%Y-%m-%d"))
    with path.open("wb") as out:
        out.write(b"number;registration_date\n" if fmt == "dncm" else b"")
        lines.write_csv(out, include_header=False, quote_style="never")
    print(f"{path.name}: {nsn.size:,} numbers, {listed.size:,} of the lead file's {lead_nsn.size:,}", file=sys.stderr)


def nsn_of(frame: pl.DataFrame, region: str, cc: str) -> np.ndarray:
    return (frame.filter(pl.col("phone_region") == region).select(
        pl.col("e164").str.strip_prefix(f"+{cc}").cast(pl.Int64)).to_series().drop_nulls().unique().to_numpy())


def fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        for leftover in Path(url.removeprefix("sqlite:///")).parent.glob(Path(url).name + "*"):
            leftover.unlink()
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def env_for(url: str, data_dir: Path) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {
        "LEADGATE_DATABASE_URL": url, "LEADGATE_SUPPRESSION_KEY": KEY, "LEADGATE_DATA_DIR": str(data_dir),
        "COLUMNS": "200", "NO_COLOR": "1"}


def run(env: dict[str, str], *args: str) -> str:
    leadgate = str(Path(sys.executable).parent / "leadgate")
    done = subprocess.run([leadgate, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"leadgate {' '.join(args)} exited {done.returncode}:\n"
                         f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parts", type=int, default=10, help="millions of lead rows")
    parser.add_argument("--register", type=int, default=25_000_000, help="numbers in the BE DNCM file")
    parser.add_argument("--suppressions", type=int, default=1_000_000)
    parser.add_argument("--url", default=f"sqlite:///{DATA / 'screen.db'}")
    parser.add_argument("--data-dir", type=Path, help="leadgate's data folder (default: next to the store)")
    parser.add_argument("--resume", action="store_true", help="keep the store (registers and intake done)")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    big, _ = leads(args.seed, args.parts)
    step("lead files", timings, began)
    rows = numbers_of(big)
    step("lead numbers normalised", timings, began)
    be = DATA / f"screen-be-dncm-{args.register // 1_000_000}m-for-{args.parts}m.txt"
    gb = DATA / f"screen-gb-tps-for-{args.parts}m.txt"
    register_file(be, lead_nsn=nsn_of(rows, "BE", "32"), listed_share=0.07, total=args.register, fmt="dncm",
                  country_ranges=make_register.RANGES, seed=args.seed)
    register_file(gb, lead_nsn=nsn_of(rows, "GB", "44"), listed_share=0.07, total=2_000_000, fmt="tps",
                  country_ranges=((7_400_000_000, 7_600_000_000, 0.3), (7_700_000_000, 8_000_000_000, 0.5),
                                  (2_070_000_000, 2_090_000_000, 0.2)),
                  seed=args.seed + 1)
    step("register files", timings, began)

    store = Path(make_url(args.url).database or "store").stem
    data_dir = args.data_dir or DATA / f"{store}-data"
    env = env_for(args.url, data_dir)
    if not args.resume:  # the store as a failed run left it: only the bulk inserts below are redone
        shutil.rmtree(data_dir, ignore_errors=True)
        fresh(args.url)
        run(env, "db", "upgrade")
        run(env, "partner", "add", "BenchLeads", "--kind", "lead_supplier")
        for centre in ("CallCo", "BelBureau"):
            run(env, "partner", "add", centre, "--kind", "call_centre")
        campaign_file = DATA / "screen-campaign.toml"
        campaign_file.write_text(CAMPAIGN_TOML, encoding="utf-8")
        run(env, "campaign", "create", "--file", str(campaign_file))
        run(env, "campaign", "approve-lia", CAMPAIGN, "--date", "2026-03-01")
        step("store, partners, campaign", timings, began)
        for name, file in (("be-dncm", be), ("gb-tps", gb)):
            start = time.perf_counter()
            out = run(env, "registers", "import", name, str(file), "--checked-at", CHECKED_AT)
            timings[f"import {name} ({file.name})"] = round(time.perf_counter() - start, 2)
            print(f"  registers import {name}: {time.perf_counter() - start:.1f} s\n{out}", file=sys.stderr)

    # The intake: 2 % of the rows with a phone consent, 1 % without (the future customers).
    rng = np.random.default_rng(args.seed + 10)
    total = rows.height
    valid = rows.filter(pl.col("number").is_not_null())
    with_consent = valid.filter(pl.col("channel") == "telefoon")["_row"].to_numpy()
    without = valid.filter(pl.col("channel").is_null())["_row"].to_numpy()
    consent_rows = rng.choice(with_consent, size=int(total * 0.02), replace=False)
    customer_rows = rng.choice(without, size=int(total * 0.01), replace=False)
    chosen = np.sort(np.concatenate([consent_rows, customer_rows]))
    if not args.resume:
        table = pl.read_csv(big, separator=";", infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy",
                            quote_char='"').with_row_index("_row", offset=2)
        table = table.rename({c: c.lstrip("\ufeff") for c in table.columns})
        subset = table.filter(pl.col("_row").is_in(pl.Series(chosen).implode())).drop("_row")
        del table
        intake_file = DATA / "screen-intake.csv"
        with intake_file.open("wb") as out:
            out.write("\ufeff".encode())
            subset.write_csv(out, separator=";", line_terminator="\r\n")
        start = time.perf_counter()
        out = run(env, "intake", str(intake_file), "--supplier", "BenchLeads", "--campaign", CAMPAIGN)
        timings["intake (3 % of rows)"] = round(time.perf_counter() - start, 2)
        print(f"  intake of {subset.height:,} rows: {time.perf_counter() - start:.1f} s\n{out}", file=sys.stderr)
        step("intake", timings, began)

    now = datetime.now(UTC)
    at = datetime.fromisoformat(AT)
    customer_e164 = rows.filter(pl.col("_row").is_in(pl.Series(customer_rows).implode()))["e164"].unique()
    with unit_of_work(args.url) as session:
        cursor = session.connection().connection.cursor()
        cursor.execute("SELECT cp.value, cp.id, cp.person_id FROM contact_points cp WHERE cp.medium = 'phone'")
        points = pl.DataFrame(cursor.fetchall(), schema={"e164": pl.String, "point": pl.String, "person": pl.String},
                              orient="row")
        cursor.execute("SELECT id FROM partners WHERE name = 'CallCo'")
        callco = cursor.fetchone()[0]
        cursor.close()
        people = points.filter(pl.col("e164").is_in(customer_e164.implode()))["person"].unique().sort()
        n = people.len()
        paid = rng.random(n) < 0.8
        ended = rng.random(n) < 0.2
        started = [date(2020, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 1800, n)]
        insert_frame(session, CustomerRelationship.__table__, pl.DataFrame({  # type: ignore[arg-type]
            "id": [secrets.token_hex(16) for _ in range(n)], "person_id": people, "paid": paid,
            "started_on": started,
            "ended_on": [s + timedelta(days=400) if e else None for s, e in zip(started, ended, strict=True)],
            "reference": None, "created_at": now}, schema_overrides={"reference": pl.String,
                                                                     "ended_on": pl.Date}))
        timings["customer relationships"] = n
        k = int(total * 0.01)
        targets = points.sample(n=k, with_replacement=True, seed=args.seed)
        outcomes = ["no_answer", "busy", "voicemail", "connected", "not_interested", "callback_requested"]
        insert_frame(session, ContactAttempt.__table__, pl.DataFrame({  # type: ignore[arg-type]
            "id": [secrets.token_hex(16) for _ in range(k)], "person_id": targets["person"],
            "contact_point_id": targets["point"], "campaign_id": CAMPAIGN, "call_centre_id": callco,
            "call_id": None, "channel": "phone",
            "at": [at - timedelta(seconds=int(s)) for s in rng.integers(3600, 30 * 86400, k)],
            "outcome": [outcomes[i] for i in rng.integers(0, len(outcomes), k)],
            "rings": rng.integers(1, 8, k), "recorded_at": now}, schema_overrides={"call_id": pl.String}))
        timings["contact attempts"] = k
        distinct = valid["number"].unique().to_numpy()
        mine = rng.choice(distinct, size=int(distinct.size * 0.02), replace=False)
        others = np.unique(rng.integers(10**10, 10**11, size=args.suppressions - mine.size, dtype=np.int64))
        listed = np.concatenate([mine, others[~np.isin(others, distinct, kind="sort")]])
        key = KEY.encode()
        insert_frame(session, Suppression.__table__, pl.DataFrame({  # type: ignore[arg-type]
            "id": [secrets.token_hex(16) for _ in range(listed.size)],
            "digest": phone_digests(key, listed.tolist()), "channel": "phone",
            "at": datetime(2026, 6, 1, 9, tzinfo=UTC), "bucket": phone_buckets(key, listed)}))
        timings["suppressions"] = int(listed.size)
        timings["suppressed lead numbers"] = int(mine.size)
    step("customers, attempts, suppressions", timings, began)
    (DATA / f"{store}-setup.json").write_text(json.dumps(
        {"url": args.url, "data_dir": str(data_dir), "key": KEY, "campaign": CAMPAIGN, "at": AT,
         "leads": str(big), "timings": timings}, indent=1))


if __name__ == "__main__":
    main()
