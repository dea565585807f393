"""What an intake writes: the rejected-rows file next to the input, and the store's rows (bulk)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadgate.consent.models import Consent
from leadgate.intake.bulk import insert_frame
from leadgate.intake.matching import new_ids
from leadgate.intake.models import DataSource, Intake, Lead
from leadgate.kit.errors import InvalidInput
from leadgate.people.models import ContactPoint, Person

if TYPE_CHECKING:
    from leadgate.campaigns.models import Partner
    from leadgate.intake.reader import Table
    from leadgate.intake.service import Progress, Summary


class RejectedFile:
    """`<stem>.rejected.csv` beside the input: row (as the supplier's spreadsheet numbers it, header = 1),
    field, reason, then the row's original columns. UTF-8 with BOM and the input's delimiter, for Excel."""

    def __init__(self, source: Path, table: Table) -> None:
        self.path = source.with_name(f"{source.stem}.rejected.csv")
        self.table = table

    def write(self, rejected: pl.DataFrame) -> Path | None:
        if rejected.height == 0:
            self.path.unlink(missing_ok=True)  # an old one would describe another run
            return None
        names, seen = [], set()
        for index, header in enumerate(self.table.headers):
            name = header or f"column {index + 1}"
            while name in seen or name in ("row", "field", "reason"):
                name += "_"
            seen.add(name)
            names.append(name)
        original = self.table.frame.rename(dict(zip([f"c{i}" for i in range(len(names))], names, strict=True)))
        out = rejected.rename({"_row": "row", "reject_field": "field", "reject_reason": "reason"}).join(
            original.rename({"_row": "row"}), on="row", how="left", maintain_order="left")
        with self.path.open("wb") as handle:
            handle.write(b"\xef\xbb\xbf")
            out.write_csv(handle, separator=self.table.delimiter or ";")
        return self.path


@dataclass
class Stored:
    intake: Intake
    consent_lines: list[tuple[str, str, datetime, str, str]]  # for the batch digest
    sources_created: list[str] = field(default_factory=list)


def _sources(session: Session, accepted: pl.DataFrame, partner: Partner, now: datetime) -> tuple[dict[str, str],
                                                                                                list[str]]:
    """source code -> data source id, creating the sources this supplier has not sent before."""
    firsts = accepted.group_by("source_code", maintain_order=True).first()
    known = {s.code: s.id for s in session.scalars(select(DataSource).where(DataSource.supplier_id == partner.id))}
    created = []
    for code, kind, purpose in firsts.select("source_code", "source_kind", "source_purpose").iter_rows():
        if code not in known:
            source = DataSource(supplier_id=partner.id, code=code, kind=kind, purpose=purpose, disabled=False,
                                created_at=now)
            session.add(source)
            session.flush()
            known[code] = source.id
            created.append(source.id)
    return known, created


def store(session: Session, accepted: pl.DataFrame, consents: pl.DataFrame, *, summary: Summary, partner: Partner,
          file_name: str, now: datetime, actor: str, progress: Progress, campaign_id: str | None = None) -> Stored:
    moment = now.astimezone(UTC)
    intake = Intake(file_name=file_name[:500], file_sha256=summary.sha256, supplier_id=partner.id, at=moment,
                    rows_total=summary.rows_read, rows_imported=summary.rows_imported,
                    rows_rejected=summary.rows_rejected, persons_created=summary.persons_created,
                    persons_matched=summary.persons_matched, customers_matched=summary.customers_matched,
                    consents_created=summary.consents_created, campaign_id=campaign_id)
    session.add(intake)
    try:
        session.flush()
    except IntegrityError:  # PostgreSQL: another intake of this very file committed while we validated
        raise InvalidInput(f"{file_name} was imported by another intake at the same time; nothing was added "
                           "by this one.", field="file") from None
    sources, created = _sources(session, accepted, partner, moment)
    summary.sources_created = len(created)
    session.flush()
    at = pl.lit(moment, dtype=pl.Datetime("us", "UTC"))
    persons = accepted.lazy().filter(pl.col("new_person")).select(
        pl.col("person_id").alias("id"), "kind", pl.coalesce("region", "phone_region").alias("country"), "name",
        "organisation_name", pl.when(pl.col("org_id").is_not_null()).then(pl.col("organisation_id_kind")
                                                                          .str.to_lowercase())
        .alias("organisation_id_kind"), pl.col("org_id").alias("organisation_id"), "job_title",
        at.alias("created_at"))
    phones = accepted.lazy().filter(pl.col("new_phone")).select(
        pl.col("phone_cp").alias("id"), "person_id", pl.lit("phone").alias("medium"), pl.col("e164").alias("value"),
        pl.col("phone_region").alias("region"), "mobile", at.alias("created_at"))
    emails = accepted.lazy().filter(pl.col("new_email")).select(
        pl.col("email_cp").alias("id"), "person_id", pl.lit("email").alias("medium"),
        pl.col("email_norm").alias("value"), "region", pl.lit(None, pl.Boolean).alias("mobile"),
        at.alias("created_at"))
    extra = [c for c in accepted.columns if c.startswith("extra:")]
    # Empty cells stay null in the JSON object; a row without any extra value gets no object at all.
    extra_json = (pl.when(pl.any_horizontal(pl.col(c).is_not_null() for c in extra)).then(
        pl.struct(pl.col(c).alias(c[6:]) for c in extra).struct.json_encode()) if extra else pl.lit(None, pl.String))
    leads = accepted.lazy().select(
        new_ids(accepted.height).alias("id"), "person_id",
        pl.col("source_code").replace_strict(sources, return_dtype=pl.String).alias("data_source_id"),
        pl.lit(intake.id).alias("intake_id"), pl.col("_row").alias("row_number"), at.alias("received_at"),
        extra_json.alias("extra"))
    consent_rows = consents.lazy().select(
        new_ids(consents.height).alias("id"), "person_id", pl.col("cp").alias("contact_point_id"),
        pl.col("consent_channel").alias("channel"), pl.col("source_purpose").alias("purpose"),
        pl.col("consent_text").alias("text"), pl.col("consent_text_version").alias("text_version"), "text_sha256",
        "given_at", pl.col("consent_source").alias("source_code"), pl.lit("import").alias("collection_method"),
        pl.col("consent_ip").alias("ip_address"), pl.col("consent_user_agent").alias("user_agent"), "single_use",
        pl.lit(False).alias("own_initiative"), pl.lit(False).alias("automated_calls"), pl.lit(intake.id)
        .alias("intake_id"))
    flags = accepted.select(pl.col("new_person", "new_phone", "new_email").sum()).row(0)
    progress.stage("storing", sum(flags) + accepted.height + consents.height)
    # One table at a time, each frame built just before its insert and freed after: peak memory.
    for table, frame in ((Person.__table__, persons), (ContactPoint.__table__, pl.concat([phones, emails])),
                         (Lead.__table__, leads)):
        insert_frame(session, table, frame.collect(), progress.advance)  # type: ignore[arg-type]
    consent_frame = consent_rows.collect()
    insert_frame(session, Consent.__table__, consent_frame, progress.advance)  # type: ignore[arg-type]
    lines = list(consent_frame.select("id", "text_sha256", "given_at", "source_code", "channel").iter_rows())
    return Stored(intake, lines, created)
