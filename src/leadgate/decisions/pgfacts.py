"""The stored facts of one contact on PostgreSQL in one statement: the pre-dial check's hot path.

`decisions.service` assembles the same facts with one ORM query per part (campaign, contact point,
person, consents, customer, suppressions, objections, registers, attempts, source: 15 to 18 round trips
and ~0.4 ms of Python each). Here one prepared statement returns every part as JSON, read straight from
the driver; the facts built from it are the service's (tests/decisions/test_pgfacts.py holds them equal
on generated stores). SQLite keeps the service's queries: there a query is a function call, not a round
trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from leadgate.core import facts as f
from leadgate.kit.db import driver_cursor, on_postgresql
from leadgate.kit.errors import InvalidInput
from leadgate.registers.lookup import Chosen, checks_from, choose

# Subqueries of the one contact point (cp); every part is NULL when there is nothing, JSON arrays else.
# Register listings: the (register, number) index is probed once per register that has snapshots.
_SQL = """
WITH cp AS MATERIALIZED (
  SELECT id, person_id, region FROM contact_points WHERE medium = %(medium)s AND value = %(value)s LIMIT 1)
SELECT
 (SELECT json_build_array(c.id, c.lawful_basis, c.lia_approved_on, c.automated_dialer, c.caller_id,
                          c.relevant_to_role, c.sector)
    FROM campaigns c WHERE c.id = %(campaign)s),
 (SELECT json_build_array(cp.id, cp.person_id, cp.region, p.kind, p.country, p.job_title)
    FROM cp LEFT JOIN persons p ON p.id = cp.person_id),
 (SELECT json_agg(json_build_array(k.channel, k.purpose, k.given_at, k.text, k.source_code, k.single_use, k.used_at,
                                   k.withdrawn_at, k.own_initiative, k.automated_calls) ORDER BY k.given_at, k.id)
    FROM consents k WHERE k.contact_point_id = (SELECT id FROM cp)),
 (SELECT json_agg(json_build_array(r.paid, r.started_on, r.ended_on))
    FROM customer_relationships r WHERE r.person_id = (SELECT person_id FROM cp)),
 (SELECT json_agg(json_build_array(s.channel, s.at)) FROM suppressions s WHERE s.digest = %(digest)s),
 (SELECT json_agg(json_build_array(o.channel, o.at))
    FROM objections o WHERE o.person_id = (SELECT person_id FROM cp)),
 (SELECT json_agg(json_build_array(a.at, a.outcome, a.campaign_id, pa.name, a.rings) ORDER BY a.at)
    FROM contact_attempts a LEFT JOIN partners pa ON pa.id = a.call_centre_id
   WHERE a.contact_point_id = (SELECT id FROM cp)),
 (SELECT json_build_array(d.kind, d.purpose_compatible, d.disabled)
    FROM leads l JOIN data_sources d ON d.id = l.data_source_id
   WHERE l.person_id = (SELECT person_id FROM cp) ORDER BY l.received_at DESC, l.id DESC LIMIT 1),
 (SELECT json_agg(json_build_array(s.id, s.register, s.kind, s.checked_at))
    FROM register_snapshots s WHERE %(number)s::bigint IS NOT NULL AND s.checked_at <= %(at)s),
 (SELECT json_agg(json_build_array(n.register, n.listed_from, n.listed_to))
    FROM register_numbers n
   WHERE n.register IN (SELECT DISTINCT register FROM register_snapshots) AND n.number = %(number)s::bigint),
 (SELECT json_agg(json_build_array(x.snapshot_id, x.listed))
    FROM register_check_results x WHERE x.number = %(number)s::bigint)
"""


# Whether a campaign exists: the better answer when a contact is refused before its facts are read.
CAMPAIGN_EXISTS = "SELECT 1 FROM campaigns WHERE id = %(campaign)s"


def unknown_campaign(campaign_id: str) -> InvalidInput:
    return InvalidInput(f"No campaign {campaign_id!r}; see `leadgate campaign create`.", field="campaign")


class _Snapshot(NamedTuple):
    id: int
    register: str
    kind: str
    checked_at: datetime


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def applies(session: Session) -> bool:
    return on_postgresql(session)


def assemble(session: Session, *, medium: str, value: str, region: str | None, digest: str, country: str | None,
             campaign_id: str, channel: str, at: datetime, kind: str | None) -> tuple[f.Facts, StoredPoint | None]:
    """The facts of `decisions.service._assemble` for a normalised contact (medium, value, region) and its
    suppression digest, and the stored contact point (None when unknown)."""
    sql, params = statement(medium=medium, value=value, digest=digest, campaign_id=campaign_id, channel=channel,
                            at=at)
    with driver_cursor(session) as cursor:  # flushed first: the statement must see this unit of work's rows
        row = cursor.execute(sql, params, prepare=True).fetchone()
    return facts_from(row, medium=medium, value=value, region=region, country=country, campaign_id=campaign_id,
                      channel=channel, at=at, kind=kind)


def with_columns(*columns: str) -> str:
    """The facts statement with these scalar columns first (`facts_from` reads the row after them): a caller
    that needs more in the same round trip (the API's hot path: the key and the call centre's scope)."""
    return _SQL.replace("\nSELECT\n", "\nSELECT\n" + "".join(f" ({column}),\n" for column in columns), 1)


class StoredPoint(NamedTuple):
    """The stored contact point the facts are about (what a decision record refers to)."""

    id: str
    person_id: str
    region: str | None


TYPES = {"medium": "text", "value": "text", "campaign": "text", "digest": "text", "at": "timestamptz",
         "number": "bigint"}
"""The PostgreSQL type of each of `statement`'s parameters (for kit.batches.StatementBatches)."""


def statement(*, medium: str, value: str, digest: str, campaign_id: str, channel: str, at: datetime
              ) -> tuple[str, dict[str, Any]]:
    """The one statement (and its parameters) whose row `facts_from` reads: run it on any psycopg cursor,
    sync (assemble) or async (the API's hot path, api.hot)."""
    number = int(value[1:]) if medium == "phone" and channel == "phone" else None
    return _SQL, {"medium": medium, "value": value, "campaign": campaign_id, "digest": digest, "at": at,
                  "number": number}


def facts_from(row: Sequence[Any] | None, *, medium: str, value: str, region: str | None, country: str | None,
               campaign_id: str, channel: str, at: datetime, kind: str | None
               ) -> tuple[f.Facts, StoredPoint | None]:
    """The facts (and stored contact point) of the row of `statement`."""
    assert row is not None  # one row always: every column is a scalar subquery
    number = int(value[1:]) if medium == "phone" and channel == "phone" else None
    campaign, point, consents, customers, suppressions, objections, attempts, source, snapshots, listings, answers = row
    if campaign is None:
        raise unknown_campaign(campaign_id)
    point_id, person_id, point_region, person_kind, person_country, job_title = point or (None,) * 6
    contact = f.Contact(
        kind=person_kind if point is not None else kind or "consumer",
        phone=value if medium == "phone" else None, email=value if medium == "email" else None,
        country=_country(person_country, point_region if point is not None else region, country),
        job_title=job_title)
    found = {(c, _moment(m)) for c, m in (suppressions or []) + (objections or [])}
    registers: tuple[f.RegisterCheck, ...] = ()
    if number is not None:
        chosen = _chosen(tuple(tuple(s) for s in snapshots or ()))
        registers = checks_from(chosen, answers={i: listed for i, listed in answers or []},
                                listings=[(r, a, b) for r, a, b in listings or []])
    facts = f.Facts(
        id=point_id or "unknown-contact", at=at, channel=channel, contact=contact,
        customer=_customer(customers or [], at.date()) if person_id else None,
        consents=tuple(f.Consent(channel=c[0], purpose=c[1], given_at=_moment(c[2]), text=c[3], source=c[4],
                                 single_use=c[5], used_at=_moment(c[6]), withdrawn_at=_moment(c[7]),
                                 own_initiative=c[8], automated_calls=c[9]) for c in consents or []),
        objections=tuple(f.Objection(channel=c, at=m) for c, m in sorted(found, key=lambda o: (o[1], o[0]))),
        registers=registers,
        attempts=tuple(f.Attempt(at=_moment(m), outcome=o, campaign=c, call_centre=n, rings=r)
                       for m, o, c, n, r in attempts or []),
        campaign=f.Campaign(id=campaign[0], lawful_basis=campaign[1], lia_approved_at=_day(campaign[2]),
                            automated_dialer=campaign[3], caller_id=campaign[4], relevant_to_role=campaign[5],
                            sector=campaign[6]),
        source=f.Source(kind=source[0], purpose_compatible=source[1], disabled=source[2])
        if person_id and source else None,
    )
    stored = None if point is None else StoredPoint(point[0], point[1], point[2])
    return facts, stored


@lru_cache(maxsize=64)
def _chosen(snapshots: tuple[tuple[Any, ...], ...]) -> dict[str, Chosen]:
    """`choose` over the statement's snapshot rows (id, register, kind, checked_at), which are those checked at
    or before the moment asked about: so the choice depends on the rows alone, and every check between two
    imports reads the same rows. Kept per distinct set of rows (~30 µs a check otherwise); callers only read
    the result."""
    return choose([_Snapshot(i, r, k, _moment(m)) for i, r, k, m in snapshots], _END_OF_TIME)  # type: ignore[arg-type]


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _country(person_country: str | None, region: str | None, given: str | None) -> str | None:
    # As decisions.service._country: a region like "001" (non-geographic numbers) is no country.
    region = region if region and region.isalpha() else None
    return person_country or region or given


def _customer(relations: list[list[Any]], day: date) -> f.Customer | None:
    """As decisions.service._customer, over (paid, started_on, ended_on) rows."""
    rows = [(paid, _day(ended)) for paid, started, ended in relations
            if started is None or date.fromisoformat(started) <= day]
    best = max([r for r in rows if r[0]] or rows, key=lambda r: r[1] or date.max, default=None)
    return None if best is None else f.Customer(paid=best[0], relationship_ended=best[1])
