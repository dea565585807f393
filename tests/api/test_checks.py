"""POST /v1/checks end to end on a real server over SQLite and PostgreSQL: the answer is `decide --contact`'s
decision for the same store, every check is recorded in the ledger with the call centre that asked, and a
call centre may check only the numbers an export of the campaign gave it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from leadgate.campaigns.models import Partner
from leadgate.decisions.models import DecisionRecord
from leadgate.kit.db import unit_of_work
from leadgate.kit.moments import from_store
from leadgate.ledger import service as ledger
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import ContactPoint
from leadgate.rules.model import Rulebooks
from tests.api.checks_support import assign, consent_to, decide_contact, object_to, second_campaign
from tests.api.conftest import OTHER_CALL_CENTRE, Api
from tests.store_helpers import CAMPAIGN, count

AT = datetime.fromisoformat("2026-11-24T10:30:00+01:00")  # a Tuesday morning in calling hours
CONSENTED = "+31612345678"
STRANGER = "+31687654321"


def check(api: Api, role: str, **body: Any) -> Any:
    body.setdefault("campaign", CAMPAIGN)
    body.setdefault("channel", "phone")
    with api.client(role) as client:
        return client.post("/v1/checks", json=body)


def decision_part(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("check_id", "ledger_seq")}


def partner_id(url: str, name: str) -> str:
    with unit_of_work(url) as session:
        return session.scalars(select(Partner.id).where(Partner.name == name)).one()


@pytest.fixture
def store(api: Api) -> Api:
    consent_to(api.database_url, CONSENTED, given_at=AT - timedelta(days=30))
    consent_to(api.database_url, "chloe@example.be", country="BE", channel="email", given_at=AT - timedelta(days=3))
    object_to(api.database_url, "+32470998877", at=AT - timedelta(days=1))
    return api


CASES = [  # contact, country, channel, at, kind
    (CONSENTED, None, "phone", AT, None),
    ("06-12345678", "NL", "phone", AT, None),  # the same number, nationally written
    (CONSENTED, None, "phone", AT.replace(hour=22), None),  # after calling hours: next_allowed_at
    (CONSENTED, None, "phone", AT + timedelta(days=365), None),  # a year on: the balancing test has lapsed
    (STRANGER, None, "phone", AT, None),  # no consent (NL natural persons are opt-in)
    ("020 123 4567", "NL", "phone", AT, "company_general"),
    ("+32470998877", None, "phone", AT, None),  # objected
    ("chloe@example.be", "BE", "email", AT, None),
    ("nobody@example.fr", "FR", "email", AT, None),
    (CONSENTED, None, "sms", AT, None),
]


@pytest.mark.parametrize("role", ["marketing", "compliance", "admin"])
def test_the_answer_is_decide_contacts_decision_for_the_same_store(store: Api, books: Rulebooks, role: str) -> None:
    seen = set()
    for contact, country, channel, at, kind in CASES:
        body = {"contact": contact, "channel": channel, "at": at.isoformat()}
        body |= {"country": country} if country else {}
        body |= {"kind": kind} if kind else {}
        answer = check(store, role, **body)
        assert answer.status_code == 200, answer.text
        expected = decide_contact(store.database_url, books, contact=contact, country=country, channel=channel, at=at,
                                  kind=kind)
        assert decision_part(answer.json()) == expected
        seen.add(expected["allowed"])
    assert seen == {True, False}  # both kinds of answer are 200s


def test_the_check_is_recorded_in_the_ledger_with_the_call_centre_that_asked(store: Api) -> None:
    assign(store.database_url, "CallCo", CONSENTED)
    answer = check(store, "call_centre", contact=CONSENTED, at=AT.isoformat())
    by_marketing = check(store, "marketing", contact=CONSENTED, at=AT.isoformat())
    assert answer.status_code == by_marketing.status_code == 200, answer.text
    callco = partner_id(store.database_url, "CallCo")
    body = answer.json()
    assert body["allowed"] is True
    with unit_of_work(store.database_url) as session:
        record = session.get(DecisionRecord, body["check_id"])
        assert record is not None
        assert (record.call_centre_id, record.ledger_seq, record.allowed) == (callco, body["ledger_seq"], True)
        assert json.loads(record.decision) == decision_part(body)
        event = session.scalars(select(LedgerEvent).where(LedgerEvent.seq == body["ledger_seq"])).one()
        data = json.loads(event.body)["data"]
        assert event.kind == "decision.recorded"
        assert event.actor == f"api-key:{store.tokens['call_centre'].split('_')[1]}"
        assert (data["decision_record"], data["call_centre"], data["allowed"]) == (body["check_id"], callco, True)
        assert CONSENTED not in event.body  # no personal data in the ledger
        other = session.get(DecisionRecord, by_marketing.json()["check_id"])
        assert other is not None and other.call_centre_id is None
        assert ledger.verify(session).intact


def test_without_at_the_check_is_about_now(store: Api) -> None:
    before = datetime.now(UTC)
    answer = check(store, "marketing", contact=CONSENTED)
    after = datetime.now(UTC)
    assert answer.status_code == 200, answer.text
    with unit_of_work(store.database_url) as session:
        record = session.get(DecisionRecord, answer.json()["check_id"])
        assert record is not None
        assert before - timedelta(seconds=1) <= from_store(record.at) <= after


def test_a_call_centre_checks_only_numbers_an_export_of_the_campaign_gave_it(store: Api) -> None:
    url = store.database_url
    assign(url, OTHER_CALL_CENTRE, CONSENTED)  # another call centre's export does not count
    assign(url, "CallCo", STRANGER, campaign=second_campaign(url))  # nor one of another campaign
    before = count(url, DecisionRecord)
    for contact in (CONSENTED, STRANGER, "+31611111111"):
        refused = check(store, "call_centre", contact=contact, at=AT.isoformat())
        assert refused.status_code == 403, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == ("not_assigned", "contact")
        assert "not assigned" in refused.json()["message"]
    assert count(url, DecisionRecord) == before  # a refused check records nothing
    # The other call centre may check what it was given, and CallCo once it is given the number.
    assert check(store, "other_call_centre", contact=CONSENTED, at=AT.isoformat()).json()["allowed"] is True
    assign(url, "CallCo", "06-12345678", country="NL")
    assert check(store, "call_centre", contact="0612345678", country="NL", at=AT.isoformat()).status_code == 200
    assert check(store, "call_centre", contact=STRANGER, campaign="spring-2027", at=AT.isoformat()).status_code == 200


def test_a_call_centre_only_phones(store: Api) -> None:
    assign(store.database_url, "CallCo", CONSENTED)
    for body in ({"contact": CONSENTED, "channel": "sms"}, {"contact": "chloe@example.be", "channel": "email"}):
        refused = check(store, "call_centre", **body)
        assert (refused.status_code, refused.json()["field"]) == (403, "channel"), refused.text
    by_address = check(store, "call_centre", contact="chloe@example.be", channel="phone")
    assert (by_address.status_code, by_address.json()["code"]) == (403, "not_assigned")


def test_an_unknown_campaign_is_named_for_every_role(store: Api) -> None:
    for role in ("marketing", "call_centre"):
        answer = check(store, role, contact=CONSENTED, campaign="no-such-campaign")
        assert (answer.status_code, answer.json()["field"]) == (422, "campaign"), answer.text


@pytest.mark.parametrize("role", ["webform", None])
def test_webform_keys_and_anonymous_callers_are_refused(store: Api, role: str | None) -> None:
    with store.client(role) as client:
        answer = client.post("/v1/checks", json={"contact": CONSENTED, "campaign": CAMPAIGN, "channel": "phone"})
    assert answer.status_code == (403 if role else 401)
    assert answer.json()["code"] == ("forbidden" if role else "unauthenticated")
    assert count(store.database_url, DecisionRecord) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"contact": "not a number"}, "contact"),
    ({"contact": "0612345678"}, "contact"),  # national format without a country
    ({"contact": "anna@"}, "contact"),
    ({"contact": "1" * 321}, "contact"),
    ({"contact": None}, "contact"),  # neither contact nor person_id
    ({"person_id": "abc"}, "contact"),  # both
    ({"channel": "fax"}, "channel"),
    ({"channel": None}, "channel"),
    ({"campaign": ""}, "campaign"),
    ({"at": "2026-11-24T10:30:00"}, "at"),  # no offset
    ({"at": 1764000000}, "at"),  # a number is not a moment
    ({"at": "tomorrow"}, "at"),
    ({"at": "0001-01-01T00:00:00+14:00"}, "at"),  # no rulebook speaks of it (and UTC would overflow)
    ({"at": "9999-12-31T23:00:00-14:00"}, "at"),
    ({"campaign": "winter\u00002026"}, "campaign"),
    ({"country": "Netherlands"}, "country"),
    ({"kind": "alien"}, "kind"),
    ({"person_id": "not hex!", "contact": None}, "person_id"),
    ({"priority": "high"}, "priority"),
])
def test_invalid_input_is_refused_naming_the_field(store: Api, change: dict[str, Any], field: str) -> None:
    body: dict[str, Any] = {"contact": CONSENTED, "campaign": CAMPAIGN, "channel": "phone", "at": AT.isoformat()}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    with store.client("marketing") as client:
        answer = client.post("/v1/checks", json=body)
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_input", field)
    assert count(store.database_url, DecisionRecord) == 0


def test_a_future_moment_is_decided_under_the_rules_then(store: Api, books: Rulebooks) -> None:
    tomorrow = datetime.now(UTC).astimezone(AT.tzinfo) + timedelta(days=1)
    tonight = tomorrow.replace(hour=23, minute=0, second=0, microsecond=0)
    answer = check(store, "marketing", contact=CONSENTED, at=tonight.isoformat())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["allowed"] is False
    assert [r["category"] for r in body["reasons"]] == ["calling_hours"]
    assert datetime.fromisoformat(body["next_allowed_at"]) > tonight
    assert decision_part(body) == decide_contact(store.database_url, books, contact=CONSENTED, at=tonight)


def test_a_person_id_is_checked_on_its_contact_point_for_the_channel(store: Api, books: Rulebooks) -> None:
    url = store.database_url
    with unit_of_work(url) as session:
        point = session.scalars(select(ContactPoint).where(ContactPoint.value == CONSENTED)).one()
        person = point.person_id
    by_person = check(store, "marketing", person_id=person, at=AT.isoformat())
    assert by_person.status_code == 200, by_person.text
    assert decision_part(by_person.json()) == decide_contact(url, books, contact=CONSENTED, at=AT)
    no_address = check(store, "marketing", person_id=person, channel="email")
    assert (no_address.status_code, no_address.json()["field"]) == (404, "person_id")
    unknown = check(store, "marketing", person_id="0" * 32)
    assert (unknown.status_code, unknown.json()["field"]) == (404, "person_id")
    assert check(store, "call_centre", person_id="0" * 32).status_code == 403  # tells a call centre nothing
    with unit_of_work(url) as session:  # a second number: the caller must say which
        session.add(ContactPoint(person_id=person, medium="phone", value="+31201234567", region="NL", mobile=False,
                                 created_at=AT))
    several = check(store, "marketing", person_id=person)
    assert (several.status_code, several.json()["field"]) == (422, "contact"), several.text
    sms = check(store, "marketing", person_id=person, channel="sms", at=AT.isoformat())  # the mobile one
    assert decision_part(sms.json()) == decide_contact(url, books, contact=CONSENTED, channel="sms", at=AT)
    assign(url, "CallCo", CONSENTED)
    with unit_of_work(url) as session:
        session.execute(delete(ContactPoint).where(ContactPoint.value == "+31201234567"))
    assert check(store, "call_centre", person_id=person, at=AT.isoformat()).json()["allowed"] is True


def test_checks_are_counted_one_record_each(store: Api) -> None:
    for _ in range(3):
        assert check(store, "compliance", contact=STRANGER, at=AT.isoformat()).status_code == 200
    with unit_of_work(store.database_url) as session:
        assert session.scalar(select(func.count()).select_from(DecisionRecord)) == 3
        assert session.scalar(select(func.count()).select_from(LedgerEvent).where(
            LedgerEvent.kind == "decision.recorded")) == 3
