"""The files of one screening run, the export's record, who received which number, and its ledger event.

DIR/<call centre>/leadflow.csv and klantflow.csv carry what the call needs and the belscript context
(campaign, source, how/when/with which text the opt-in was given or the customer relationship, the lead's
own information, the calling windows of the planned day); DIR/blocked.csv every row left out with its
reason categories and codes and the id of its reason, whose text DIR/reasons.csv gives; DIR/summary.json
the counts, files and their SHA-256, and the register snapshots used. The same summary is the body of the
ledger event, so an evidence pack can show "screened at T against register snapshot S".
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl
from sqlalchemy.orm import Session

from leadgate.intake.bulk import insert_frame
from leadgate.kit.files import file_sha256, write_csv_sha256
from leadgate.ledger import service as ledger
from leadgate.registers.lookup import RegisterState
from leadgate.screening.assign import CallCentre, assign
from leadgate.screening.bulk import Context
from leadgate.screening.models import Export, ExportContact, ExportSheet
from leadgate.screening.storeview import StoreView
from leadgate.screening.windows import describe_windows

FLOW_FILES = {"lead": "leadflow", "customer": "klantflow"}
CALL_COLUMNS = ["row", "phone", "name", "kind", "country", "campaign", "call_centre", "flow", "supplier",
                "source_code", "consent_channel", "consent_given_at", "consent_text", "consent_source",
                "customer_paid", "customer_relationship_ended", "lead_information", "call_from", "calling_windows",
                "jurisdiction"]
BLOCKED_COLUMNS = ["row", "phone", "categories", "codes", "next_allowed_at", "reason_id"]
REASONS_COLUMNS = ["reason_id", "categories", "codes", "reason", "rows"]


@dataclass(frozen=True)
class Screened:
    export_id: str
    out_dir: Path
    rows: int
    exported: int
    blocked: int
    summary: dict[str, Any]


def centre_folder(name: str) -> str:
    """The folder of a call centre's files in an export (the evidence pack names them the same way)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "call-centre"


def _context(rows: pl.DataFrame, ctx: Context, view: StoreView, centres: dict[str, str]) -> pl.DataFrame:
    """The call sheet's columns for the exported rows. What the store knows (latest lead, usable phone
    consent, paid customer relationship) concerns a few percent of a list: built per person or contact
    point and joined on, so the millions of plain rows never pass through Python one by one."""
    text, day = pl.String, pl.Date
    leads = pl.DataFrame([(p, lead.supplier, lead.source_code, lead.extra) for p, lead in view.leads.items()],
                         schema={"person_id": text, "_supplier": text, "_lead_source": text, "_lead_extra": text},
                         orient="row")
    consents = []
    for point, given in view.consents.items():
        usable = [c for c in given if c.channel == "phone" and c.withdrawn_at is None and c.used_at is None]
        if usable:
            c = usable[-1]
            consents.append((point, c.channel, c.given_at.isoformat(), c.text, c.source_code))
    consent = pl.DataFrame(consents, schema={"contact_point_id": text, "consent_channel": text,
                                             "consent_given_at": text, "consent_text": text,
                                             "consent_source": text}, orient="row")
    paying = []
    for person, relations in view.customers.items():
        paid = [x[2] for x in relations if x[0]]
        if paid:
            paying.append((person, True, max(paid, key=lambda d: d or date.max)))
    customers = pl.DataFrame(paying, schema={"person_id": text, "customer_paid": pl.Boolean,
                                             "customer_relationship_ended": day}, orient="row")
    kind = pl.col("kind").fill_null("consumer").alias("_kind")
    moments = rows.select("phone_region", kind, "call_from").unique()
    windows = moments.with_columns(pl.Series("calling_windows", [
        describe_windows(ctx.books, region, k, datetime.fromisoformat(moment))
        for region, k, moment in moments.iter_rows()], dtype=text))
    lead_source = pl.col("_lead_source")
    out = (rows.with_columns(kind)
           .join(leads, on="person_id", how="left", maintain_order="left")
           .join(consent, on="contact_point_id", how="left", maintain_order="left")
           .join(customers, on="person_id", how="left", maintain_order="left")
           .join(windows, on=["phone_region", "_kind", "call_from"], how="left", nulls_equal=True,
                 maintain_order="left"))
    return out.select(
        pl.col("_row").cast(pl.Int64).alias("row"), pl.col("e164").alias("phone"), "name", "kind",
        pl.col("phone_region").alias("country"), pl.lit(ctx.campaign.id, text).alias("campaign"),
        pl.col("call_centre_id").replace_strict(centres, return_dtype=text).alias("call_centre"), "flow",
        pl.col("_supplier").alias("supplier"),
        pl.when(lead_source.is_not_null() & (lead_source != "")).then(lead_source)
        .otherwise(pl.col("source_code")).alias("source_code"),
        "consent_channel", "consent_given_at", "consent_text", "consent_source", "customer_paid",
        "customer_relationship_ended",
        pl.coalesce("extra", "_lead_extra").alias("lead_information"), "call_from", "calling_windows",
        "jurisdiction").cast({c: text for c in ("phone", "name", "kind", "country", "flow", "source_code",
                                               "lead_information", "call_from", "jurisdiction")})


def _write(frame: pl.DataFrame, path: Path, xlsx: bool) -> tuple[Path, str]:
    """The file written (CSV, or XLSX with `xlsx`) and its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if xlsx:
        from openpyxl import Workbook

        target = path.with_suffix(".xlsx")
        book = Workbook(write_only=True)
        sheet = book.create_sheet(path.stem)
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(list(row))
        book.save(target)
        return target, file_sha256(target)
    target = path.with_suffix(".csv")
    return target, write_csv_sha256(frame, target)


def _counts(per_outcome: pl.DataFrame, outcomes: pl.DataFrame, column: str) -> pl.DataFrame:
    """Rows per category (or code) of the ";"-joined column, from the left-out rows per outcome (_outcome,
    rows): split once per distinct outcome, not per row."""
    per = per_outcome.with_columns(outcomes[column].gather(per_outcome["_outcome"]).alias(column))
    return (per.select(pl.col(column).str.split(";"), pl.col("rows").alias("len")).explode(column)
            .group_by(column).agg(pl.col("len").sum()).sort(["len", column], descending=[True, False]))


_LEFT_OUT = (("duplicate", "DUPLICATE_NUMBER", "The same number is on an earlier row of this list."),
             ("unassigned", "NO_CALL_CENTRE_FOR_REGION", "No call centre of the campaign takes this region."))
# What the exported rows carry on (the call sheet's columns, the receipt, the assignment).
_CARRIED = ["_row", "e164", "number", "kind", "phone_region", "country", "person_id", "contact_point_id", "_outcome"]


def _left_out(decided: pl.DataFrame, unassigned: pl.DataFrame, *, unassigned_outcome: int) -> pl.DataFrame:
    """Every row not exported, in row order (_row, phone, _outcome): the rows decided not allowed, and the
    allowed rows no call centre takes."""
    # Selected before filtering: filtering the whole frame first would copy every column of 10M rows.
    blocked = decided.select("_row", pl.coalesce("e164", "raw").alias("phone"), "_outcome", "allowed").filter(
        ~pl.col("allowed")).drop("allowed")
    if not blocked["_row"].is_sorted():
        blocked = blocked.sort("_row")
    if unassigned.height:  # both in row order: merged, not sorted again
        blocked = blocked.merge_sorted(unassigned.sort("_row").select(
            "_row", pl.col("e164").alias("phone"), pl.lit(unassigned_outcome, pl.UInt32).alias("_outcome")), key="_row")
    return blocked


def _write_sheets(*, allowed: pl.DataFrame, ctx: Context, view: StoreView, centres: list[CallCentre],
                  out_dir: Path, xlsx: bool) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """The call sheets per call centre and flow: (SHA-256 per file by path relative to out_dir, rows per
    call centre and file stem)."""
    names = {c.id: c.name for c in centres}
    files: dict[str, str] = {}
    per_centre: dict[str, dict[str, int]] = {}
    # The store's context is built and joined once for every exported row, then split per file.
    ordered = allowed.sort("_row")
    sheets = _context(ordered, ctx, view, names).with_columns(ordered["call_centre_id"])
    for centre in centres:
        per_centre[centre.name] = {}
        for flow, stem in FLOW_FILES.items():
            rows = sheets.filter((pl.col("call_centre_id") == centre.id) & (pl.col("flow") == flow)).drop(
                "call_centre_id")
            path, sha = _write(rows, out_dir / centre_folder(centre.name) / stem, xlsx)
            files[str(path.relative_to(out_dir))] = sha
            per_centre[centre.name][stem] = rows.height
    return files, per_centre


def _write_left_out(*, decided: list[pl.DataFrame], unassigned: pl.DataFrame, unassigned_outcome: int,
                    outcomes: pl.DataFrame, out_dir: Path) -> tuple[dict[str, str], pl.DataFrame, int]:
    """blocked.csv with every left-out row of the decided candidates (`decided` holds that frame and is
    emptied, so that nothing keeps its 10M rows alive once the left-out rows are taken from it: the
    executor keeps its arguments until the call returns) and reasons.csv with the text of each reason they
    name. Returns the SHA-256 per file, the left-out rows per outcome (_outcome, rows) and their number."""
    blocked = _left_out(decided.pop(), unassigned, unassigned_outcome=unassigned_outcome)
    # The outcomes' columns as categoricals: each of millions of rows gathers an index, not a copy of its
    # strings; the file is the same text. The reason's text is in reasons.csv, once per reason: on every row
    # it was ~63% of the file (850 of 1,350 MB at 10M rows), and most of the time it took to write.
    texts = outcomes.select(pl.col("categories", "codes", "next_allowed_at").cast(pl.Categorical))
    rows = blocked.select(pl.col("_row").alias("row"), "phone").hstack(texts.gather(blocked["_outcome"])).with_columns(
        blocked["_outcome"].alias("reason_id"))
    path, sha = _write(rows.select(BLOCKED_COLUMNS), out_dir / "blocked", False)
    del rows
    used = blocked.group_by("_outcome").len("rows").sort("_outcome")
    reasons = outcomes.select("categories", "codes", "reason").gather(used["_outcome"]).select(
        used["_outcome"].alias("reason_id"), pl.all(), used["rows"])
    legend, legend_sha = _write(reasons.select(REASONS_COLUMNS), out_dir / "reasons", False)
    return {path.name: sha, legend.name: legend_sha}, used, blocked.height


def leave_out_repeats(decided: pl.DataFrame, *, outcome: int) -> pl.DataFrame:
    """A number listed twice is called once: of the allowed rows with the same number, the first (lowest
    `_row`) keeps it and the later ones become not allowed with `outcome`. Looked for among the allowed
    rows only (a window over every row's number cost ~3 s at 10M rows); tests/screening/test_repeats.py
    holds it equal to that window."""
    callable_rows = decided.select("_row", "number").with_row_index("_pos").filter(
        decided["allowed"] & decided["number"].is_not_null())
    if not callable_rows["_row"].is_sorted():
        callable_rows = callable_rows.sort("_row")
    repeated = callable_rows.filter(~pl.col("number").is_first_distinct())["_pos"]
    if not repeated.len():
        return decided
    return decided.with_columns(decided["allowed"].clone().scatter(repeated, False),
                                decided["_outcome"].clone().scatter(repeated, outcome))


def _receipt(session: Session, allowed: pl.DataFrame, *, export_id: str, centres: list[CallCentre]) -> pl.DataFrame:
    """The export's sheets (one per call centre and flow, each file written) added, and the receipt's rows
    for `allowed`: number, sheet_id, person_id, in number order (each page of the (number, sheet_id) B-tree
    is then visited once, in order, instead of at random)."""
    sheets = [ExportSheet(export_id=export_id, call_centre_id=centre.id, flow=flow)
              for centre in centres for flow in FLOW_FILES]
    session.add_all(sheets)
    session.flush()
    ids = pl.DataFrame({"call_centre_id": [s.call_centre_id for s in sheets], "flow": [s.flow for s in sheets],
                        "sheet_id": [s.id for s in sheets]}, schema={"call_centre_id": pl.String, "flow": pl.String,
                                                                      "sheet_id": pl.Int64})
    rows = allowed.select("number", "call_centre_id", "flow", "person_id").join(
        ids, on=["call_centre_id", "flow"], how="left")
    if rows["sheet_id"].null_count():  # a row the files would carry and the receipt not: never silently
        raise RuntimeError("an exported row's call centre or flow is not one of the export's sheets")
    return rows.select("number", "sheet_id", "person_id").sort("number")


class Candidates(Protocol):
    """Every candidate row with `allowed` and `_outcome` (the row of the outcomes that explains it), and the
    row-aligned payload (_row, name, extra, source_code)."""

    rows: pl.DataFrame
    payload: pl.DataFrame


def write_export(session: Session, *, candidates: Candidates, outcomes: pl.DataFrame, ctx: Context,
                 view: StoreView, centres: list[CallCentre], states: list[RegisterState], source: dict[str, Any],
                 out_dir: Path, xlsx: bool, now: datetime, actor: str) -> Screened:
    """The files, the receipt and the ledger event of `candidates`; rows carry the index of their outcome,
    not its strings, so 10M rows cost 10M integers. Takes the candidates' rows and payload over (they are
    empty afterwards) so that the 10M-row frames are freed before the files are written."""
    # Only what writing reads: the register columns, job titles and the like of 10M rows are let go here,
    # before the writing stage's own frames are built beside them (its peak of memory).
    decided, payload = candidates.rows.select(*_CARRIED, "raw", "allowed"), candidates.payload
    candidates.rows = candidates.payload = pl.DataFrame()
    duplicate_outcome, unassigned_outcome = outcomes.height, outcomes.height + 1
    outcomes = pl.concat([outcomes, pl.DataFrame(
        [(False, category, code, reason, None, None, ctx.at.isoformat()) for category, code, reason in _LEFT_OUT],
        schema=outcomes.schema, orient="row")])
    decided = leave_out_repeats(decided, outcome=duplicate_outcome)
    total = decided.height
    aligned = payload["_row"].equals(decided["_row"])  # never otherwise: decide_candidates keeps the order
    day = ctx.at.date()
    paying = [p for p, relations in view.customers.items()
              if any(paid and (started is None or started <= day) for paid, started, _ in relations)]
    allowed = decided.with_row_index("_pos").filter(pl.col("allowed")).select("_pos", *_CARRIED).with_columns(
        pl.coalesce(pl.col("person_id"), pl.lit("n:") + pl.col("number").cast(pl.String)).alias("person_key"),
        pl.col("person_id").is_in(pl.Series(paying, dtype=pl.String).implode()).fill_null(False).alias("customer"),
        pl.coalesce("phone_region", "country").alias("region"))
    # A number the store does not know is a person of its own, on one row: leave_out_repeats left each
    # number allowed once.
    allowed = assign(allowed, centres, alone=pl.col("person_id").is_null())
    unassigned = allowed.filter(pl.col("call_centre_id").is_null()).select("_row", "e164")
    allowed = allowed.filter(pl.col("call_centre_id").is_not_null())
    out_dir.mkdir(parents=True, exist_ok=True)
    # Three things at once, each on its own thread: blocked.csv (most of a list's rows) starts as soon as
    # the left-out rows are known; the call sheets once their rows are; the receipt goes into the store on
    # this thread (the session's). polars' writer and hashlib release the GIL and the store's inserts wait
    # on its driver, so they overlap instead of following each other. Which one bounds the writing stage
    # depends on the day; leaving the blocks waits for all of them.
    with ThreadPoolExecutor(1, thread_name_prefix="leadgate-export-blocked") as left_pool:
        left_out = left_pool.submit(_write_left_out, decided=[decided], unassigned=unassigned,
                                    unassigned_outcome=unassigned_outcome, outcomes=outcomes, out_dir=out_dir)
        del decided  # the blocked thread frees it once the left-out rows are taken from it
        # The payload (name, the lead's own information) is row-aligned with the decided rows: gathered by
        # position for the exported rows instead of joined on a 10M-row key.
        if aligned:
            allowed = allowed.hstack(payload.drop("_row").gather(allowed["_pos"])).drop("_pos")
        else:
            allowed = allowed.drop("_pos").join(payload, on="_row", how="left", maintain_order="left")
        del payload
        allowed = allowed.hstack(outcomes.select("call_from", "jurisdiction").gather(allowed["_outcome"]))
        export = Export(campaign_id=ctx.campaign.id, planned_at=ctx.at, created_at=now,
                        source=source.get("file") or "store", summary="{}")
        session.add(export)
        session.flush()
        received = _receipt(session, allowed, export_id=export.id, centres=centres)
        with ThreadPoolExecutor(1, thread_name_prefix="leadgate-export-files") as pool:
            sheets = pool.submit(_write_sheets, allowed=allowed, ctx=ctx, view=view, centres=centres,
                                 out_dir=out_dir, xlsx=xlsx)
            insert_frame(session, ExportContact.__table__, received)  # type: ignore[arg-type]
            del received
            files, per_centre = sheets.result()
        left_files, per_outcome, left_out_rows = left_out.result()
    files.update(left_files)
    categories, codes = _counts(per_outcome, outcomes, "categories"), _counts(per_outcome, outcomes, "codes")
    summary: dict[str, Any] = {
        "export_id": export.id, "campaign": ctx.campaign.id, "planned_at": ctx.at.isoformat(),
        "created_at": now.isoformat(), "source": source,
        "rows": total, "exported": allowed.height, "left_out": left_out_rows,
        "per_call_centre": per_centre,
        "left_out_by_category": {c: n for c, n in categories.iter_rows()},
        "left_out_by_code": {c: n for c, n in codes.iter_rows()},
        "register_snapshots": {s.name: list(s.snapshot_ids) for s in states},
        "files": files,
    }
    # After the receipt: on PostgreSQL the ledger's lock is held from here to the commit, not while the
    # receipt's rows are copied (pre-dial checks append to the same ledger).
    event = ledger.append(session, kind="screening.exported", actor=actor, data=summary, at=now)
    export.summary, export.ledger_seq = json.dumps(summary, ensure_ascii=False), event.seq
    summary["ledger_seq"] = event.seq
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Screened(export.id, out_dir, total, allowed.height, left_out_rows, summary)
