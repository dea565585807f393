"""Customer relationships from our own CRM: one at a time or a whole CSV file, each a ledger event.

A relationship is known by (person, reference) or, without a reference, by (person, paid, started_on):
recording it again updates it instead of adding a second one, and appends an event only when
something changed. Flushes, never commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.facts import CONTACT_KINDS
from leadgate.kit.csvrows import Row, RowErrors, read_rows
from leadgate.kit.errors import InvalidInput
from leadgate.kit.moments import parse_day
from leadgate.ledger import service as ledger
from leadgate.people import service as people
from leadgate.people.models import ContactPoint, CustomerRelationship, Person, new_id

PAID_WORDS = {"yes": True, "true": True, "1": True, "ja": True, "oui": True, "y": True, "j": True,
              "no": False, "false": False, "0": False, "nee": False, "non": False, "n": False}


@dataclass(frozen=True)
class CustomerSpec:
    """One validated relationship, as a command or a CSV row gives it."""

    contact: str
    country: str | None
    kind: str | None  # None: keep the person's kind (consumer for a new person)
    name: str | None
    paid: bool
    started_on: date | None
    ended_on: date | None
    reference: str | None


@dataclass(frozen=True)
class CustomerImport:
    rows: int
    created: int
    updated: int
    unchanged: int
    persons_created: int
    file_sha256: str


def check(spec: CustomerSpec) -> CustomerSpec:
    """The spec, or InvalidInput naming the field."""
    if spec.kind is not None and spec.kind not in CONTACT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(CONTACT_KINDS)}, not {spec.kind!r}.", field="kind")
    if spec.started_on and spec.ended_on and spec.ended_on < spec.started_on:
        raise InvalidInput(f"ended_on {spec.ended_on} is before started_on {spec.started_on}.", field="ended_on")
    if spec.reference is not None and len(spec.reference) > 100:
        raise InvalidInput("reference is longer than 100 characters.", field="reference")
    people.normalise(spec.contact, country=spec.country)  # raises naming "contact"
    return spec


def _matches(relation: CustomerRelationship, spec: CustomerSpec) -> bool:
    if spec.reference:
        return relation.reference == spec.reference
    return relation.reference is None and relation.paid == spec.paid and relation.started_on == spec.started_on


def _apply(session: Session, *, person: Person, relations: list[CustomerRelationship], spec: CustomerSpec,
           now: datetime, actor: str) -> tuple[CustomerRelationship, str]:
    """Record `spec` for `person`, whose relationships are `relations` (kept current)."""
    # The CRM is ours: what it says about the person is the latest truth.
    if spec.kind is not None:
        person.kind = spec.kind
    if spec.name:
        person.name = spec.name
    if person.country is None and spec.country:
        person.country = spec.country
    found = next((r for r in relations if _matches(r, spec)), None)
    values = {"paid": spec.paid, "started_on": spec.started_on, "ended_on": spec.ended_on,
              "reference": spec.reference}
    if found is None:
        found = CustomerRelationship(id=new_id(), person_id=person.id, created_at=now, **values)
        session.add(found)
        relations.append(found)
        change = "created"
    elif any(getattr(found, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(found, k, v)
        change = "updated"
    else:
        return found, "unchanged"
    ledger.append(session, kind="customer.recorded", actor=actor, at=now, subject=person.id, data={
        "relationship": found.id, "change": change, "paid": spec.paid,
        "started_on": spec.started_on.isoformat() if spec.started_on else None,
        "ended_on": spec.ended_on.isoformat() if spec.ended_on else None})
    return found, change


def record_customer(session: Session, *, spec: CustomerSpec, now: datetime, actor: str
                    ) -> tuple[CustomerRelationship, str]:
    """Store or update one relationship; returns it and 'created', 'updated' or 'unchanged'."""
    check(spec)
    point = people.find_or_create_contact(session, spec.contact, country=spec.country,
                                          kind=spec.kind or "consumer", now=now)
    person = session.get(Person, point.person_id)
    assert person is not None
    relations = list(session.scalars(select(CustomerRelationship)
                                     .where(CustomerRelationship.person_id == person.id)))
    result = _apply(session, person=person, relations=relations, spec=spec, now=now, actor=actor)
    session.flush()
    return result


def _spec_of(row: Row, country: str | None, errors: RowErrors) -> CustomerSpec | None:
    bad = len(errors.problems)
    contact = row.get("contact", "phone", "email")
    if not contact:
        errors.add(row.number, "contact", "no phone number or e-mail address")
    paid_text = row.get("paid").lower()
    paid = PAID_WORDS.get(paid_text)
    if paid is None:
        errors.add(row.number, "paid", f"{paid_text!r} is not yes/no (also true/false, 1/0, ja/nee, oui/non)")
    days: dict[str, date | None] = {}
    for column in ("started_on", "ended_on"):
        text = row.get(column)
        try:
            days[column] = parse_day(text) if text else None
        except ValueError as exc:
            errors.add(row.number, column, str(exc))
    if len(errors.problems) > bad or paid is None:
        return None
    spec = CustomerSpec(contact=contact, country=(row.get("country") or country or "").upper() or None,
                        kind=row.get("kind").lower() or None, name=row.get("name") or None, paid=paid,
                        started_on=days["started_on"], ended_on=days["ended_on"],
                        reference=row.get("reference", "customer_number") or None)
    try:
        return check(spec)
    except InvalidInput as exc:
        errors.add(row.number, exc.field or "row", exc.message)
        return None


def import_customers(session: Session, *, data: bytes, where: str, country: str | None, now: datetime,
                     actor: str) -> CustomerImport:
    """A CRM export, all or nothing: any bad row refuses the file, naming every bad row and field."""
    rows = read_rows(data, where, required=(("contact", "phone", "email"), ("paid",)))
    errors = RowErrors(where)
    specs = [_spec_of(row, country, errors) for row in rows]
    errors.raise_if_any()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    known = [spec for spec in specs if spec is not None]
    persons, created = _persons_of(session, known, now)
    relations: dict[str, list[CustomerRelationship]] = {person.id: [] for person in persons}
    for chunk in _chunks(sorted(relations)):
        for relation in session.scalars(select(CustomerRelationship)
                                        .where(CustomerRelationship.person_id.in_(chunk))):
            relations[relation.person_id].append(relation)
    for spec, person in zip(known, persons, strict=True):
        _, change = _apply(session, person=person, relations=relations[person.id], spec=spec, now=now, actor=actor)
        counts[change] += 1
    session.flush()
    return CustomerImport(rows=len(rows), persons_created=created, file_sha256=hashlib.sha256(data).hexdigest(),
                          **counts)


def _chunks(values: list[str], size: int = 1000) -> list[list[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _persons_of(session: Session, specs: list[CustomerSpec], now: datetime) -> tuple[list[Person], int]:
    """The person of each spec, read in a few queries; persons of unknown contacts are created (persons
    first, then contact points: no ORM relationship orders the two tables within one flush)."""
    normalised = [people.normalise(spec.contact, country=spec.country) for spec in specs]
    points: dict[tuple[str, str], ContactPoint] = {}
    for chunk in _chunks(sorted({value for _, value, _, _ in normalised})):
        points.update(((p.medium, p.value), p) for p in session.scalars(select(ContactPoint)
                                                                        .where(ContactPoint.value.in_(chunk))))
    by_id: dict[str, Person] = {}
    for chunk in _chunks(sorted({p.person_id for p in points.values()})):
        by_id.update((p.id, p) for p in session.scalars(select(Person).where(Person.id.in_(chunk))))
    new_points: list[ContactPoint] = []
    for spec, (medium, value, region, mobile) in zip(specs, normalised, strict=True):
        if (medium, value) not in points:
            person = Person(id=new_id(), kind=spec.kind or "consumer", country=spec.country, created_at=now)
            by_id[person.id] = person
            session.add(person)
            points[(medium, value)] = ContactPoint(id=new_id(), person_id=person.id, medium=medium, value=value,
                                                   region=region, mobile=mobile, created_at=now)
            new_points.append(points[(medium, value)])
    session.flush()
    session.add_all(new_points)
    session.flush()
    return [by_id[points[(m, v)].person_id] for m, v, _, _ in normalised], len(new_points)
