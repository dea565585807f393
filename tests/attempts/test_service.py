"""Call outcomes on SQLite and PostgreSQL: recorded once per call id, opt-outs become objections, connected
calls use up single-use consents given before them, bad files are refused whole."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from leadgate.attempts import service
from leadgate.attempts.models import ContactAttempt
from leadgate.consent import service as consents
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.people.models import ContactPoint, Person
from tests.store_helpers import KEY, NOW, count, setup_store

HEADER = "call_id;contact;country;campaign;at;outcome;rings;channel\n"
FILE = HEADER + (
    "CC-1;06.456.789.01;NL;winter-2026;2026-11-20T09:15:00+01:00;no_answer;7\n"
    "CC-2;06 567 890 12;NL;winter-2026;2026-11-20T14:02:00+01:00;opt_out;\n"
    "CC-3;+31612345678;NL;winter-2026;2026-11-21T10:00:00+01:00;connected;2\n"
)


def give(url: str, *, days_before_call: int, single_use: bool = True) -> str:
    with unit_of_work(url) as session:
        return consents.give_consent(
            session, contact="0612345678", country="NL", kind="consumer", channel="phone", text="Ja, bel mij.",
            source_code="LP-1", given_at=NOW.replace(day=21, hour=9) - timedelta(days=days_before_call), now=NOW,
            actor="test", single_use=single_use).id


def load(url: str, text: str, call_centre: str = "CallCo") -> service.OutcomesImport:
    with unit_of_work(url) as session:
        return service.import_outcomes(session, data=text.encode("utf-8"), where="out.csv", call_centre=call_centre,
                                       country=None, now=NOW, actor="test", key=KEY)


def test_outcomes_are_recorded_once_and_act_on_opt_out_and_connected(database_url: str) -> None:
    setup_store(database_url)
    before, unused_multi = give(database_url, days_before_call=2), give(database_url, days_before_call=3,
                                                                        single_use=False)
    first = load(database_url, FILE)
    assert (first.rows, first.recorded, first.already_known) == (3, 3, 0)
    assert (first.persons_created, first.objections, first.consents_used) == (2, 1, 1)
    again = load(database_url, FILE)
    assert (again.recorded, again.already_known, again.objections, again.consents_used) == (0, 3, 0, 0)
    assert count(database_url, ContactAttempt) == 3 and count(database_url, Objection) == 1
    with unit_of_work(database_url) as session:
        used = {c.id: c.used_at for c in session.scalars(select(Consent))}
        assert used[before] is not None and used[unused_multi] is None
        objection = session.scalars(select(Objection)).one()
        assert (objection.channel, objection.received_via) == ("phone", "call_centre")
        assert session.scalars(select(Suppression.channel)).one() == "phone"
        events = [e["body"] for e in ledger.export(session)]
    kinds = [e["kind"] for e in events]
    assert kinds.count("outcomes.imported") == 2 and kinds.count("consent.used") == 1
    assert kinds.count("objection") == 1
    assert "contact_attempt" not in kinds  # attempts are rows, not one event each
    imported = next(e for e in events if e["kind"] == "outcomes.imported")
    assert imported["data"]["recorded"] == 3 and len(imported["data"]["file_sha256"]) == 64
    assert "+31645678901" not in json.dumps(events)


def test_a_connected_call_does_not_use_a_consent_given_after_it(database_url: str) -> None:
    setup_store(database_url)
    after = give(database_url, days_before_call=-1)  # given the day after the call
    assert load(database_url, FILE).consents_used == 0
    with unit_of_work(database_url) as session:
        consent = session.get(Consent, after)
        assert consent is not None and consent.used_at is None


def test_an_unknown_number_becomes_a_person_of_the_given_kind(database_url: str) -> None:
    setup_store(database_url)
    load(database_url, "call_id,phone,kind,campaign,at,outcome\n"
                       "X9,+32 470 12 34 56,business,winter-2026,2026-11-20T10:00:00+01:00,busy\n")
    with unit_of_work(database_url) as session:
        point = session.scalars(select(ContactPoint)).one()
        person = session.get(Person, point.person_id)
        assert person is not None and person.kind == "business"
        attempt = session.scalars(select(ContactAttempt)).one()
        assert (attempt.person_id, attempt.contact_point_id, attempt.rings) == (person.id, point.id, None)


@pytest.mark.parametrize(("row", "expected"), [
    ("CC-9;0645678901;NL;summer-2027;2026-11-20T09:15:00+01:00;no_answer;", "row 5: campaign"),
    ("CC-9;0645678901;NL;winter-2026;2026-11-20T09:15:00;no_answer;", "row 5: at"),
    ("CC-9;0645678901;NL;winter-2026;2027-01-01T09:15:00+01:00;no_answer;", "row 5: at"),
    ("CC-9;0645678901;NL;winter-2026;2026-11-20T09:15:00+01:00;hung_up;", "row 5: outcome"),
    ("CC-9;0645678901;NL;winter-2026;2026-11-20T09:15:00+01:00;busy;many", "row 5: rings"),
    ("CC-9;06-4567;NL;winter-2026;2026-11-20T09:15:00+01:00;busy;", "row 5: contact"),
    (";0645678901;NL;winter-2026;2026-11-20T09:15:00+01:00;busy;", "row 5: call_id"),
    ("CC-1;0645678901;NL;winter-2026;2026-11-20T09:15:00+01:00;busy;", "row 5: call_id"),  # CC-1 said no_answer
    ("CC-9;0645678901;NL;winter-2026;2026-11-20T09:15:00+01:00;busy;;email", "row 5: channel"),
])
def test_a_bad_row_refuses_the_whole_file(database_url: str, row: str, expected: str) -> None:
    setup_store(database_url)
    events = _events(database_url)
    with pytest.raises(InvalidInput) as caught:
        load(database_url, FILE + row + "\n")
    assert expected in caught.value.message and "nothing was imported" in caught.value.message
    assert (count(database_url, ContactAttempt), count(database_url, Person), count(database_url, Objection)) \
        == (0, 0, 0)
    assert _events(database_url) == events


def test_the_same_call_twice_in_one_file_is_one_attempt(database_url: str) -> None:
    setup_store(database_url)
    summary = load(database_url, FILE + "CC-1;+31645678901;NL;winter-2026;2026-11-20T09:15:00+01:00;no_answer;7\n")
    assert (summary.recorded, summary.already_known) == (3, 1)


def test_the_call_centre_must_be_a_known_call_centre(database_url: str) -> None:
    setup_store(database_url)
    for name in ("Nobody", "LeadShop"):
        with pytest.raises(InvalidInput) as caught:
            load(database_url, FILE, call_centre=name)
        assert caught.value.field == "call_centre" and "partner add" in caught.value.message


def _events(url: str) -> int:
    with unit_of_work(url) as session:
        return ledger.count(session)
