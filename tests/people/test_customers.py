"""Customer relationships from the CRM on SQLite and PostgreSQL: matched per person, updated not
duplicated, bad files refused whole."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.people import customers as service
from leadgate.people.models import ContactPoint, CustomerRelationship, Person
from tests.store_helpers import NOW, count

CRM = (
    "contact;country;kind;name;paid;started_on;ended_on;reference\n"
    "+31623456789;NL;consumer;Bram Jansen;yes;2019-04-01;;KL-100234\n"
    "06 34567890;NL;sole_trader;Carla Visser;ja;2021-01-01;2025-06-30;KL-088120\n"
    "0687654321;NL;;Nina Bos;nee;2026-05-01;;\n"
    "06-34567890;NL;;;oui;2025-07-01;;KL-099000\n"  # the same person as row 3, a second contract
)


def load(url: str, text: str) -> service.CustomerImport:
    with unit_of_work(url) as session:
        return service.import_customers(session, data=text.encode("utf-8"), where="crm.csv", country=None, now=NOW,
                                        actor="test")


def test_a_crm_file_stores_each_relationship_once_per_person(database_url: str) -> None:
    summary = load(database_url, CRM)
    assert (summary.rows, summary.created, summary.updated, summary.persons_created) == (4, 4, 0, 3)
    with unit_of_work(database_url) as session:
        carla = session.scalars(select(ContactPoint).where(ContactPoint.value == "+31634567890")).one()
        person = session.get(Person, carla.person_id)
        assert person is not None and (person.kind, person.name) == ("sole_trader", "Carla Visser")
        ended = session.scalars(select(CustomerRelationship.ended_on)
                                .where(CustomerRelationship.person_id == carla.person_id)
                                .order_by(CustomerRelationship.started_on)).all()
        assert ended == [date(2025, 6, 30), None]
        events = [e["body"] for e in ledger.export(session)]
    assert [e["kind"] for e in events] == ["customer.recorded"] * 4
    assert {e["data"]["paid"] for e in events} == {True, False}
    text = json.dumps(events)
    assert "34567890" not in text and "Carla" not in text  # no contact data or names in the ledger


def test_importing_again_changes_nothing_and_a_changed_row_updates(database_url: str) -> None:
    load(database_url, CRM)
    again = load(database_url, CRM)
    assert (again.created, again.updated, again.unchanged, again.persons_created) == (0, 0, 4, 0)
    with unit_of_work(database_url) as session:
        assert ledger.count(session) == 4
    changed = load(database_url, CRM.replace("2019-04-01;;KL-100234", "2019-04-01;2026-10-31;KL-100234")
                   .replace("Nina Bos;nee;2026-05-01;;", "Nina Bos;nee;2026-05-01;2026-06-01;"))
    # With a reference the row is found by it; without, by (paid, started_on): both update in place.
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 2)
    assert count(database_url, CustomerRelationship) == 4
    with unit_of_work(database_url) as session:
        assert session.scalars(select(CustomerRelationship.ended_on)
                               .where(CustomerRelationship.reference == "KL-100234")).one() == date(2026, 10, 31)


def test_bad_rows_refuse_the_whole_file_naming_each_row_and_field(database_url: str) -> None:
    bad = CRM + ("06-1234;NL;;;yes;;;\n"
                 "0611111111;NL;;;maybe;2024-13-01;;\n"
                 "0622222222;NL;citizen;;no;2024-05-01;2024-04-01;\n"
                 ";NL;;;yes;;;\n")
    with pytest.raises(InvalidInput) as caught:
        load(database_url, bad)
    message = caught.value.message
    for expected in ("row 6: contact", "row 7: paid", "row 7: started_on", "row 8: kind", "row 9: contact",
                     "4 bad row(s); nothing was imported"):
        assert expected in message
    assert "row 2" not in message and "row 8: ended_on" not in message  # one problem per check, good rows not named
    assert (count(database_url, Person), count(database_url, CustomerRelationship)) == (0, 0)
    with unit_of_work(database_url) as session:
        assert ledger.count(session) == 0


def test_ended_before_started_is_refused(database_url: str) -> None:
    spec = service.CustomerSpec(contact="0612345678", country="NL", kind=None, name=None, paid=True,
                                started_on=date(2025, 1, 1), ended_on=date(2024, 12, 31), reference=None)
    with pytest.raises(InvalidInput) as caught, unit_of_work(database_url) as session:
        service.record_customer(session, spec=spec, now=NOW, actor="test")
    assert caught.value.field == "ended_on"
    assert count(database_url, Person) == 0


def test_more_than_twenty_bad_rows_are_counted_not_all_named(database_url: str) -> None:
    rows = "".join(f"06123456{n:02d};NL;;;perhaps;;;\n" for n in range(30))
    with pytest.raises(InvalidInput) as caught:
        load(database_url, "contact;country;kind;name;paid;started_on;ended_on;reference\n" + rows)
    assert "row 21: paid" in caught.value.message and "row 22:" not in caught.value.message
    assert "and 10 more row(s)" in caught.value.message


def test_windows_1252_tab_separated_with_phone_and_email_columns(database_url: str) -> None:
    text = "phone\temail\tname\tpaid\tcountry\n\t\tx\tyes\tNL\n".replace("\t\tx", "\tjosé@example.fr\tJosé Müller")
    data = text.encode("cp1252")
    with unit_of_work(database_url) as session:
        summary = service.import_customers(session, data=data, where="crm.csv", country=None, now=NOW, actor="t")
        assert summary.created == 1
        assert session.scalars(select(Person.name)).one() == "José Müller"
        assert session.scalars(select(ContactPoint.value)).one() == "josé@example.fr"
