"""The bulk path: a frame of candidates in, one decision per row out, decided once per distinct set of facts.

Most rows of a call list carry nothing but a number, a kind, a country, a data source and register
statuses: their facts differ only in the phone number, and the core's decision depends on a valid number
only through its region (and, for SMS, whether it is a mobile). Rows are grouped on every other fact and
decided once per group with a representative row's own facts. What the store holds about a row's person,
contact point and number (consents, objections, customer relationships, attempts, data source, a
suppression) enters the grouping as an id per distinct history: rows with the same history (a
suppression list recorded at one moment, customers alike in the customer facts their relationships give
around the planned day) share a decision, a history of its own is decided alone. The facts are always
built by `row_facts`; a property test holds every row's decision equal to `decide` on the facts
`decide --contact` assembles for that row from the store.

A list is screened for a planned moment: where the only block at that moment is the calling hours and
the window opens later the same local day, the row is decided again at that opening, so a list made at
08:00 for today is not empty because the windows open at 10:00. Each row carries the moment it was
decided for (`call_from`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, overload

import numpy as np
import polars as pl

from leadgate.core import facts as f
from leadgate.core.calendar import zone
from leadgate.core.decision import Decision
from leadgate.core.engine import decide
from leadgate.core.phone import Phone, settled
from leadgate.kit.collector import collector_paused
from leadgate.rules.model import Rulebooks
from leadgate.screening.storeview import StoredConsent, StoreView, customer, customer_key, objections

OUTCOME_SCHEMA = {"allowed": pl.Boolean, "categories": pl.String, "codes": pl.String, "reason": pl.String,
                  "next_allowed_at": pl.String, "jurisdiction": pl.String, "call_from": pl.String}


@dataclass(frozen=True)
class Context:
    campaign: f.Campaign
    at: datetime
    channel: str
    registers: tuple[str, ...]  # names, in the order of the frame's reg{i}_listed / reg{i}_at columns
    books: Rulebooks


def register_columns(i: int) -> tuple[str, str]:
    return f"reg{i}_listed", f"reg{i}_at"


def fact_country(row: dict[str, Any]) -> str | None:
    # As decisions.service._country: the stored person's country, else the number's region (an ISO code;
    # "001" is no country), else the country the row gives.
    region = row.get("phone_region")
    return row.get("person_country") or (region if region and region.isalpha() else None) or row.get("country")


def consent_facts(c: StoredConsent) -> f.Consent:
    # Built as trusted, not validated again: the stored consent was validated when it went in (a property
    # test holds these facts' decisions equal to those of the validated facts `decide --contact` builds).
    # The record's moments are already through from_store. ~3 µs where model_construct took ~13.
    return f.Consent.trusted(
        channel=c.channel, purpose=c.purpose, given_at=c.given_at, text=c.text, source=c.source_code,
        single_use=c.single_use, used_at=c.used_at, withdrawn_at=c.withdrawn_at, own_initiative=c.own_initiative,
        automated_calls=c.automated_calls)


@lru_cache(maxsize=4096)
def _register_check(name: str, listed: bool, checked_at: datetime) -> f.RegisterCheck:
    # A handful of distinct answers per run (a register's snapshot moments): built once each.
    return f.RegisterCheck.trusted(name=name, listed=listed, checked_at=checked_at)


@lru_cache(maxsize=64)
def _register_fields(names: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((name, *register_columns(i)) for i, name in enumerate(names))


def row_facts(row: dict[str, Any], ctx: Context, view: StoreView,
              suppressed: dict[int, list[tuple[str, datetime]]], at: datetime | None = None) -> f.Facts:
    """The facts of the decision contract for one candidate row, as `decide --contact` would assemble them."""
    moment = at or ctx.at
    person, point, number = row.get("person_id"), row.get("contact_point_id"), row.get("number")
    checks = []
    for name, listed_col, at_col in _register_fields(ctx.registers):
        if (checked := row.get(at_col)) is not None:
            checks.append(_register_check(name, bool(row[listed_col]), checked))
    # Every value is the store's or was checked column-wise (kind, country, the number's parse), so the
    # facts are built as trusted, not validated again (the representatives of a 10M-row list: ~300k).
    return f.Facts.trusted(
        id=row["_row"], at=moment, channel=ctx.channel,
        contact=f.Contact.trusted(kind=row.get("kind") or "consumer", phone=row.get("e164") or row.get("raw"),
                                  email=None, country=fact_country(row), job_title=row.get("job_title")),
        customer=customer(view.customers.get(person), moment.date()) if person else None,
        consents=tuple(consent_facts(c) for c in view.consents.get(point, ())) if point else (),
        objections=objections(view.objections.get(person) if person else None,
                              suppressed.get(number) if number is not None else None),
        registers=tuple(checks),
        attempts=view.attempts.get(point, ()) if point else (),
        campaign=ctx.campaign,
        source=view.sources.get(person) if person else None,
    )


def _phone(row: dict[str, Any]) -> Phone | None:
    # The column-wise normaliser's answer is parse_phone's (property-tested): the core need not parse again.
    e164, region = row.get("e164"), row.get("phone_region")
    return settled(e164, region, bool(row.get("mobile"))) if e164 and region else None


def decide_row(row: dict[str, Any], ctx: Context, view: StoreView,
               suppressed: dict[int, list[tuple[str, datetime]]]) -> tuple[Decision, datetime]:
    """The decision for the planned moment, or for the opening of the calling window later that day."""
    phone = _phone(row)
    decision = decide(row_facts(row, ctx, view, suppressed), ctx.books, phone=phone)
    later = decision.next_allowed_at
    if (decision.reasons and later is not None and all(r.category == "calling_hours" for r in decision.reasons)
            and decision.jurisdiction is not None):
        tz = zone(_zone_of(decision, ctx, row))
        if later.astimezone(tz).date() == ctx.at.astimezone(tz).date():
            return decide(row_facts(row, ctx, view, suppressed, at=later), ctx.books, phone=phone), later
    return decision, ctx.at


def _zone_of(decision: Decision, ctx: Context, row: dict[str, Any]) -> str:
    book = ctx.books.for_region(row.get("phone_region") or fact_country(row) or "")
    if book is None:
        return "UTC"
    territory = book.territories.get(row.get("phone_region") or "")
    return territory.timezone if territory else book.timezone


@lru_cache(maxsize=4096)
def _iso(moment: datetime) -> str:
    # A run's decisions name a handful of moments (the planned one, the windows' openings): each is
    # written out once, not once per decision.
    return moment.isoformat()


def outcome(decision: Decision, moment: datetime) -> tuple[Any, ...]:
    categories = list(dict.fromkeys(r.category for r in decision.reasons))
    return (decision.allowed, ";".join(categories), ";".join(r.code for r in decision.reasons),
            decision.reasons[0].message if decision.reasons else None,
            decision.next_allowed_at.isoformat() if decision.next_allowed_at else None,
            decision.jurisdiction, _iso(moment))


Decider = Callable[[Sequence[dict[str, Any]]], list[tuple[Any, ...]]]


# What row_facts and decide_row read of a row.
_FACT_COLUMNS = ("_row", "kind", "e164", "raw", "phone_region", "mobile", "country", "person_country", "job_title",
                 "person_id", "contact_point_id", "number")


def screen_frame(frame: pl.DataFrame, ctx: Context, view: StoreView,
                 suppressed: dict[int, list[tuple[str, datetime]]], *, individual: Decider | None = None,
                 progress: Callable[[int], None] | None = None, histories: Histories | None = None
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(`frame` with `allowed` and `_outcome` added, the outcomes): one decision per group of rows whose facts
    are equal but for the row id and the number (see the module docstring). `outcomes` has a row per
    group (OUTCOME_SCHEMA) and `_outcome` is each row's index into it: a 10M-row list carries 10M
    integers, not 10M copies of its reasons. `histories`: `stored_histories(view)`, when the caller has it."""
    def one(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [outcome(*decide_row(r, ctx, view, suppressed)) for r in rows]

    registers = [c for i in range(len(ctx.registers)) for c in register_columns(i)]
    key = ["kind", "person_country", "country", "phone_region", "mobile", "job_title", "_number", "_person",
           "_point", "_suppressed", *registers]
    # The history ids and the representatives' rows are ~10^6 objects without cycles: collections set off
    # by their allocations would only traverse them (~1 CPU-s of a 10M-row run). Back on before deciding.
    with collector_paused():
        indexed = frame.with_row_index("_i").with_columns(
            # A valid number, an invalid one and none at all are decided apart (PHONE_INVALID, PHONE_MISSING).
            pl.when(pl.col("e164").is_not_null()).then(2).when(pl.col("raw").is_not_null()).then(1).otherwise(0)
            .cast(pl.UInt8).alias("_number"),
            *_history_keys(frame, histories or stored_histories(view, day=ctx.at.date()), suppressed))
        groups = grouped(indexed, key)
        members = groups["_i"]
        reps = frame.select(*_FACT_COLUMNS, *registers).gather(members.list.first())
        rows = _rows(reps)
    decide_rows = individual if individual is not None and reps.height > 1 else one
    outcomes = pl.DataFrame(decide_rows(rows), schema=OUTCOME_SCHEMA, orient="row")
    del reps, indexed, rows
    # Every row gets its group's outcome: the group number scattered to each member row.
    group_of = np.empty(frame.height, dtype=np.uint32)
    group_of[members.explode().to_numpy()] = np.repeat(np.arange(groups.height, dtype=np.uint32),
                                                       members.list.len().to_numpy())
    if progress is not None:
        progress(frame.height)
    index = pl.Series("_outcome", group_of, dtype=pl.UInt32)
    return frame.with_columns(outcomes["allowed"].gather(index).alias("allowed"), index), outcomes


GROUP_SLICE = 2_500_000  # rows grouped at a time by `grouped`


def grouped(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """`frame.group_by(key, maintain_order=True).agg(pl.col("_i"))`, grouped a slice of rows at a time and the
    slices' groups merged: group_by holds its keys of every row at once (~1 GB for 10M rows and 14 key
    columns, the run's peak of memory), a slice's take a quarter of that. Merged in slice order, each group
    keeps its place (where its key first occurs) and its members in row order, as one group_by gives them."""
    if frame.height <= GROUP_SLICE:
        return frame.group_by(key, maintain_order=True).agg(pl.col("_i"))
    parts = [frame.slice(start, GROUP_SLICE).group_by(key, maintain_order=True).agg(pl.col("_i"))
             for start in range(0, frame.height, GROUP_SLICE)]
    return pl.concat(parts).group_by(key, maintain_order=True).agg(
        pl.col("_i").list.explode(keep_nulls=False, empty_as_null=False))


class Rows(Sequence[dict[str, Any]]):
    """The representatives' rows, held column-wise and made a dict each only when read, where they are
    read: a forked worker builds the dicts of its own slice. Built in the parent first (`to_dicts()` of the
    ~260k representatives of a 10M-row list), they cost ~0.9 s of one core while the other waited. Slicing
    gives Rows again; reading a row gives what `frame.to_dicts()` gives for it."""

    def __init__(self, columns: dict[str, list[Any]], start: int = 0, stop: int | None = None) -> None:
        self.columns = columns
        size = len(next(iter(columns.values()))) if columns else 0
        self.start, self.stop = start, size if stop is None else stop

    def __len__(self) -> int:
        return max(self.stop - self.start, 0)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Rows: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | Rows:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("Rows are sliced in order, without a step")
            return Rows(self.columns, self.start + start, self.start + max(stop, start))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        return {name: values[self.start + position] for name, values in self.columns.items()}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        names = list(self.columns)
        for values in zip(*(column[self.start:self.stop] for column in self.columns.values()), strict=True):
            yield dict(zip(names, values, strict=True))


def _rows(frame: pl.DataFrame) -> Rows:
    """The rows of `frame` as `frame.to_dicts()` gives them, column-wise (see Rows); each distinct moment of a
    time-zone-aware column is made a datetime once: the register columns hold a few snapshot moments, and
    polars builds a datetime with its zone per row (~1.1 of 2.4 s for the ~260k representatives of a 10M-row
    list)."""
    columns: dict[str, list[Any]] = {}
    for name, dtype in frame.schema.items():
        values = frame[name]
        if isinstance(dtype, pl.Datetime) and dtype.time_zone:
            distinct = values.unique()
            moment = dict(zip(distinct.to_physical().to_list(), distinct.to_list(), strict=True))
            columns[name] = [moment[v] for v in values.to_physical().to_list()]
        else:
            columns[name] = values.to_list()
    return Rows(columns)


def _intern(values: dict[Any, Hashable]) -> dict[Any, int]:
    """key -> a small id per distinct value (1, 2, ...): equal ids, equal values."""
    ids: dict[Hashable, int] = {}
    return {k: ids.setdefault(v, len(ids) + 1) for k, v in values.items()}


def _intern_rare(summaries: dict[Any, Hashable], value: Callable[[Any], Hashable]) -> dict[Any, int]:
    """key -> a small id as `_intern({k: value(k)})` gives them (equal ids exactly for equal values), where
    `summaries[k]` is a function of `value(k)`: a key whose summary no other key has has a value of its own
    and gets an id of its own without its value being made; only keys that share a summary are compared
    by value."""
    shared = Counter(summaries.values())
    ids: dict[Any, int] = {}
    alike: list[Any] = []
    for k, summary in summaries.items():
        if shared[summary] == 1:
            ids[k] = len(ids) + 1
        else:
            alike.append(k)
    values: dict[Hashable, int] = {}
    above = len(ids)
    for k in alike:
        ids[k] = values.setdefault(value(k), above + len(values) + 1)
    return ids


def _consent_value(c: StoredConsent) -> tuple[Any, ...]:
    # Everything consent_facts reads: the record without its stored id (equal consents differ in it).
    return c[1:]


@dataclass(frozen=True)
class Histories:
    """Per stored person and contact point of a store view, an id of everything row_facts reads about it
    from the store (see _history_keys)."""

    people: dict[str, int]
    points: dict[str, int]


# How many days from the planned moment's date the dates of a decision's customer facts can be: the row is
# decided at the planned moment or at the window's opening later that local day, and the local day and the
# planned moment's own date are at most two apart (UTC offsets span -12:00 to +14:00).
CUSTOMER_REACH = 2


def stored_histories(view: StoreView, *, day: date) -> Histories:
    """The history ids of a store view's people and contact points: ~1.5 s of Python for the ~500k of a
    10M-row list, so a screening that reads the view beside the file (service._whole_view) builds them
    there too, instead of while both cores wait for the groups. `day`: the planned moment's date. A
    person's customer relationships count as the customer facts they give around it (customer_key), not
    as the records: customers whose contracts started on different days but who are alike in what the
    core reads share a decision (~100k people of the benchmark's 10M-row list, each a decision of its own
    before)."""
    # A run's people share a handful of data sources (~290k people, a few Source objects): each object gets
    # an id for its value once, so that a person's history is a tuple of plain values, not a model hashed
    # and compared again per person (1.4 s of a 10M-row run).
    customers, objected, source_of = view.customers, view.objections, view.sources
    consents, attempts = view.consents, view.attempts
    with collector_paused():
        sources = _intern({id(s): s for s in source_of.values()})
        # Most people have a data source and nothing else: their history is their source's id. The others
        # (customers, objections) get ids above those, one per distinct (customer facts, objections, source).
        people = {p: sources[id(s)] for p, s in source_of.items()}
        rich: dict[Hashable, int] = {}
        above = len(set(sources.values()))
        for p in customers.keys() | objected.keys():
            value = (customer_key(customers[p], day, reach=CUSTOMER_REACH) if p in customers else None,
                     tuple(objected.get(p, ())), sources[id(source_of[p])] if p in source_of else 0)
            people[p] = rich.setdefault(value, above + len(rich) + 1)
        # A point's history (its consents and attempts) is hashed whole only where a cheap summary of it (the
        # first consent's and attempt's moments and how many there are) is shared with another point: ~215k
        # points of a 10M-row list have ~215k distinct histories, and hashing them whole (attempts are
        # models) took ~0.7 s of the store thread's critical path.
        points = _intern_rare({p: ((given[0].given_at, len(given)) if (given := consents.get(p)) else None,
                                   (tried[0].at, len(tried)) if (tried := attempts.get(p)) else None)
                               for p in consents.keys() | attempts.keys()},
                              lambda p: (tuple([_consent_value(c) for c in consents[p]]) if p in consents else (),
                                         attempts.get(p, ())))
    return Histories(people, points)


def _history_keys(frame: pl.DataFrame, histories: Histories, suppressed: dict[int, list[tuple[str, datetime]]]
                  ) -> list[pl.Series]:
    """_person, _point, _suppressed: per stored person, contact point and number, an id of everything row_facts
    reads about it from the store (0: nothing). Rows with equal ids and equal other columns have equal facts
    but for their id and number, so one decision serves them all; a history nobody else shares is its own
    group, decided alone as before."""
    people, points = histories.people, histories.points
    numbers = _intern({n: tuple(found) for n, found in suppressed.items()})

    def ids(column: str, mapping: dict[Any, int], dtype: pl.DataType, name: str) -> pl.Series:
        values = frame[column]
        out = pl.Series(name, np.zeros(frame.height, dtype=np.uint32))
        if not mapping or values.null_count() == values.len():
            return out
        # Only the rows that have a key are looked up: most of a list's numbers are not in the store, and
        # replace_strict over every row cost ~3 s at 10M rows where these ~300k take ~0.3 s.
        table = pl.DataFrame({"k": list(mapping), "v": list(mapping.values())}, schema={"k": dtype, "v": pl.UInt32})
        rows = pl.Series(np.flatnonzero(values.is_not_null().to_numpy()), dtype=pl.Int64)
        return out.scatter(rows, values.gather(rows).replace_strict(table["k"], table["v"], default=0,
                                                                     return_dtype=pl.UInt32))

    return [ids("person_id", people, pl.String(), "_person"), ids("contact_point_id", points, pl.String(), "_point"),
            ids("number", numbers, pl.Int64(), "_suppressed")]
