"""The data set of the pre-dial check benchmark (bench/bench_api.py): a PostgreSQL store of 1M people.

    python bench/make_api.py                       # fresh database leadgate_bench_api (dropped and made again)
    python bench/make_api.py --resume              # keep the steps already done (bench/data/api-setup-<database>.json)
    python bench/make_api.py --persons 100000 --url postgresql+psycopg://postgres@127.0.0.1:5432/leadgate_bench_small

What it holds (deterministic for a seed; bulk rows by COPY through intake.bulk.insert_frame):

- 1M persons, NL/BE/FR/GB 35/25/20/20 %, consumers 92 %, sole traders 4 %, businesses 4 %; each a mobile
  number, 10 % also a landline, 60 % an e-mail address (contact points as `people.normalise` stores them:
  every number went through `core.phone.parse_phone`);
- consents for 35 % of the numbers and 40 % of the addresses (5 % of them withdrawn, 3 % single-use), given
  2024-2026; a lead row per person from one of five data sources (one switched off);
- customer relationships for 5 % of the persons (80 % paid); 1M contact attempts in the 60 days before
  the benchmark's moment on random numbers;
- objections by 2 % of the persons with their suppressions (HMAC with the fixed bench key, as
  `record_objection` stores them), plus 200k suppressed numbers nobody in the store has (some of them
  are among the unknown numbers the benchmark asks about);
- a campaign `bench-api` (legitimate interest, LIA approved) worked by CallCo (NL/FR/GB) and BelBureau (BE),
  an export assigning 70 % of the numbers to them, register snapshots imported with `leadgate registers
  import` (be-dncm, fr-bloctel, gb-tps, gb-ctps: 15 % of the store's numbers and as many others);
- API keys (admin, compliance, marketing, webform, a call_centre key per call centre), saved with the
  request pool in bench/data/api-<database>/ (git-ignored): tokens.json, requests.jsonl.

Each step is committed on its own and noted in bench/data/api-setup-<database>.json, so `--resume` redoes only the
steps a failed run did not finish. Timings are printed and kept there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from leadgate.access import service as access
from leadgate.attempts.models import ContactAttempt
from leadgate.consent.buckets import phone_buckets
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.consent.service import suppression_digest
from leadgate.consent.suppressed import phone_digests
from leadgate.core.phone import parse_phone
from leadgate.intake.bulk import insert_frame
from leadgate.intake.models import DataSource, Lead
from leadgate.kit.db import unit_of_work
from leadgate.people.models import ContactPoint, CustomerRelationship, Person
from leadgate.screening.models import Export, ExportContact

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/leadgate_bench_api"
KEY = "bench-api-suppression-key-0123456789abcdef"
SECRET = "bench-api-secret-key-0123456789abcdef"
CAMPAIGN = "bench-api"
AT = datetime.fromisoformat("2026-11-26T10:30:00+01:00")  # the moment the benchmark's checks ask about
CHECKED_AT = "2026-11-25T06:00:00+01:00"  # register lists downloaded the morning before
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CAMPAIGN_TOML = f"""id = "{CAMPAIGN}"
name = "Pre-dial check benchmark"
lawful_basis = "legitimate_interest"
sector = "energy"
caller_id = "+31 20 123 4567"

[[call_centre]]
name = "CallCo"
share = 60

[[call_centre]]
name = "BelBureau"
share = 40
regions = ["BE"]
"""
COUNTRIES = ("NL", "BE", "FR", "GB")
COUNTRY_SHARE = (0.35, 0.25, 0.20, 0.20)
# (E.164 prefix, digits after it, allowed first digits or None) per country: mobiles, then a landline range.
MOBILE = {"NL": [("316", 8, (1, 2, 3, 4, 5))], "BE": [("3247", 7, None), ("3248", 7, None), ("3249", 7, None)],
          "FR": [("336", 8, (1, 2, 3, 4, 5, 6, 7)), ("337", 8, (3, 4, 5, 6, 7, 8))],
          "GB": [("4474", 8, None), ("4475", 8, None), ("4479", 8, None)]}
LANDLINE = {"NL": [("3120", 7, (2, 3, 4, 5, 6, 7))], "BE": [("323", 7, (2, 3, 4, 5, 6, 7, 8))],
            "FR": [("331", 8, (4, 5, 6, 7))], "GB": [("44161", 7, (2, 3, 4, 5, 6, 7, 8, 9))]}
DOMAINS = {"NL": ("ziggo.nl", "kpnmail.nl", "gmail.com", "outlook.com"),
           "BE": ("telenet.be", "skynet.be", "gmail.com", "hotmail.com"),
           "FR": ("orange.fr", "free.fr", "gmail.com", "laposte.net"),
           "GB": ("btinternet.com", "gmail.com", "hotmail.co.uk", "outlook.com")}
NAMES = ("jan", "els", "marie", "pierre", "sophie", "tom", "emma", "lucas", "julie", "oliver", "noah", "lea",
         "daan", "sanne", "thomas", "camille", "james", "amelia", "pieter", "ines")
CONSENT_TEXTS = (
    "Ja, ik wil telefonisch en per e-mail aanbiedingen ontvangen over energiecontracten van Bench Energie.",
    "Oui, j'accepte d'être contacté par téléphone et par e-mail pour des offres d'énergie de Bench Énergie.",
    "Yes, I agree to be contacted by phone and e-mail about energy offers from Bench Energy.",
)
SOURCES = (  # code, kind, purpose_compatible, disabled
    ("web-energy", "webform", True, False), ("list-2025", "purchased_list", True, False),
    ("rent-q3", "rented_list", None, False), ("crm-import", "crm", True, False),
    ("cheap-list", "purchased_list", False, True))
OUTCOMES = ("no_answer", "busy", "voicemail", "connected", "not_interested", "callback_requested", "wrong_number")


def ids(rng: np.random.Generator, n: int) -> list[str]:
    """n random 32-hex ids (uuid4().hex-like), reproducible for the seed."""
    raw = rng.bytes(16 * n).hex()
    return [raw[i:i + 32] for i in range(0, 32 * n, 32)]


def numbers(rng: np.random.Generator, n: int, ranges: list[tuple[str, int, tuple[int, ...] | None]]) -> list[str]:
    """n E.164 strings (not yet validated or distinct) spread over `ranges`."""
    which = rng.integers(0, len(ranges), n)
    out: list[str] = []
    for i, (prefix, digits, first) in enumerate(ranges):
        k = int((which == i).sum())
        tail = rng.integers(0, 10 ** digits, k)
        if first is not None:
            tail = tail % 10 ** (digits - 1) + np.asarray(first)[rng.integers(0, len(first), k)] * 10 ** (digits - 1)
        out += [f"+{prefix}{t:0{digits}d}" for t in tail.tolist()]
    order = rng.permutation(len(out))
    return [out[i] for i in order.tolist()]


def parsed(candidates: list[str], taken: set[str]) -> pl.DataFrame:
    """value, region, mobile of each valid, not yet taken number, exactly as parse_phone gives them."""
    rows = []
    for raw in candidates:
        phone = parse_phone(raw, None)
        if phone is None or phone.e164 in taken:
            continue
        taken.add(phone.e164)
        rows.append((phone.e164, phone.region, phone.mobile))
    return pl.DataFrame(rows, schema={"value": pl.String, "region": pl.String, "mobile": pl.Boolean}, orient="row")


def phones_for(rng: np.random.Generator, countries: np.ndarray, table: dict[str, Any], taken: set[str]
               ) -> tuple[pl.DataFrame, np.ndarray]:
    """One valid distinct number per entry of `countries` (index into COUNTRIES): (frame, owner positions)."""
    frames, owners = [], []
    for c, country in enumerate(COUNTRIES):
        where = np.flatnonzero(countries == c)
        got = pl.DataFrame(schema={"value": pl.String, "region": pl.String, "mobile": pl.Boolean})
        while got.height < where.size:  # a few percent are invalid or repeat: draw again for the rest
            more = parsed(numbers(rng, int((where.size - got.height) * 1.1) + 10, table[country]), taken)
            got = pl.concat([got, more])
        taken.difference_update(got["value"][where.size:].to_list())
        frames.append(got.head(where.size))
        owners.append(where)
    return pl.concat(frames), np.concatenate(owners)


def call_centres(session: Session) -> dict[str, str]:
    """name -> partner id of each call centre."""
    return {name: id_ for name, id_ in session.execute(
        text("SELECT name, id FROM partners WHERE kind = 'call_centre'")).all()}


def fresh(url: str) -> None:
    target = make_url(url)
    if not target.database or target.database in ("postgres", "test", "template0", "template1"):
        raise SystemExit(f"refusing to drop {target.database!r}: give the benchmark its own database")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def env_for(url: str, data_dir: Path) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")} | {
        "LEADGATE_DATABASE_URL": url, "LEADGATE_SUPPRESSION_KEY": KEY, "LEADGATE_SECRET_KEY": SECRET,
        "LEADGATE_DATA_DIR": str(data_dir), "COLUMNS": "200", "NO_COLOR": "1"}


def run(env: dict[str, str], *args: str) -> str:
    leadgate = str(Path(sys.executable).parent / "leadgate")
    done = subprocess.run([leadgate, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"leadgate {' '.join(args)} exited {done.returncode}:\n"
                         f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


class Setup:
    """Which steps are done, their timings, and what later steps need (kept in api-setup-<database>.json)."""

    def __init__(self, path: Path, url: str, resume: bool) -> None:
        self.path = path
        self.state: dict[str, Any] = json.loads(path.read_text()) if resume and path.exists() else {}
        if self.state.get("url") not in (None, url):
            raise SystemExit(f"{path} describes {self.state['url']}, not {url}: run without --resume")
        self.state.update(url=url, key=KEY, secret=SECRET, campaign=CAMPAIGN, at=AT.isoformat())
        self.state.setdefault("done", {})

    def step(self, name: str, work: Callable[[], Any]) -> None:
        if name in self.state["done"]:
            print(f"  {name}: done before", file=sys.stderr)
            return
        began = time.perf_counter()
        extra = work()
        seconds = round(time.perf_counter() - began, 1)
        self.state["done"][name] = {"seconds": seconds, **(extra or {})}
        self.path.write_text(json.dumps(self.state, indent=1))
        print(f"  {name}: {seconds:.1f} s {extra or ''}", file=sys.stderr, flush=True)


def build(args: argparse.Namespace, setup: Setup, env: dict[str, str]) -> None:
    url, n = args.url, args.persons
    rng = np.random.default_rng(args.seed)
    frames = DATA / f"api-{make_url(url).database}"
    frames.mkdir(parents=True, exist_ok=True)

    def store() -> None:
        run(env, "db", "upgrade")
        run(env, "partner", "add", "BenchLeads", "--kind", "lead_supplier")
        for centre in ("CallCo", "BelBureau"):
            run(env, "partner", "add", centre, "--kind", "call_centre")
        campaign_file = frames / "campaign.toml"
        campaign_file.write_text(CAMPAIGN_TOML, encoding="utf-8")
        run(env, "campaign", "create", "--file", str(campaign_file))
        run(env, "campaign", "approve-lia", CAMPAIGN, "--date", "2026-03-01")

    setup.step("store, partners, campaign", store)

    # Everything below is drawn from the one generator in a fixed order, so a resumed run draws the same
    # rows as the first; the frames are also kept as Parquet for the request pool.
    person_ids = ids(rng, n)
    country = rng.choice(len(COUNTRIES), size=n, p=COUNTRY_SHARE)
    kind = np.asarray(["consumer", "sole_trader", "business"])[rng.choice(3, size=n, p=(0.92, 0.04, 0.04))]
    taken: set[str] = set()
    people_file, points_file = frames / "persons.parquet", frames / "points.parquet"
    if people_file.exists() and points_file.exists():
        persons, points = pl.read_parquet(people_file), pl.read_parquet(points_file)
    else:
        began = time.perf_counter()
        persons = pl.DataFrame({
            "id": person_ids, "kind": kind, "country": np.asarray(COUNTRIES)[country],
            "name": [f"{NAMES[i % len(NAMES)].title()} Bench{i}" for i in range(n)],
            "organisation_name": [f"Bench BV {i}" if k == "business" else None for i, k in enumerate(kind.tolist())],
            "organisation_id_kind": None, "organisation_id": None,
            "job_title": [("Facility manager" if i % 2 else "Office manager") if k == "business" else None
                          for i, k in enumerate(kind.tolist())],
            "created_at": NOW - timedelta(days=30)}, schema_overrides={
                "organisation_id_kind": pl.String, "organisation_id": pl.String, "organisation_name": pl.String,
                "job_title": pl.String})
        mobiles, owner = phones_for(rng, country, MOBILE, taken)
        second = np.flatnonzero(rng.random(n) < 0.10)
        landlines, owner2 = phones_for(rng, country[second], LANDLINE, taken)
        with_mail = np.flatnonzero(rng.random(n) < 0.60)
        mail_country = country[with_mail]
        domain = [DOMAINS[COUNTRIES[c]][d] for c, d in zip(mail_country.tolist(),
                                                            rng.integers(0, 4, with_mail.size).tolist(), strict=True)]
        mails = pl.DataFrame({
            "value": [f"{NAMES[i % len(NAMES)]}.b{i:x}@{d}" for i, d in zip(with_mail.tolist(), domain, strict=True)],
            "region": np.asarray(COUNTRIES)[mail_country], "mobile": None}, schema_overrides={"mobile": pl.Boolean})
        person_of = np.concatenate([owner, second[owner2], with_mail])
        points = pl.concat([mobiles.with_columns(medium=pl.lit("phone")),
                            landlines.with_columns(medium=pl.lit("phone")),
                            mails.with_columns(medium=pl.lit("email"))], how="vertical")
        points = points.with_columns(id=pl.Series(ids(rng, points.height)),
                                     person_id=pl.Series([person_ids[i] for i in person_of.tolist()]),
                                     person_index=pl.Series(person_of), created_at=pl.lit(NOW - timedelta(days=30)))
        points = points.select("id", "person_id", "medium", "value", "region", "mobile", "created_at", "person_index")
        persons.write_parquet(people_file)
        points.write_parquet(points_file)
        print(f"  generated {n:,} persons, {points.height:,} contact points in {time.perf_counter() - began:.1f} s",
              file=sys.stderr)

    def copy(table: Any, frame: pl.DataFrame) -> dict[str, int]:
        with unit_of_work(url) as session:
            insert_frame(session, table, frame)
        return {"rows": frame.height}

    setup.step("persons", lambda: copy(Person.__table__, persons))
    setup.step("contact points", lambda: copy(ContactPoint.__table__, points.drop("person_index")))

    rng_c = np.random.default_rng(args.seed + 1)  # each later step its own generator: resumable alone

    def consents() -> dict[str, int]:
        phone = points.filter(pl.col("medium") == "phone")
        mail = points.filter(pl.col("medium") == "email")
        chosen = pl.concat([phone.filter(pl.Series(rng_c.random(phone.height) < 0.35)).with_columns(
            channel=pl.lit("phone")), mail.filter(pl.Series(rng_c.random(mail.height) < 0.40)).with_columns(
            channel=pl.lit("email"))])
        k = chosen.height
        texts = np.asarray(CONSENT_TEXTS)[rng_c.integers(0, len(CONSENT_TEXTS), k)]
        given = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=int(s))
                 for s in rng_c.integers(0, 690 * 86400, k)]
        withdrawn = rng_c.random(k) < 0.05
        single = rng_c.random(k) < 0.03
        sha = {t: hashlib.sha256(t.encode()).hexdigest() for t in CONSENT_TEXTS}
        frame = pl.DataFrame({
            "id": ids(rng_c, k), "person_id": chosen["person_id"], "contact_point_id": chosen["id"],
            "channel": chosen["channel"], "purpose": "energy offers", "text": texts,
            "text_version": "v3", "text_sha256": [sha[t] for t in texts.tolist()], "given_at": given,
            "source_code": np.asarray([s[0] for s in SOURCES])[rng_c.integers(0, len(SOURCES), k)],
            "collection_method": "webform", "ip_address": "192.0.2.10", "user_agent": "Mozilla/5.0 (bench)",
            "single_use": single, "used_at": None, "own_initiative": False, "automated_calls": False,
            "withdrawn_at": [g + timedelta(days=30) if w else None for g, w in zip(given, withdrawn.tolist(),
                                                                                     strict=True)],
            "withdrawn_via": ["api" if w else None for w in withdrawn.tolist()], "intake_id": None},
            schema_overrides={"used_at": pl.Datetime("us", "UTC"), "withdrawn_at": pl.Datetime("us", "UTC"),
                              "withdrawn_via": pl.String, "intake_id": pl.String})
        copy(Consent.__table__, frame)
        return {"rows": k}

    setup.step("consents", consents)

    def leads() -> dict[str, int]:
        with unit_of_work(url) as session:
            supplier = session.execute(text("SELECT id FROM partners WHERE name = 'BenchLeads'")).scalar_one()
        source_ids = ids(rng_c, len(SOURCES))
        copy(DataSource.__table__, pl.DataFrame({
            "id": source_ids, "supplier_id": supplier, "code": [s[0] for s in SOURCES],
            "kind": [s[1] for s in SOURCES], "purpose": "energy offers", "purpose_compatible": [s[2] for s in SOURCES],
            "disabled": [s[3] for s in SOURCES], "created_at": NOW - timedelta(days=400)},
            schema_overrides={"purpose_compatible": pl.Boolean}))
        which = rng_c.choice(len(SOURCES), size=n, p=(0.40, 0.30, 0.10, 0.18, 0.02))
        copy(Lead.__table__, pl.DataFrame({
            "id": ids(rng_c, n), "person_id": persons["id"], "data_source_id": np.asarray(source_ids)[which],
            "intake_id": None, "row_number": np.arange(2, n + 2),
            "received_at": [NOW - timedelta(seconds=int(s)) for s in rng_c.integers(86400, 300 * 86400, n)],
            "extra": None}, schema_overrides={"intake_id": pl.String, "extra": pl.String}))
        return {"rows": n}

    setup.step("data sources and leads", leads)

    def customers() -> dict[str, int]:
        who = np.flatnonzero(rng_c.random(n) < 0.05)
        k = who.size
        started = [date(2019, 1, 1) + timedelta(days=int(d)) for d in rng_c.integers(0, 2500, k)]
        ended = rng_c.random(k) < 0.2
        copy(CustomerRelationship.__table__, pl.DataFrame({
            "id": ids(rng_c, k), "person_id": persons["id"].gather(who), "paid": rng_c.random(k) < 0.8,
            "started_on": started,
            "ended_on": [s + timedelta(days=400) if e else None for s, e in zip(started, ended.tolist(), strict=True)],
            "reference": None, "created_at": NOW}, schema_overrides={"reference": pl.String, "ended_on": pl.Date}))
        return {"rows": k}

    setup.step("customers", customers)

    def attempts() -> dict[str, int]:
        with unit_of_work(url) as session:
            centres = call_centres(session)
        phone = points.filter(pl.col("medium") == "phone")
        k = args.attempts
        target = phone.gather(rng_c.integers(0, phone.height, k))
        centre = np.where(target["region"].to_numpy() == "BE", centres["BelBureau"], centres["CallCo"])
        copy(ContactAttempt.__table__, pl.DataFrame({
            "id": ids(rng_c, k), "person_id": target["person_id"], "contact_point_id": target["id"],
            "campaign_id": CAMPAIGN, "call_centre_id": centre, "call_id": [f"bench-{i}" for i in range(k)],
            "channel": "phone",
            "at": [AT - timedelta(seconds=int(s)) for s in rng_c.integers(3600, 60 * 86400, k)],
            "outcome": np.asarray(OUTCOMES)[rng_c.integers(0, len(OUTCOMES), k)],
            "rings": rng_c.integers(1, 8, k), "recorded_at": NOW}))
        return {"rows": k}

    setup.step("contact attempts", attempts)

    unknown_file = frames / "unknown.parquet"

    def objections() -> dict[str, int]:
        key = KEY.encode()
        who = np.flatnonzero(rng_c.random(n) < 0.02)
        k = who.size
        channel = np.asarray(["phone", "email", "all"])[rng_c.choice(3, size=k, p=(0.6, 0.2, 0.2))]
        at = [datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=int(s)) for s in rng_c.integers(0, 600 * 86400, k)]
        copy(Objection.__table__, pl.DataFrame({
            "id": ids(rng_c, k), "person_id": persons["id"].gather(who), "channel": channel, "at": at,
            "received_via": "customer_service"}))
        # record_objection keeps a suppression (the objection's channel) of the contact point objected with.
        objecting = pl.DataFrame({"person_index": who, "channel": channel, "at": at})
        rows = points.join(objecting, on="person_index").filter(
            (pl.col("channel") == "all") | (pl.col("channel") == pl.col("medium")))
        digests = [suppression_digest(key, f"{m}:{v}") for m, v in zip(rows["medium"], rows["value"], strict=True)]
        phone_digits = np.asarray([int(v[1:]) if m == "phone" else 0 for m, v in zip(rows["medium"], rows["value"],
                                                                                    strict=True)], dtype=np.int64)
        buckets = np.where(rows["medium"].to_numpy() == "phone", phone_buckets(key, phone_digits), -1)
        own = pl.DataFrame({"id": ids(rng_c, rows.height), "digest": digests,
                            "channel": rows["channel"],
                            "at": rows["at"], "bucket": buckets})
        # Numbers nobody in the store has: 200k suppressed, and a pool of unknown numbers the benchmark asks
        # about, a tenth of which is among the suppressed ones.
        country = rng_c.choice(len(COUNTRIES), size=args.suppressions + 50_000, p=COUNTRY_SHARE)
        others, _ = phones_for(rng_c, country, MOBILE, set(points.filter(pl.col("medium") == "phone")["value"]))
        suppressed = others.head(args.suppressions)
        asked = pl.concat([suppressed.head(5_000), others.tail(45_000)])
        asked.write_parquet(unknown_file)
        digits = np.asarray([int(v[1:]) for v in suppressed["value"]], dtype=np.int64)
        foreign = pl.DataFrame({"id": ids(rng_c, suppressed.height), "digest": phone_digests(key, digits.tolist()),
                                "channel": "phone", "at": datetime(2026, 6, 1, 9, tzinfo=UTC),
                                "bucket": phone_buckets(key, digits)})
        both = pl.concat([own, foreign]).unique(subset=["digest", "channel"], keep="first")
        copy(Suppression.__table__, both)
        return {"objections": k, "suppressions": both.height}

    setup.step("objections and suppressions", objections)

    def exports() -> dict[str, int]:
        with unit_of_work(url) as session:
            centres = call_centres(session)
        phone = points.filter(pl.col("medium") == "phone")
        chosen = phone.filter(pl.Series(rng_c.random(phone.height) < 0.70))
        export_id = ids(rng_c, 1)[0]
        copy(Export.__table__, pl.DataFrame({
            "id": [export_id], "campaign_id": CAMPAIGN, "planned_at": [AT - timedelta(days=1)], "created_at": NOW,
            "source": "store", "summary": json.dumps({"bench": True}), "ledger_seq": None},
            schema_overrides={"ledger_seq": pl.Int64}))
        frame = pl.DataFrame({
            "export_id": export_id, "number": chosen["value"].str.slice(1).cast(pl.Int64),
            "call_centre_id": np.where(chosen["region"].to_numpy() == "BE", centres["BelBureau"], centres["CallCo"]),
            "flow": "lead", "person_id": chosen["person_id"]}).sort("number")
        copy(ExportContact.__table__, frame)
        return {"rows": frame.height}

    setup.step("export to call centres", exports)

    def registers() -> dict[str, int]:
        phone = points.filter(pl.col("medium") == "phone").join(
            persons.select(pl.col("id").alias("person_id"), "kind"), on="person_id")
        counts = {}
        for name, region, business in (("be-dncm", "BE", None), ("fr-bloctel", "FR", None), ("gb-tps", "GB", False),
                                       ("gb-ctps", "GB", True)):
            mine = phone.filter(pl.col("region") == region)
            if business is not None:
                mine = mine.filter((pl.col("kind") == "business") == business)
            listed = mine.filter(pl.Series(rng_c.random(mine.height) < 0.15))["value"]
            extra, _ = phones_for(rng_c, np.full(listed.len(), COUNTRIES.index(region)), MOBILE,
                                  set(phone["value"]))
            values = pl.concat([listed, extra["value"]])
            file = frames / f"{name}.txt"
            cc = {"BE": "+32", "FR": "+33", "GB": "+44"}[region]
            # TPS/CTPS files: one national number a line; DNCM-like lists: number and registration date.
            lines = values.str.replace(cc, "0", literal=True) if name.startswith("gb-") else values + ";2019-05-01"
            file.write_text("\n".join(lines.to_list()) + "\n", encoding="utf-8")
            run(env, "registers", "import", name, str(file), "--checked-at", CHECKED_AT)
            counts[name] = values.len()
        return counts

    setup.step("register snapshots", registers)

    def keys() -> dict[str, int]:
        tokens = {}
        with unit_of_work(url) as session:
            for role in ("admin", "compliance", "marketing", "webform"):
                tokens[role] = access.create_key(session, role=role, partner=None, label=f"bench {role}", now=NOW,
                                                 actor="bench").token
            for centre in ("CallCo", "BelBureau"):
                tokens[centre] = access.create_key(session, role="call_centre", partner=centre,
                                                   label=f"bench {centre}", now=NOW, actor="bench").token
        (frames / "tokens.json").write_text(json.dumps(tokens, indent=1))
        return {"keys": len(tokens)}

    setup.step("API keys", keys)

    def analyse() -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()

    setup.step("vacuum analyze", analyse)

    def requests() -> dict[str, int]:
        pool_rng = np.random.default_rng(args.seed + 2)
        with unit_of_work(url) as session:
            centres = {v: k for k, v in call_centres(session).items()}
            assigned = session.execute(text("SELECT '+' || number, call_centre_id FROM export_contacts")).all()
        assigned_to = pl.DataFrame(assigned, schema={"value": pl.String, "centre": pl.String}, orient="row")
        known_phone = points.filter(pl.col("medium") == "phone").join(assigned_to, on="value", how="left")
        size = args.requests
        parts = {"known phone": 0.75, "known email": 0.12, "unknown phone": 0.10, "unknown email": 0.03}
        out: list[dict[str, Any]] = []
        k = int(size * parts["known phone"])
        for row in known_phone.gather(pool_rng.integers(0, known_phone.height, k)).iter_rows(named=True):
            national = pool_rng.random() < 0.2  # dialers send national numbers too, with the country
            contact = "0" + row["value"][3:] if national and row["region"] in ("NL", "BE", "FR") else row["value"]
            role = centres[row["centre"]] if row["centre"] else "compliance"
            out.append({"contact": contact, "country": row["region"] if national else None, "channel": "phone",
                        "role": role, "kind": "known phone"})
        mails = points.filter(pl.col("medium") == "email")
        for row in mails.gather(pool_rng.integers(0, mails.height, int(size * parts["known email"]))).iter_rows(
                named=True):
            out.append({"contact": row["value"], "country": row["region"], "channel": "email", "role": "marketing",
                        "kind": "known email"})
        unknown = pl.read_parquet(unknown_file)
        for row in unknown.gather(pool_rng.integers(0, unknown.height, int(size * parts["unknown phone"]))).iter_rows(
                named=True):
            out.append({"contact": row["value"], "country": None, "channel": "phone", "role": "compliance",
                        "kind": "unknown phone"})
        for i in range(int(size * parts["unknown email"])):
            out.append({"contact": f"new.person{i}@example.org", "country": "NL", "channel": "email",
                        "role": "marketing", "kind": "unknown email"})
        order = pool_rng.permutation(len(out))
        with (frames / "requests.jsonl").open("w", encoding="utf-8") as file:
            for i in order.tolist():
                file.write(json.dumps(out[i]) + "\n")
        return {"requests": len(out)}

    setup.step("request pool", requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=URL)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--suppressions", type=int, default=200_000, help="numbers suppressed nobody in the store has")
    parser.add_argument("--requests", type=int, default=200_000, help="entries in the request pool")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resume", action="store_true", help="keep the database and the steps done")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    database = make_url(args.url).database
    setup = Setup(DATA / f"api-setup-{database}.json", args.url, args.resume)
    data_dir = DATA / f"api-{database}" / "leadgate-data"
    setup.state["data_dir"] = str(data_dir)
    env = env_for(args.url, data_dir)
    began = time.perf_counter()
    if not args.resume:
        fresh(args.url)
        for leftover in (DATA / f"api-{database}").glob("*.parquet"):
            leftover.unlink()
    build(args, setup, env)
    setup.state["total_seconds"] = round(time.perf_counter() - began, 1)
    setup.path.write_text(json.dumps(setup.state, indent=1))
    print(f"done in {time.perf_counter() - began:.1f} s; {setup.path}", file=sys.stderr)


if __name__ == "__main__":
    main()
