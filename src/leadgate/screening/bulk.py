"""The bulk path: a frame of candidates in, one decision per row out, decided once per distinct set of facts.

Most rows of a call list carry nothing but a number, a kind, a country, a data source and register
statuses: their facts differ only in the phone number, and the core's decision depends on a valid number
only through its region (and, for SMS, whether it is a mobile). Those rows are grouped on every other
fact and decided once per group with a representative row's own facts. Rows with a history (consents,
objections, customer relationships, attempts, a suppression) are decided one by one. Either way the
facts are built by `row_facts`; a property test holds every row's decision equal to `decide` on the
facts `decide --contact` assembles for that row from the store.

A list is screened for a planned moment: where the only block at that moment is the calling hours and
the window opens later the same local day, the row is decided again at that opening, so a list made at
08:00 for today is not empty because the windows open at 10:00. Each row carries the moment it was
decided for (`call_from`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from leadgate.consent.models import Consent
from leadgate.core import facts as f
from leadgate.core.calendar import zone
from leadgate.core.decision import Decision
from leadgate.core.engine import decide
from leadgate.kit.moments import from_store
from leadgate.rules.model import Rulebooks
from leadgate.screening.storeview import StoreView, customer, objections

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


def consent_facts(c: Consent) -> f.Consent:
    # Built without validating again: the stored consent was validated when it went in (a property test
    # holds these facts' decisions equal to those of the validated facts `decide --contact` builds).
    return f.Consent.model_construct(
        channel=c.channel, purpose=c.purpose, given_at=from_store(c.given_at), text=c.text,  # type: ignore[arg-type]
        source=c.source_code,
        single_use=c.single_use, used_at=None if c.used_at is None else from_store(c.used_at),
        withdrawn_at=None if c.withdrawn_at is None else from_store(c.withdrawn_at),
        own_initiative=c.own_initiative, automated_calls=c.automated_calls)


def row_facts(row: dict[str, Any], ctx: Context, view: StoreView,
              suppressed: dict[int, list[tuple[str, datetime]]], at: datetime | None = None) -> f.Facts:
    """The facts of the decision contract for one candidate row, as `decide --contact` would assemble them."""
    moment = at or ctx.at
    person, point, number = row.get("person_id"), row.get("contact_point_id"), row.get("number")
    checks = []
    for i, name in enumerate(ctx.registers):
        listed_col, at_col = register_columns(i)
        if row.get(at_col) is not None:
            checks.append(f.RegisterCheck.model_construct(name=name, listed=bool(row[listed_col]),
                                                          checked_at=row[at_col]))
    # Every value is the store's or was checked column-wise (kind, country, the number's parse), so the
    # facts are constructed, not validated again (~20 µs a row for the rows decided one by one).
    return f.Facts.model_construct(
        id=row["_row"], at=moment, channel=ctx.channel,  # type: ignore[arg-type]
        contact=f.Contact.model_construct(kind=row.get("kind") or "consumer",
                                          phone=row.get("e164") or row.get("raw"), email=None,
                                          country=fact_country(row), job_title=row.get("job_title")),
        customer=customer(view.customers.get(person), moment.date()) if person else None,
        consents=tuple(consent_facts(c) for c in view.consents.get(point, ())) if point else (),
        objections=objections(view.objections.get(person) if person else None,
                              suppressed.get(number) if number is not None else None),
        registers=tuple(checks),
        attempts=view.attempts.get(point, ()) if point else (),
        campaign=ctx.campaign,
        source=view.sources.get(person) if person else None,
    )


def decide_row(row: dict[str, Any], ctx: Context, view: StoreView,
               suppressed: dict[int, list[tuple[str, datetime]]]) -> tuple[Decision, datetime]:
    """The decision for the planned moment, or for the opening of the calling window later that day."""
    decision = decide(row_facts(row, ctx, view, suppressed), ctx.books)
    later = decision.next_allowed_at
    if (decision.reasons and later is not None and all(r.category == "calling_hours" for r in decision.reasons)
            and decision.jurisdiction is not None):
        tz = zone(_zone_of(decision, ctx, row))
        if later.astimezone(tz).date() == ctx.at.astimezone(tz).date():
            return decide(row_facts(row, ctx, view, suppressed, at=later), ctx.books), later
    return decision, ctx.at


def _zone_of(decision: Decision, ctx: Context, row: dict[str, Any]) -> str:
    book = ctx.books.for_region(row.get("phone_region") or fact_country(row) or "")
    if book is None:
        return "UTC"
    territory = book.territories.get(row.get("phone_region") or "")
    return territory.timezone if territory else book.timezone


def outcome(decision: Decision, moment: datetime) -> tuple[Any, ...]:
    categories = list(dict.fromkeys(r.category for r in decision.reasons))
    return (decision.allowed, ";".join(categories), ";".join(r.code for r in decision.reasons),
            decision.reasons[0].message if decision.reasons else None,
            decision.next_allowed_at.isoformat() if decision.next_allowed_at else None,
            decision.jurisdiction, moment.isoformat())


Decider = Callable[[Sequence[dict[str, Any]]], list[tuple[Any, ...]]]


def screen_frame(frame: pl.DataFrame, ctx: Context, view: StoreView,
                 suppressed: dict[int, list[tuple[str, datetime]]], *, individual: Decider | None = None,
                 progress: Callable[[int], None] | None = None) -> pl.DataFrame:
    """`frame` with the OUTCOME_SCHEMA columns added, one decision per row."""
    def one(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [outcome(*decide_row(r, ctx, view, suppressed)) for r in rows]

    decide_rows = individual or one
    people = list(view.objections.keys() | view.customers.keys())
    points = list(view.consents.keys() | view.attempts.keys())
    history = (pl.col("person_id").is_in(pl.Series(people, dtype=pl.String).implode())
               | pl.col("contact_point_id").is_in(pl.Series(points, dtype=pl.String).implode())
               | pl.col("number").is_in(pl.Series(list(suppressed), dtype=pl.Int64).implode())).fill_null(False)
    frame = frame.with_columns(history.alias("_history"), pl.int_range(frame.height).alias("_i"),
                               _source_key(frame, view))
    key = ["kind", "person_country", "country", "phone_region", "mobile", "job_title", "_source", "_valid"] + [
        c for i in range(len(ctx.registers)) for c in register_columns(i)]
    frame = frame.with_columns(pl.col("e164").is_not_null().alias("_valid"))

    plain = frame.filter(~pl.col("_history"))
    groups = plain.group_by(key, maintain_order=True).agg(pl.col("_i").first().alias("_rep"))
    reps = frame.select(pl.exclude("_history")).join(groups.select("_rep"), left_on="_i", right_on="_rep")
    rep_rows = reps.to_dicts()
    decided = one(rep_rows)
    if progress is not None:
        progress(plain.height)
    group_out = groups.hstack(pl.DataFrame(decided, schema=OUTCOME_SCHEMA, orient="row"))
    plain_out = plain.join(group_out.drop("_rep"), on=key, how="left", nulls_equal=True)

    special = frame.filter(pl.col("_history"))
    special_out = special.hstack(pl.DataFrame(decide_rows(special.to_dicts()), schema=OUTCOME_SCHEMA,
                                              orient="row"))
    if progress is not None:
        progress(special.height)
    return pl.concat([plain_out, special_out], how="diagonal_relaxed").sort("_i").drop(
        "_i", "_history", "_source", "_valid")


def _source_key(frame: pl.DataFrame, view: StoreView) -> pl.Expr:
    # The data source is part of the facts: rows of people from different sources are decided apart.
    if not view.sources:
        return pl.lit(None, pl.String).alias("_source")
    keys = {pid: f"{s.kind}|{s.purpose_compatible}|{s.disabled}" for pid, s in view.sources.items()}
    return pl.col("person_id").replace_strict(keys, default=None, return_dtype=pl.String).alias("_source")
