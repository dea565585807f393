"""POST /v1/outcomes end to end on a real server over SQLite and PostgreSQL: idempotent by the call
centre's call id, an opt-out refuses the very next check, a connected call uses up a single-use consent,
and a batch with one bad item stores nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Partner
from leadgate.consent.models import Consent, Objection
from leadgate.kit.db import unit_of_work
from leadgate.ledger import service as ledger
from leadgate.ledger.models import LedgerEvent
from tests.api.checks_support import assign, consent_to, second_campaign
from tests.api.conftest import OTHER_CALL_CENTRE, Api
from tests.store_helpers import CAMPAIGN, count

AT = datetime.fromisoformat("2026-11-24T10:30:00+01:00")  # a Tuesday morning in calling hours, in the past
NUMBER = "+31612345678"
OTHER = "+31687654321"


def item(call_id: str, contact: str = NUMBER, outcome: str = "no_answer", at: datetime = AT,
         **more: Any) -> dict[str, Any]:
    return {"call_id": call_id, "contact": contact, "campaign": CAMPAIGN, "at": at.isoformat(), "outcome": outcome,
            **more}


def report(api: Api, role: str, *items: dict[str, Any], **more: Any) -> Any:
    with api.client(role) as client:
        return client.post("/v1/outcomes", json={"outcomes": list(items), **more})


def check(api: Api, contact: str = NUMBER, at: datetime = AT + timedelta(hours=1)) -> dict[str, Any]:
    with api.client("call_centre") as client:
        answer = client.post("/v1/checks", json={"contact": contact, "campaign": CAMPAIGN, "channel": "phone",
                                                 "at": at.isoformat()})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
def store(api: Api) -> Api:
    consent_to(api.database_url, NUMBER, given_at=AT - timedelta(days=30))
    assign(api.database_url, "CallCo", NUMBER, OTHER)
    return api


def test_a_call_id_is_recorded_once_per_call_centre(store: Api) -> None:
    first = report(store, "call_centre", item("c-1", rings=4))
    assert first.status_code == 200, first.text
    [result] = first.json()["results"]
    assert (result["call_id"], result["status"], result["objection_id"], result["consents_used"]) == \
        ("c-1", "recorded", None, 0)
    again = report(store, "call_centre", item("c-1", rings=4), item("c-2", contact="06-87654321", country="NL"),
                   item("c-2", contact=OTHER))  # the same call twice in one batch, written differently
    assert again.status_code == 200, again.text
    statuses = [(r["call_id"], r["status"]) for r in again.json()["results"]]
    assert statuses == [("c-1", "duplicate"), ("c-2", "recorded"), ("c-2", "duplicate")]
    assert again.json()["results"][0]["attempt_id"] == result["attempt_id"]
    assert count(store.database_url, ContactAttempt) == 2
    # Call ids are the call centre's own: another call centre's "c-1" is another call.
    assign(store.database_url, OTHER_CALL_CENTRE, NUMBER)
    theirs = report(store, "other_call_centre", item("c-1"))
    assert theirs.json()["results"][0]["status"] == "recorded"
    with unit_of_work(store.database_url) as session:
        attempt = session.get(ContactAttempt, result["attempt_id"])
        callco = session.scalars(select(Partner.id).where(Partner.name == "CallCo")).one()
        assert attempt is not None
        assert (attempt.call_centre_id, attempt.call_id, attempt.outcome, attempt.rings) == (callco, "c-1",
                                                                                             "no_answer", 4)
        event = session.scalars(select(LedgerEvent).where(LedgerEvent.seq == again.json()["ledger_seq"])).one()
        data = json.loads(event.body)["data"]
        assert (event.kind, data["recorded"], data["duplicates"], data["call_centre"]) == \
            ("outcomes.reported", 1, 2, callco)
        assert NUMBER not in event.body
        assert ledger.verify(session).intact


def test_an_opt_out_refuses_the_very_next_check(store: Api) -> None:
    assert check(store)["allowed"] is True
    answer = report(store, "call_centre", item("c-9", outcome="opt_out"))
    assert answer.status_code == 200, answer.text
    objection = answer.json()["results"][0]["objection_id"]
    assert objection is not None
    after = check(store)  # the next request, on a new connection
    assert after["allowed"] is False
    assert "objection" in [r["category"] for r in after["reasons"]]
    with unit_of_work(store.database_url) as session:
        stored = session.get(Objection, objection)
        assert stored is not None and stored.received_via == "call_centre"


def test_a_connected_call_uses_up_a_single_use_consent(store: Api) -> None:
    consent = consent_to(store.database_url, OTHER, given_at=AT - timedelta(days=1), single_use=True)
    assert check(store, OTHER)["allowed"] is True
    busy = report(store, "call_centre", item("c-1", OTHER, outcome="busy"))
    assert busy.json()["results"][0]["consents_used"] == 0
    assert check(store, OTHER)["allowed"] is True
    connected = report(store, "call_centre", item("c-2", OTHER, outcome="connected", at=AT + timedelta(minutes=5)))
    assert connected.json()["results"][0]["consents_used"] == 1
    after = check(store, OTHER, at=AT + timedelta(days=1))
    assert after["allowed"] is False
    assert "consent" in [r["category"] for r in after["reasons"]]
    with unit_of_work(store.database_url) as session:
        used = session.get(Consent, consent)
        assert used is not None and used.used_at is not None


@pytest.mark.parametrize(("bad", "field"), [
    ({"contact": "not a number"}, "outcomes.1.contact"),
    ({"at": "2026-11-24T10:30:00"}, "outcomes.1.at"),  # no offset
    ({"at": (datetime.now(AT.tzinfo) + timedelta(hours=1)).isoformat()}, "outcomes.1.at"),  # in the future
    ({"outcome": "hung_up"}, "outcomes.1.outcome"),
    ({"campaign": "no-such-campaign"}, "outcomes.1.campaign"),
    ({"rings": -1}, "outcomes.1.rings"),
    ({"call_id": ""}, "outcomes.1.call_id"),
    ({"call_id": "c\u00002"}, "outcomes.1.call_id"),  # PostgreSQL stores no NUL
    ({"at": "0001-01-01T00:00:00+14:00"}, "outcomes.1.at"),
    ({"call_id": "c-1"}, "outcomes.1.call_id"),  # item 0's call id with other data
    ({"channel": "email"}, "outcomes.1.channel"),  # a phone number is no e-mail address
    ({"kind": "robot"}, "outcomes.1.kind"),
    ({"note": "x"}, "outcomes.1.note"),
])
def test_a_batch_with_one_bad_item_stores_nothing(store: Api, bad: dict[str, Any], field: str) -> None:
    events = count(store.database_url, LedgerEvent)
    answer = report(store, "call_centre", item("c-1", outcome="opt_out"), {**item("c-2", OTHER), **bad},
                    item("c-3", outcome="connected"))
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_input", field)
    assert count(store.database_url, ContactAttempt) == count(store.database_url, Objection) == 0
    assert count(store.database_url, LedgerEvent) == events


@pytest.mark.parametrize("size", [0, 1001])
def test_a_batch_holds_one_to_a_thousand_outcomes(store: Api, size: int) -> None:
    answer = report(store, "call_centre", *[item(f"c-{i}") for i in range(size)])
    assert (answer.status_code, answer.json()["field"]) == (422, "outcomes")


def test_a_full_batch_is_recorded(store: Api) -> None:
    answer = report(store, "admin", *[item(f"c-{i}", f"+3161000{i:04d}") for i in range(1000)], call_centre="CallCo")
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"recorded"}
    assert count(store.database_url, ContactAttempt) == 1000


def test_a_call_centre_reports_only_phone_calls_to_numbers_assigned_to_it(store: Api) -> None:
    url = store.database_url
    assign(url, OTHER_CALL_CENTRE, "+31611111111")
    assign(url, "CallCo", "+31622222222", campaign=second_campaign(url))
    for stranger in ("+31611111111", "+31622222222", "+31633333333"):
        refused = report(store, "call_centre", item("c-1"), item("c-2", stranger))
        assert refused.status_code == 403, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == ("not_assigned", "outcomes.1.contact")
        assert "not assigned" in refused.json()["message"]
    sms = report(store, "call_centre", item("c-1", channel="sms"))
    assert (sms.status_code, sms.json()["field"]) == (403, "outcomes.0.channel")
    named = report(store, "call_centre", item("c-1"), call_centre=OTHER_CALL_CENTRE)
    assert (named.status_code, named.json()["field"]) == (403, "call_centre")
    assert count(url, ContactAttempt) == 0
    own = report(store, "call_centre", item("c-1", "+31622222222", campaign="spring-2027"), call_centre="CallCo")
    assert own.status_code == 200, own.text


@pytest.mark.parametrize("role", ["webform", "marketing", "compliance"])
def test_other_roles_may_not_report_outcomes(store: Api, role: str) -> None:
    answer = report(store, role, item("c-1"))
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert count(store.database_url, ContactAttempt) == 0


def test_an_admin_names_the_call_centre_it_reports_for(store: Api) -> None:
    missing = report(store, "admin", item("c-1"))
    assert (missing.status_code, missing.json()["field"]) == (422, "call_centre")
    unknown = report(store, "admin", item("c-1"), call_centre="NoSuchCall")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "call_centre")
    answer = report(store, "admin", item("c-1", "+31644445555"), call_centre=OTHER_CALL_CENTRE)  # not scoped
    assert answer.status_code == 200, answer.text
    with unit_of_work(store.database_url) as session:
        attempt = session.get(ContactAttempt, answer.json()["results"][0]["attempt_id"])
        other = session.scalars(select(Partner.id).where(Partner.name == OTHER_CALL_CENTRE)).one()
        assert attempt is not None and attempt.call_centre_id == other
