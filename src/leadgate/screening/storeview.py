"""What the store knows about the screened people, loaded once per run instead of once per contact.

Each piece is turned into the decision contract's facts exactly as `decisions.service` does for one
contact (same ordering, same choice of customer relationship and data source); the screening property
test holds the two equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Partner
from leadgate.consent.models import Consent, Objection
from leadgate.core import facts as f
from leadgate.intake.models import DataSource, Lead
from leadgate.kit.moments import from_store
from leadgate.people.models import CustomerRelationship

_CHUNK = 5_000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


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
    consents: dict[str, list[Consent]] = field(default_factory=dict)  # contact point -> by given_at
    objections: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)  # person -> (channel, at)
    customers: dict[str, list[tuple[bool, date | None, date | None]]] = field(default_factory=dict)
    attempts: dict[str, tuple[f.Attempt, ...]] = field(default_factory=dict)  # contact point
    sources: dict[str, f.Source] = field(default_factory=dict)  # person -> latest lead's data source
    leads: dict[str, LeadContext] = field(default_factory=dict)  # person -> latest lead

    def has_history(self, person_id: str | None, point_id: str | None) -> bool:
        """Whether the facts of this contact carry more than its kind, country and source."""
        return (point_id is not None and (point_id in self.consents or point_id in self.attempts)) or (
            person_id is not None and (person_id in self.objections or person_id in self.customers))


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for i in ids:
        batch.append(i)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def load(session: Session, *, person_ids: set[str], point_ids: set[str]) -> StoreView:
    view = StoreView()
    consents: defaultdict[str, list[Consent]] = defaultdict(list)
    for batch in _chunks(sorted(point_ids)):
        for c in session.scalars(select(Consent).where(Consent.contact_point_id.in_(batch))):
            consents[c.contact_point_id].append(c)
    view.consents = {k: sorted(v, key=lambda c: (from_store(c.given_at), c.id)) for k, v in consents.items()}

    objections: defaultdict[str, list[tuple[str, datetime]]] = defaultdict(list)
    customers: defaultdict[str, list[tuple[bool, date | None, date | None]]] = defaultdict(list)
    latest: dict[str, tuple[datetime, str, LeadContext, f.Source]] = {}
    for batch in _chunks(sorted(person_ids)):
        for pid, channel, at in session.execute(select(Objection.person_id, Objection.channel, Objection.at)
                                                .where(Objection.person_id.in_(batch))):
            if pid is not None:
                objections[pid].append((channel, from_store(at)))
        for pid, paid, started, ended in session.execute(
                select(CustomerRelationship.person_id, CustomerRelationship.paid, CustomerRelationship.started_on,
                       CustomerRelationship.ended_on).where(CustomerRelationship.person_id.in_(batch))):
            customers[pid].append((paid, started, ended))
        rows = session.execute(
            select(Lead.person_id, Lead.id, Lead.received_at, Lead.extra, DataSource.code, DataSource.kind,
                   DataSource.purpose_compatible, DataSource.disabled, Partner.name)
            .join(DataSource, DataSource.id == Lead.data_source_id)
            .outerjoin(Partner, Partner.id == DataSource.supplier_id)
            .where(Lead.person_id.in_(batch)))
        for pid, lead_id, received, extra, code, kind, compatible, disabled, supplier in rows:
            moment = from_store(received)
            seen = latest.get(pid)
            # The latest lead, ties broken by the higher id: as decisions.service._source orders them.
            if seen is None or (moment, lead_id) > (seen[0], seen[1]):
                latest[pid] = (moment, lead_id, LeadContext(supplier, code, kind, moment, extra),
                               f.Source(kind=kind, purpose_compatible=compatible, disabled=disabled))
    view.objections, view.customers = dict(objections), dict(customers)
    view.leads = {pid: v[2] for pid, v in latest.items()}
    view.sources = {pid: v[3] for pid, v in latest.items()}

    attempts: defaultdict[str, list[f.Attempt]] = defaultdict(list)
    for batch in _chunks(sorted(point_ids)):
        for a, name in session.execute(select(ContactAttempt, Partner.name)
                                       .outerjoin(Partner, ContactAttempt.call_centre_id == Partner.id)
                                       .where(ContactAttempt.contact_point_id.in_(batch))):
            assert a.contact_point_id is not None
            attempts[a.contact_point_id].append(f.Attempt(at=from_store(a.at), outcome=a.outcome,
                                                          campaign=a.campaign_id, call_centre=name, rings=a.rings))
    view.attempts = {k: tuple(sorted(v, key=lambda a: a.at)) for k, v in attempts.items()}
    return view


def customer(relations: list[tuple[bool, date | None, date | None]] | None, day: date) -> f.Customer | None:
    """As decisions.service._customer: an ongoing paid relationship, else the paid one that ended last,
    else an unpaid one; one that starts after `day` did not exist yet."""
    if not relations:
        return None
    known = [r for r in relations if r[1] is None or r[1] <= day]
    best = max([r for r in known if r[0]] or known, key=lambda r: r[2] or date.max, default=None)
    return None if best is None else f.Customer(paid=best[0], relationship_ended=best[2])


def objections(own: list[tuple[str, datetime]] | None, suppressed: list[tuple[str, datetime]] | None
               ) -> tuple[f.Objection, ...]:
    unique = sorted(set(own or ()) | set(suppressed or ()), key=lambda o: (o[1], o[0]))
    return tuple(f.Objection(channel=channel, at=at) for channel, at in unique)
