"""Finding or creating the person behind a phone number or e-mail address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.contact import normalise_email
from leadgate.core.phone import parse_phone
from leadgate.kit.errors import InvalidInput
from leadgate.people.models import ContactPoint, Person


def normalise(raw: str, *, country: str | None) -> tuple[str, str, str | None, bool | None]:
    """(medium, value, region, mobile) of a phone number or e-mail address, or InvalidInput naming it."""
    raw = raw.strip()
    if "@" in raw:
        address = normalise_email(raw)
        if address is None:
            raise InvalidInput(f"{raw!r} is not a valid e-mail address.", field="contact")
        return "email", address, country, None
    phone = parse_phone(raw, country)
    if phone is None:
        hint = "" if country else " (give the country for national formats like 06-12345678)"
        raise InvalidInput(f"{raw!r} is not a valid phone number{hint}.", field="contact")
    return "phone", phone.e164, phone.region, phone.mobile


def find_contact(session: Session, raw: str, *, country: str | None) -> ContactPoint | None:
    medium, value, _, _ = normalise(raw, country=country)
    return session.scalars(select(ContactPoint).where(ContactPoint.medium == medium,
                                                      ContactPoint.value == value)).first()


def find_or_create_contact(session: Session, raw: str, *, country: str | None, kind: str, now: datetime
                           ) -> ContactPoint:
    medium, value, region, mobile = normalise(raw, country=country)
    found = session.scalars(select(ContactPoint).where(ContactPoint.medium == medium,
                                                       ContactPoint.value == value)).first()
    if found is not None:
        return found
    person = Person(kind=kind, country=country, created_at=now)
    session.add(person)
    session.flush()
    point = ContactPoint(person_id=person.id, medium=medium, value=value, region=region, mobile=mobile,
                         created_at=now)
    session.add(point)
    session.flush()
    return point
