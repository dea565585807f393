"""One supplier file in, in one transaction: persons, contact points, leads, consents, one intake row
and one ledger event. Flushes, never commits; the command's unit of work commits or rolls back whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Campaign, Partner
from leadgate.campaigns.service import partner_named
from leadgate.consent.digest import batch_digest
from leadgate.intake import mapping as mapping_file
from leadgate.intake import validate
from leadgate.intake.matching import CONFLICT, match, paying_customers
from leadgate.intake.models import Intake
from leadgate.intake.reader import read_table
from leadgate.intake.records import RejectedFile, Stored, store
from leadgate.kit.errors import InvalidInput


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self, rows: int) -> None: ...


class _Quiet:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


@dataclass
class Summary:
    file_name: str
    sha256: str
    dry_run: bool
    encoding: str = ""
    delimiter: str | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    persons_created: int = 0
    persons_matched: int = 0
    customers_matched: int = 0
    consents_created: int = 0
    sources_created: int = 0
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # (field, reason, rows)
    ignored_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    rejected_file: Path | None = None
    intake_id: str | None = None
    ledger_seq: int | None = None
    already_imported_at: datetime | None = None  # set when this exact file was imported before


def find_supplier(session: Session, name: str) -> Partner:
    return partner_named(session, name, kind="lead_supplier", field="supplier")


def run_intake(session: Session, *, path: Path, supplier: str, now: datetime, actor: str,
               mapping_path: Path | None = None, dry_run: bool = False, country: str | None = None,
               timezone: str | None = None, progress: Progress | None = None, campaign: str | None = None
               ) -> Summary:
    """Validate, match and (unless dry_run) store a supplier file. Bad files raise InvalidInput; bad rows
    are rejected into `<stem>.rejected.csv` next to the file and counted in the summary."""
    progress = progress or _Quiet()
    country = {"UK": "GB"}.get((country or "").upper(), (country or "").upper()) or None
    if country is not None and country not in validate.REGIONS:
        raise InvalidInput(f"--country {country!r} is not a country code; use two letters: NL, BE, FR, DE, GB, ...",
                           field="country")
    partner = find_supplier(session, supplier)
    if campaign is not None and session.get(Campaign, campaign) is None:
        raise InvalidInput(f"No campaign {campaign!r}; see `leadgate campaign create`.", field="campaign")
    mapping = mapping_file.read_mapping(mapping_path) if mapping_path is not None else mapping_file.Mapping()
    progress.stage("reading")
    table = read_table(path)
    summary = Summary(path.name, table.sha256, dry_run, table.encoding, table.delimiter)
    earlier = session.scalars(select(Intake).where(Intake.file_sha256 == table.sha256)).first()
    if earlier is not None:
        summary.already_imported_at, summary.intake_id = earlier.at, earlier.id
        return summary
    plan = mapping_file.plan(table.headers, mapping, path.name)
    summary.ignored_columns, summary.extra_columns = plan.ignored, list(plan.extra)
    zone = timezone or mapping.timezone
    validate._zone(zone)
    progress.stage("validating", table.frame.height)
    rows = validate.normalise(validate.columns(table, plan, mapping, country=country,
                                               zone=zone), zone=zone, now=now)
    progress.advance(table.frame.height)
    accepted = rows.filter(pl.col("reject_field").is_null()).drop(
        "reject_field", "reject_reason", "org_error", "given_at_error", "ip_ok", "consent_given_at", "_zone",
        "consent_single_use", "organisation_id")
    rejected = rows.filter(pl.col("reject_field").is_not_null()).select("_row", "reject_field", "reject_reason")
    rows_read = rows.height
    del rows  # the accepted rows are a copy: keep one
    progress.stage("matching")
    matched = match(session, accepted)
    conflicts = matched.conflicts.with_columns(pl.lit("phone").alias("reject_field"),
                                               pl.lit(CONFLICT).alias("reject_reason"))
    rejected = pl.concat([rejected, conflicts]).sort("_row")
    accepted = matched.rows
    summary.rows_read, summary.rows_imported, summary.rows_rejected = rows_read, accepted.height, rejected.height
    counts = Counter(zip(rejected["reject_field"], rejected["reject_reason"], strict=True))
    summary.reasons = [(f, r, n) for (f, r), n in counts.most_common()]
    summary.rejected_file = RejectedFile(path, table).write(rejected)
    if accepted.height == 0:
        raise InvalidInput(f"No row of {path.name} can be imported ({rejected.height} rejected; see "
                           f"{summary.rejected_file.name if summary.rejected_file else 'the summary'}). "
                           "Nothing was stored.", field="file")
    summary.persons_created = int(accepted["new_person"].sum())
    summary.persons_matched = len(matched.persons_matched)
    summary.customers_matched = len(paying_customers(session, matched.persons_matched))
    consents = _consents(accepted)
    summary.consents_created = consents.height
    if dry_run:
        return summary
    stored = store(session, accepted, consents, summary=summary, partner=partner, file_name=path.name, now=now,
                   actor=actor, progress=progress, campaign_id=campaign)
    _ledger(session, stored, summary, partner, now=now, actor=actor)
    return summary


def _consents(accepted: pl.DataFrame) -> pl.DataFrame:
    """One consent per consent row, except rows identical to an earlier one (same person, point and proof)."""
    rows = accepted.lazy().filter(pl.col("is_consent")).with_columns(
        pl.when(pl.col("consent_channel") == "email").then("email_cp").otherwise("phone_cp").alias("cp"))
    same = ["person_id", "cp", "consent_channel", "text_sha256", "given_at", "consent_source", "consent_text_version",
            "consent_ip", "consent_user_agent", "single_use", "source_purpose"]
    return rows.unique(subset=same, keep="first", maintain_order=True).collect()


def _ledger(session: Session, stored: Stored, summary: Summary, partner: Partner, *, now: datetime,
            actor: str) -> None:
    from leadgate.ledger import service as ledger

    digest = batch_digest(stored.consent_lines)
    event = ledger.append(session, kind="intake", actor=actor, at=now, data={
        "intake": stored.intake.id, "file_sha256": summary.sha256, "supplier": partner.id,
        "counts": {"rows_read": summary.rows_read, "rows_imported": summary.rows_imported,
                   "rows_rejected": summary.rows_rejected, "persons_created": summary.persons_created,
                   "persons_matched": summary.persons_matched, "customers_matched": summary.customers_matched,
                   "consents_created": summary.consents_created},
        "consents_sha256": digest, "sources_created": stored.sources_created,
    } | ({"campaign": stored.intake.campaign_id} if stored.intake.campaign_id else {}))
    stored.intake.ledger_seq = event.seq
    session.flush()
    summary.intake_id, summary.ledger_seq = stored.intake.id, event.seq


def now_utc() -> datetime:
    return datetime.now(UTC)
