"""What the store knows about the screened people, loaded once per run instead of once per contact.

Each piece is turned into the decision contract's facts exactly as `decisions.service` does for one
contact (same ordering, same choice of customer relationship and data source); the screening property
test holds the two equal, and tests/screening/test_storeview.py holds this view equal to one built from
ORM objects.

A run screens up to millions of rows, of which a few hundred thousand have a stored contact point: the
rows are read with plain DB-API cursors and turned into light records and facts directly. Building ORM
objects (or SQLAlchemy rows) for ~190k consents and 100k attempts cost most of the ~12 s this took. The
driver's values are converted as SQLAlchemy's result processors would (SQLite: moments and dates as
ISO text, booleans as 0/1), then moments through `from_store`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

import polars as pl
from sqlalchemy.orm import Session

from leadgate.core import facts as f
from leadgate.kit.collector import collector_paused
from leadgate.kit.moments import from_store

_CHUNK = 5_000  # ids per IN (...) list: well under SQLite's parameter limit
# A table is read whole and filtered here when the ids are at least this share of its rows: a scan in
# table order instead of one index search (and a random page) per row. Measured on the screening
# benchmark's store (~290k ids against 100k-290k rows): 1.5-4x cheaper than the IN-lists on SQLite, and
# than `= ANY(ids)` on PostgreSQL (whose planner picks a sequential scan too, but hashes the ids first).
SCAN_FROM = 0.5


class StoredConsent(NamedTuple):
    """A stored consent as screening reads it (the attributes of `consent.models.Consent` it uses, same
    names), moments already through `from_store`. Read-only, and a tuple: ~4x cheaper to build than a
    frozen dataclass, which matters for a few hundred thousand of them."""

    id: str
    channel: str
    purpose: str | None
    given_at: datetime
    text: str
    source_code: str
    single_use: bool
    used_at: datetime | None
    withdrawn_at: datetime | None
    own_initiative: bool
    automated_calls: bool


@dataclass
class LeadContext:
    """The belscript context of a person's latest lead."""

    supplier: str | None
    source_code: str
    source_kind: str
    received_at: datetime
    extra: str | None


@dataclass
class StoreView:
    consents: dict[str, list[StoredConsent]] = field(default_factory=dict)  # contact point -> by given_at
    objections: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)  # person -> (channel, at)
    customers: dict[str, list[tuple[bool, date | None, date | None]]] = field(default_factory=dict)
    attempts: dict[str, tuple[f.Attempt, ...]] = field(default_factory=dict)  # contact point
    sources: dict[str, f.Source] = field(default_factory=dict)  # person -> latest lead's data source
    leads: dict[str, LeadContext] = field(default_factory=dict)  # person -> latest lead

    def has_history(self, person_id: str | None, point_id: str | None) -> bool:
        """Whether the facts of this contact carry more than its kind, country and source."""
        return (point_id is not None and (point_id in self.consents or point_id in self.attempts)) or (
            person_id is not None and (person_id in self.objections or person_id in self.customers))


class _Moments(dict[Any, datetime]):
    """Stored moment as the driver gives it -> what the ORM path yields: SQLAlchemy reads SQLite's text with
    datetime.fromisoformat (its str_to_datetime processor) and passes PostgreSQL's aware datetimes through;
    then from_store. Each distinct value is converted once: the leads of one intake share their moment."""

    def __missing__(self, value: str | datetime) -> datetime:
        if isinstance(value, str) and len(value) == 26 and value[19] == "." and value[20:].isdigit():
            # SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff", no offset: read as UTC, as from_store reads a naive
            # value, but parsed with its offset (several times cheaper than fromisoformat and replace).
            moment = datetime.fromisoformat(value + "+00:00")
        else:
            moment = from_store(datetime.fromisoformat(value) if isinstance(value, str) else value)
        self[value] = moment
        return moment


def _day(value: str | date | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite's text, as SQLAlchemy reads it


class _Reader:
    """Plain DB-API cursor reads for one load: SQLAlchemy rows and ORM objects cost most of the time here.

    As a context it also pauses the cyclic garbage collector (`collector_paused`): the ~10^6 rows, records
    and facts of a load hold no cycles (collections were ~35% of a load's time on the screening benchmark).
    """

    def __init__(self, session: Session) -> None:
        session.flush()  # the cursor bypasses the ORM's autoflush: rows added in this unit of work count too
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.cursor = session.connection().connection.cursor()
        self.moments = _Moments()
        self.paused = collector_paused()

    def __enter__(self) -> _Reader:
        self.paused.__enter__()
        return self

    def __exit__(self, *_: object) -> None:
        self.cursor.close()
        self.paused.__exit__(None, None, None)

    def all(self, sql: str) -> list[Any]:
        self.cursor.execute(sql)
        return list(self.cursor.fetchall())

    def rows(self, table: str, columns: str, ids: set[str]) -> list[Any]:
        """The rows (`columns`) of `table` whose first column is one of `ids`, in no particular order."""
        if not ids:
            return []
        key = columns.split(",", 1)[0]
        if len(ids) >= SCAN_FROM * self._size(table):
            self.cursor.execute(f"SELECT {columns} FROM {table}")
            return [r for r in self.cursor.fetchall() if r[0] in ids]
        if self.postgres:  # one statement; the planner picks index or scan
            self.cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} = ANY(%s)", (list(ids),))
            return list(self.cursor.fetchall())
        found: list[Any] = []
        ordered = sorted(ids)  # chunks of neighbouring ids: neighbouring index pages
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            self.cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({', '.join('?' * len(chunk))})", chunk)
            found += self.cursor.fetchall()
        return found

    def _size(self, table: str) -> float:
        """About how many rows `table` has, without counting them; infinite when PostgreSQL does not know."""
        if not self.postgres:  # rowids are handed out upwards: the largest is at least the row count
            self.cursor.execute(f"SELECT max(rowid) FROM {table}")
            last = self.cursor.fetchone()
            return float(last[0] or 0) if last else 0.0
        # The planner's estimate: rows per page when last analysed, times the pages it has now.
        self.cursor.execute("SELECT CASE WHEN pg_relation_size(oid) = 0 THEN 0 WHEN relpages > 0 AND reltuples >= 0 "
                            "THEN reltuples / relpages * "
                            "(pg_relation_size(oid) / current_setting('block_size')::float) END "
                            "FROM pg_class WHERE oid = %s::regclass", (table,))
        found = self.cursor.fetchone()
        return float("inf") if found is None or found[0] is None else float(found[0])


def load(session: Session, *, person_ids: set[str], point_ids: set[str]) -> StoreView:
    """What the store holds about these people and contact points (rows added in this session included)."""
    with _Reader(session) as read:
        view = StoreView(consents=_consents(read, point_ids), attempts=_attempts(read, point_ids))
        moment = read.moments
        objections: defaultdict[str, list[tuple[str, datetime]]] = defaultdict(list)
        for pid, channel, at in read.rows("objections", "person_id, channel, at", person_ids):
            objections[pid].append((channel, moment[at]))
        customers: defaultdict[str, list[tuple[bool, date | None, date | None]]] = defaultdict(list)
        for pid, paid, started, ended in read.rows("customer_relationships", "person_id, paid, started_on, ended_on",
                                                   person_ids):
            customers[pid].append((bool(paid), _day(started), _day(ended)))  # bool: SQLite's 0/1
        view.objections, view.customers = dict(objections), dict(customers)
        view.leads, view.sources = _latest_leads(read, person_ids)
    return view


def _consents(read: _Reader, points: set[str]) -> dict[str, list[StoredConsent]]:
    found: defaultdict[str, list[StoredConsent]] = defaultdict(list)
    moment = read.moments
    rows = read.rows("consents", "contact_point_id, id, channel, purpose, given_at, text, source_code, single_use, "
                                 "used_at, withdrawn_at, own_initiative, automated_calls", points)
    for point, cid, channel, purpose, given, text, source, single, used, withdrawn, own, automated in rows:
        found[point].append(StoredConsent(cid, channel, purpose, moment[given], text, source, bool(single),
                                          None if used is None else moment[used],
                                          None if withdrawn is None else moment[withdrawn], bool(own),
                                          bool(automated)))
    return {k: v if len(v) == 1 else sorted(v, key=lambda c: (c.given_at, c.id)) for k, v in found.items()}


def _latest_leads(read: _Reader, people: set[str]) -> tuple[dict[str, LeadContext], dict[str, f.Source]]:
    # The few data sources and partners are read whole and joined here: one index search less per lead.
    stored = {r[0]: r[1:] for r in read.all("SELECT d.id, d.code, d.kind, d.purpose_compatible, d.disabled, p.name "
                                            "FROM data_sources d LEFT OUTER JOIN partners p ON p.id = d.supplier_id")}
    latest: dict[str, tuple[datetime, str, Any]] = {}
    moment = read.moments
    for row in read.rows("leads", "person_id, id, received_at, extra, data_source_id", people):
        pid, lead_id, at = row[0], row[1], moment[row[2]]
        seen = latest.get(pid)
        # The latest lead, ties broken by the higher id: as decisions.service._source orders them. A lead
        # without its data source (the foreign key forbids it) is no lead, as for the inner join.
        if (seen is None or (at, lead_id) > (seen[0], seen[1])) and row[4] in stored:
            latest[pid] = (at, lead_id, row)
    leads, sources = {}, {}
    known: dict[Any, f.Source] = {}  # one f.Source per data source, validated once and shared (it is frozen)
    for pid, (at, _, row) in latest.items():
        code, kind, compatible, disabled, supplier = stored[row[4]]
        leads[pid] = LeadContext(supplier, code, kind, at, row[3])
        source = known.get(row[4])
        if source is None:  # bool: SQLite's 0/1, as SQLAlchemy's int_to_boolean reads them
            source = known[row[4]] = f.Source(kind=kind, purpose_compatible=None if compatible is None
                                              else bool(compatible), disabled=bool(disabled))
        sources[pid] = source
    return leads, sources


def _attempts(read: _Reader, points: set[str]) -> dict[str, tuple[f.Attempt, ...]]:
    names = dict(read.all("SELECT id, name FROM partners"))  # joined here, as for the leads' data sources
    found: defaultdict[str, list[f.Attempt]] = defaultdict(list)
    moment, trusted = read.moments, f.Attempt.trusted
    for point, at, outcome, campaign, centre, rings in read.rows(
            "contact_attempts", "contact_point_id, at, outcome, campaign_id, call_centre_id, rings", points):
        # The stored attempt was validated when it was recorded (its outcome one of the model's, its rings
        # a bounded int, both columns' types), its moment is through from_store: built as trusted, as the
        # consents are (~1.5 µs where model_validate took ~6, on the store thread that bounds the reading
        # of a 10M-row list). tests/screening/test_storeview.py holds them equal to the validated ones.
        found[point].append(trusted(at=moment[at], outcome=outcome, campaign=campaign,
                                    call_centre=None if centre is None else names.get(centre), rings=rings))
    # Stable: attempts at the same moment stay in the database's order, as the ORM path left them.
    return {k: tuple(v) if len(v) == 1 else tuple(sorted(v, key=lambda a: a.at)) for k, v in found.items()}


Relations = list[tuple[bool, date | None, date | None]]  # (paid, started_on, ended_on) per relationship


def _best(relations: Relations, day: date) -> tuple[bool, date | None] | None:
    known = [r for r in relations if r[1] is None or r[1] <= day]
    best = max([r for r in known if r[0]] or known, key=lambda r: r[2] or date.max, default=None)
    return None if best is None else (best[0], best[2])


def customer(relations: Relations | None, day: date) -> f.Customer | None:
    """As decisions.service._customer: an ongoing paid relationship, else the paid one that ended last,
    else an unpaid one; one that starts after `day` did not exist yet."""
    if not relations:
        return None
    best = _best(relations, day)
    return None if best is None else _customer(*best)


def customer_key(relations: Relations, day: date, *, reach: int) -> Hashable:
    """What `customer(relations, d)` gives for every `d` within `reach` days of `day`, as one value: equal
    keys, equal customer facts on each of those days. The facts keep only (paid, relationship_ended) of
    the relationship chosen, so people whose relationships differ in their other dates share a key (and a
    decision) unless one of those relationships starts within the reach, where the day decides which
    exist: then the relationships themselves are the key."""
    if any(r[1] is not None and abs((r[1] - day).days) <= reach for r in relations):
        return ("relationships", tuple(relations))
    return ("customer", _best(relations, day))


@lru_cache(maxsize=65_536)
def _customer(paid: bool, ended: date | None) -> f.Customer:
    # The store's values (a bool, a date): built as trusted, once per distinct pair, and shared (frozen).
    return f.Customer.trusted(paid=paid, relationship_ended=ended)


def objections(own: list[tuple[str, datetime]] | None, suppressed: list[tuple[str, datetime]] | None
               ) -> tuple[f.Objection, ...]:
    if not own and not suppressed:
        return ()
    unique = sorted(set(own or ()) | set(suppressed or ()), key=lambda o: (o[1], o[0]))
    # The store's channels and its moments through from_store: valid already, built as trusted.
    return tuple(f.Objection.trusted(channel=channel, at=at) for channel, at in unique)


_POINTS = pl.Schema({"e164": pl.String(), "contact_point_id": pl.String(), "person_id": pl.String()})
_PERSONS = pl.Schema({"person_id": pl.String(), "person_kind": pl.String(), "person_country": pl.String(),
                      "person_job_title": pl.String()})
PHONE_POINTS_SCHEMA = pl.Schema(_POINTS | _PERSONS)


def phone_points(session: Session) -> pl.DataFrame:
    """Every stored phone contact point with its person (the columns of PHONE_POINTS_SCHEMA, one row per
    number): the rows `candidates.attach_store` joins onto a list (~290k in the screening benchmark), read
    with plain cursors.

    The same rows as attach_store's select (contact points with medium 'phone' inner-joined to their
    persons), not always in its order: (medium, value) is unique, so each number has one row, and keeping
    the first per number, as attach_store does, keeps them all whatever the order. PostgreSQL runs that
    select (a hash join). SQLite would join with an index search per point and find the points through
    the (medium, value) index, a random page per row: reading the points in table order and their persons
    as `load` reads a table, joined here, costs about a third.
    """
    with _Reader(session) as read:
        if read.postgres:
            frame = pl.DataFrame(read.all(
                "SELECT contact_points.value, contact_points.id, persons.id, persons.kind, persons.country, "
                "persons.job_title FROM contact_points JOIN persons ON persons.id = contact_points.person_id "
                "WHERE contact_points.medium = 'phone'"), schema=PHONE_POINTS_SCHEMA, orient="row")
        else:
            # `+medium`: no index for this term, so SQLite reads the table in order.
            points = pl.DataFrame(read.all("SELECT value, id, person_id FROM contact_points WHERE +medium = 'phone'"),
                                  schema=_POINTS, orient="row")
            persons = pl.DataFrame(read.rows("persons", "id, kind, country, job_title",
                                             set(points["person_id"].to_list())),
                                   schema=_PERSONS, orient="row")
            frame = points.join(persons, on="person_id", how="inner").select(PHONE_POINTS_SCHEMA.names())
    return frame.unique("e164", keep="first", maintain_order=True)
