"""`screen`: candidates in, call lists per call centre out, every left-out row with its reasons, the
export in the ledger. Flushes, never commits (the command's unit of work does).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns.models import CampaignCallCentre, Partner
from leadgate.consent.suppressed import listed_buckets, suppressed_numbers
from leadgate.core.calendar import load_holidays
from leadgate.decisions.service import campaign_facts
from leadgate.intake.mapping import Mapping
from leadgate.propagation import service as propagation
from leadgate.registers.lookup import RegisterState, register_states
from leadgate.rules.model import Rulebooks
from leadgate.screening import candidates as cand
from leadgate.screening import parallel, storeview
from leadgate.screening.assign import CallCentre, assign
from leadgate.screening.bulk import Context, Decider, Histories, register_columns, screen_frame, stored_histories
from leadgate.screening.export import Screened, write_export

Stage = Callable[[str, int | None], Callable[[int], None]]  # (stage name, rows or None) -> advance(n)

INPUT_CHECKS = (
    ("kind", ~pl.col("kind").is_in(cand.KINDS), "ROW_INVALID_KIND",
     "The kind is not one of consumer, sole_trader, business, company_general."),
    ("country", pl.col("country").is_not_null() & ~pl.col("country").str.contains(r"^[A-Z]{2}$"),
     "ROW_INVALID_COUNTRY", "The country is not a two-letter ISO 3166 code (NL, BE, FR, DE, GB, ...)."),
)


def _centres(session: Session, campaign_id: str) -> list[CallCentre]:
    rows = session.execute(select(Partner.id, Partner.name, CampaignCallCentre.share, CampaignCallCentre.regions)
                           .join(Partner, Partner.id == CampaignCallCentre.partner_id)
                           .where(CampaignCallCentre.campaign_id == campaign_id).order_by(Partner.name)).all()
    return [CallCentre(pid, name, share, frozenset(r.strip().upper() for r in (regions or "").split(",") if r.strip()))
            for pid, name, share, regions in rows]


def with_registers(frame: pl.DataFrame, states: list[RegisterState], *,
                   order: cand.SortedNumbers | None = None) -> pl.DataFrame:
    """Per register: reg{i}_listed / reg{i}_at of each row's number (null: not checked). `order`: the
    frame's numbers sorted already, as for `candidates.with_points`.

    A state holds millions of numbers (sorted, each once): hashing them for a join or is_in costs seconds
    per run, so the rows' numbers are looked up by binary search instead, in ascending order: numpy's
    search then starts each key where the previous one ended, and the register's pages are read once,
    in order, not at random (10M rows against 25M numbers: ~15 s of CPU in list order, ~0.5 s sorted).
    """
    known = pl.col("number").is_not_null()
    if order is None:
        order = cand.SortedNumbers.of(frame)
    ascending = order.ascending
    moment = pl.Datetime("us", "UTC")
    for i, state in enumerate(states):
        listed_col, at_col = register_columns(i)
        # Without a full snapshot a number the check services never saw was not checked (null).
        default = (pl.lit(None, moment) if state.default_checked_at is None
                   else pl.lit(state.default_checked_at).cast(moment))
        base = frame.select(pl.when(known).then(pl.lit(False) if state.default_checked_at else None)
                            .cast(pl.Boolean).alias(listed_col), pl.when(known).then(default).alias(at_col))
        keys = state.numbers["number"].to_numpy()
        positions = np.searchsorted(keys, ascending)
        hit = keys[np.minimum(positions, max(keys.size - 1, 0))] == ascending if keys.size else np.zeros(0, bool)
        rows = pl.Series(order.order[hit], dtype=pl.Int64)
        if state.uniform:  # every number listed at the snapshot's moment: its two columns are not touched
            listed = pl.repeat(True, rows.len(), eager=True)
            at = pl.repeat(state.default_checked_at, rows.len(), eager=True).cast(moment)
        else:
            found = pl.Series(positions[hit], dtype=pl.Int64)
            listed = state.numbers["listed"].gather(found)
            at = state.numbers["checked_at"].dt.convert_time_zone("UTC").gather(found)
        frame = frame.with_columns(base[listed_col].scatter(rows, listed), base[at_col].scatter(rows, at))
    return frame


def _suppressed(session: Session, key: bytes, frame: pl.DataFrame,
                buckets: pl.Series | None = None) -> dict[int, list[tuple[str, datetime]]]:
    found = suppressed_numbers(session, key=key, numbers=frame["number"].drop_nulls().unique(), buckets=buckets)
    out: defaultdict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for number, channel, at in found.iter_rows():
        out[number].append((channel, at))
    return dict(out)


def _normalised(frame: pl.DataFrame, tick: Stage) -> pl.DataFrame:
    advance = tick("normalising numbers", frame.height)
    frame = cand.normalised(frame)
    advance(frame.height)
    return frame


@dataclass(frozen=True)
class _ListFree:
    """What a screening reads whatever the list holds: the store's phone points (None: not needed), the
    register states and the suppression list's buckets (and the holiday calendars it loads); beside a long
    file also the store view of every stored phone number's person (`view`)."""

    points: pl.DataFrame | None
    states: list[RegisterState]
    buckets: pl.Series
    view: storeview.StoreView | None = None
    histories: Histories | None = None  # stored_histories(view), with the view


class _ListLength:
    """The lead file's row count, handed from the thread that reads the file to the one that reads the
    store: None while the file is being read, and after a file that could not be read."""

    def __init__(self) -> None:
        self.read = threading.Event()
        self.rows: int | None = None

    def done(self, rows: int | None) -> None:
        self.rows = rows
        self.read.set()


# A list of at least this many rows per stored phone number names most of the stored people: the view of
# all of them is read beside the normalising (see _whole_view).
WHOLE_VIEW_RATIO = 10


def _list_free_reads(session: Session, *, at: datetime, data_dir: Path, books: Rulebooks, points: bool,
                     listed: _ListLength | None = None) -> _ListFree:
    read = _ListFree(storeview.phone_points(session) if points else None,
                     register_states(session, at=at, data_dir=data_dir), listed_buckets(session))
    load_holidays(books.holiday_places(), around=at.date())  # the workers fork with them loaded
    if read.points is None or listed is None or not _whole_view(listed, read.points.height):
        return read
    view = storeview.load(session, person_ids=set(read.points["person_id"].to_list()),
                          point_ids=set(read.points["contact_point_id"].to_list()))
    return replace(read, view=view, histories=stored_histories(view, day=at.date()))


def _whole_view(listed: _ListLength, stored: int) -> bool:
    """Whether to read the store view of every stored phone number now, before the list says whose it
    needs: when the list is long next to the store. It then names most of the stored people anyway, and
    the view (~4 s at 10M rows against ~290k stored numbers) is read while the file is normalised
    instead of after, when both cores would wait for it. A short list (1M rows) names a few of them, read
    after by their ids. Long: still being read once the reads above are done, or, read by then, at least
    WHOLE_VIEW_RATIO rows per stored number. (The first alone left a 10M-row list's view until after the
    normalising whenever the store's reads took longer than the file's, as on a slow day of the VM.)"""
    if not listed.read.is_set():
        return True
    return listed.rows is not None and listed.rows >= WHOLE_VIEW_RATIO * max(stored, 1)


def _file_beside_store(session: Session, leads: Path, *, mapping: Mapping, country: str | None, at: datetime,
                       data_dir: Path, books: Rulebooks, tick: Stage
                       ) -> tuple[pl.DataFrame, dict[str, str | None], _ListFree]:
    """The lead file's rows normalised, its name and SHA-256, and the list-free reads. Those do not depend
    on the file, so a second thread reads them while this one reads and normalises the file (polars, mostly
    without the GIL: at 1M rows about one core of the two is free then). Only that thread uses the session
    until both are done."""
    listed = _ListLength()
    with ThreadPoolExecutor(1, thread_name_prefix="screen-store") as pool:
        store = pool.submit(_list_free_reads, session, at=at, data_dir=data_dir, books=books, points=True,
                            listed=listed)
        advance = tick("reading candidates", None)
        rows: int | None = None
        try:  # a bad file raises here; leaving the block waits for the other thread, then the error goes up
            frame, sha = cand.file_candidates(leads, mapping=mapping, country=country)
            rows = frame.height
        finally:
            listed.done(rows)
        advance(1)
        frame = _normalised(frame, tick)
        return frame, {"file": leads.name, "sha256": sha}, store.result()


def _view(session: Session, frame: pl.DataFrame, store: _ListFree) -> storeview.StoreView:
    """The store view of the list's people and contact points: the one read beside the file (the list's
    ids all come from the phone points it was read for), or read now for the list's ids."""
    if store.view is not None:
        return store.view
    return storeview.load(session, person_ids=set(frame["person_id"].drop_nulls().unique().to_list()),
                          point_ids=set(frame["contact_point_id"].drop_nulls().unique().to_list()))


@dataclass
class Decided:
    """Every candidate row with its decision, and what it was decided with. write_export takes the rows and
    the payload over (they are empty afterwards)."""

    rows: pl.DataFrame  # the candidates with `allowed` and `_outcome`, the row of `outcomes` that explains each
    outcomes: pl.DataFrame  # OUTCOME_SCHEMA: one row per distinct decision
    payload: pl.DataFrame  # _row, name, extra, source_code: what only the call sheet needs
    ctx: Context
    view: storeview.StoreView
    centres: list[CallCentre]
    states: list[RegisterState]
    source: dict[str, str | None]
    # The ledger's last seq before anything was read: opt-outs after it may have missed this screening.
    since_seq: int = 0

    def explained(self) -> pl.DataFrame:
        """`rows` with the outcome columns themselves (OUTCOME_SCHEMA): for a look at a few rows, not 10M."""
        return self.rows.hstack(self.outcomes.drop("allowed").gather(self.rows["_outcome"]))


def in_row_order(good: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """The rows of both frames (same columns) ordered by `_row`. Both keep the candidates' order (a file's
    rows are): then merged, not sorted again, as a sort gathers every column of 10M rows."""
    rejected = rejected.select(good.columns)
    if good["_row"].is_sorted() and rejected["_row"].is_sorted():
        return good.merge_sorted(rejected, key="_row")
    return pl.concat([good, rejected]).sort("_row")


def decide_candidates(session: Session, *, campaign_id: str, at: datetime, books: Rulebooks, key: bytes,
                      data_dir: Path, leads: Path | None = None, mapping: Mapping | None = None,
                      country: str | None = None, stage: Stage | None = None,
                      individual: Decider | None = None) -> Decided:
    since_seq = propagation.high_water(session)  # before the suppressions are read: see screen()
    campaign = campaign_facts(session, campaign_id)
    centres = _centres(session, campaign_id)
    if not centres:
        assign(pl.DataFrame(), centres)  # raises the error that says how to add call centres
    tick = stage or (lambda name, total: lambda n: None)

    if leads is None:
        advance = tick("reading candidates", None)
        frame = cand.stored_candidates(session, campaign_id=campaign_id)
        advance(1)
        source: dict[str, str | None] = {"file": None, "sha256": None}
        frame = cand.attach_store(session, _normalised(frame, tick))
        store = _list_free_reads(session, at=at, data_dir=data_dir, books=books, points=False)
    else:
        frame, source, store = _file_beside_store(session, leads, mapping=mapping or Mapping(), country=country,
                                                  at=at, data_dir=data_dir, books=books, tick=tick)
    states = store.states

    advance = tick("registers and suppressions", None)
    # The suppression list is read for the list's numbers on a second thread (the session's only user until
    # it returns) while this one finds the stored points (read beside the file) and adds the register
    # columns: the hashing and the store's reads there (~3-5 s at 10M rows) are mostly one core's work.
    with ThreadPoolExecutor(1, thread_name_prefix="screen-suppressions") as pool:
        found = pool.submit(_suppressed, session, key, frame.select("number"), store.buckets)
        # One sort of the list's numbers for both lookups (~1 s of CPU at 10M rows): the rows keep their
        # order and number through with_points.
        order = cand.SortedNumbers.of(frame)
        if store.points is not None:
            frame = cand.with_points(frame, store.points, order=order)
        frame = with_registers(frame, states, order=order)
        suppressed = found.result()
    # From here on only the states' names and snapshot ids are needed (the export's record): their numbers
    # (a 25M-number snapshot: ~0.4 GB) are let go before deciding instead of after writing.
    states = [replace(s, numbers=s.numbers.clear()) for s in states]
    store = replace(store, states=states)
    view = _view(session, frame, store)
    advance(1)

    ctx = Context(campaign=campaign, at=at, channel="phone", registers=tuple(s.name for s in states), books=books)
    bad = pl.lit(None, pl.String)
    for _, condition, code, _ in INPUT_CHECKS:
        bad = pl.when(bad.is_null() & condition.fill_null(False)).then(pl.lit(code)).otherwise(bad)
    frame = frame.with_columns(bad.alias("_input"))
    # What only the call sheet needs stays out of deciding (memory, and the sorts and joins of 10M rows).
    payload = frame.select("_row", "name", "extra", "source_code")
    frame = frame.drop("name", "extra", "source_code")
    advance = tick("deciding", frame.height)
    # Split, and the whole frame let go: deciding holds the rows to decide, not a second copy of 10M rows.
    # Most lists have no such rows: then the frame is not filtered (a copy of every column of 10M rows).
    bad_rows = frame["_input"].is_not_null()
    if bad_rows.any():
        rejected, frame = frame.filter(bad_rows), frame.filter(~bad_rows)
    else:
        rejected = frame.clear()
    good, outcomes = screen_frame(frame, ctx, view, suppressed,
                                  individual=individual or parallel.decider(ctx, view, suppressed), progress=advance,
                                  histories=store.histories)
    del frame
    decided = good
    if rejected.height:  # one outcome per input problem, appended to the decisions' outcomes
        codes = rejected["_input"].unique(maintain_order=True).to_list()
        messages = {code: message for _, _, code, message in INPUT_CHECKS}
        index = {code: outcomes.height + i for i, code in enumerate(codes)}
        outcomes = pl.concat([outcomes, pl.DataFrame(
            [(False, "invalid_contact", code, messages[code], None, None, at.isoformat()) for code in codes],
            schema=outcomes.schema, orient="row")])
        rejected = rejected.with_columns(
            pl.lit(False).alias("allowed"),
            pl.col("_input").replace_strict(index, return_dtype=pl.UInt32).alias("_outcome"))
        decided = in_row_order(good, rejected)
    return Decided(decided.drop("_input"), outcomes, payload, ctx, view, centres, states, source, since_seq)


def screen(session: Session, *, campaign_id: str, at: datetime, books: Rulebooks, key: bytes, data_dir: Path,
           out_dir: Path, now: datetime, actor: str, leads: Path | None = None, mapping: Mapping | None = None,
           country: str | None = None, xlsx: bool = False, stage: Stage | None = None,
           individual: Decider | None = None) -> Screened:
    decided = decide_candidates(session, campaign_id=campaign_id, at=at, books=books, key=key, data_dir=data_dir,
                                leads=leads, mapping=mapping, country=country, stage=stage, individual=individual)
    advance = (stage or (lambda name, total: lambda n: None))("writing files", None)
    numbers = decided.rows["number"].filter(decided.rows["allowed"]).to_numpy()
    result = write_export(session, candidates=decided, outcomes=decided.outcomes,
                          ctx=decided.ctx, view=decided.view, centres=decided.centres, states=decided.states,
                          source=decided.source, out_dir=out_dir, xlsx=xlsx, now=now, actor=actor)
    # An objection or withdrawal committed after the store was read (possible on PostgreSQL, where the
    # export holds no lock while it decides) was not left out above, and its own enqueue could not see
    # this export's uncommitted rows: it goes to the call centres that received the number now.
    propagation.catch_up_export(session, export_id=result.export_id, since_seq=decided.since_seq, key=key,
                                now=now, actor=actor, numbers=numbers)
    advance(1)
    return result
