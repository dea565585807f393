"""GET /v1/propagations and the acknowledgements, against a real server on SQLite and PostgreSQL: a call
centre sees and confirms only its own opt-outs (another's id is 404 like an unknown one), compliance
sees all, acknowledging is idempotent, recorded in the ledger and forgets the number."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from leadgate.consent import service as consent
from leadgate.kit.db import unit_of_work
from leadgate.ledger import service as ledger
from leadgate.propagation.models import Propagation
from tests.api.conftest import Api
from tests.propagation.support import consent_for, exported
from tests.store_helpers import KEY, NOW

PHONE, OTHER_PHONE, THIRD = "+31612345678", "+31687654321", "+31611112222"


def object_to(api: Api, contact: str, *, now: datetime) -> None:
    with unit_of_work(api.database_url) as session:
        consent.record_objection(session, contact=contact, country="NL", channel="phone", at=now, via="test",
                                 actor="test", key=KEY, now=now)


def given(api: Api) -> dict[str, str]:
    """CallCo received PHONE and THIRD, OtherCall PHONE; all three object. THIRD's objection is from
    NOW (days ago: overdue by now), the others from just now. Returns {call centre + number: row id}."""
    consent_for(api.database_url, PHONE)
    exported(api.database_url, "CallCo", PHONE, THIRD)
    exported(api.database_url, "OtherCall", PHONE)
    object_to(api, PHONE, now=datetime.now(UTC))
    object_to(api, THIRD, now=NOW)
    with unit_of_work(api.database_url) as session:
        from leadgate.campaigns.models import Partner

        return {f"{name} {row.contact}": row.id for row, name in session.execute(
            select(Propagation, Partner.name).join(Partner, Partner.id == Propagation.call_centre_id))}


def test_a_call_centre_pulls_only_its_own_opt_outs_in_the_webhook_shape(api: Api) -> None:
    ids = given(api)
    with api.client("call_centre") as client:
        answer = client.get("/v1/propagations")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "pending" and {i["id"] for i in body["items"]} == {ids[f"CallCo {PHONE}"],
                                                                                ids[f"CallCo {THIRD}"]}
    item = next(i for i in body["items"] if i["contact"] == PHONE)
    assert item["type"] == "opt_out" and item["call_centre"] == "CallCo" and item["cause"] == "objection"
    assert (item["medium"], item["channel"]) == ("phone", "phone")
    assert item["ack_url"] == f"{api.settings.public_url}/v1/propagations/{item['id']}/ack"
    with api.client("other_call_centre") as client:
        theirs = client.get("/v1/propagations").json()["items"]
        asked_for_ours = client.get("/v1/propagations", params={"call_centre": "CallCo"})
    assert [(i["call_centre"], i["contact"]) for i in theirs] == [("OtherCall", PHONE)]
    assert asked_for_ours.status_code == 403

    with api.client("compliance") as client:
        everything = client.get("/v1/propagations").json()["items"]
        overdue = client.get("/v1/propagations", params={"status": "overdue"}).json()["items"]
        other = client.get("/v1/propagations", params={"call_centre": "OtherCall"}).json()["items"]
        one = client.get("/v1/propagations", params={"limit": 1, "offset": 1}).json()["items"]
        unknown = client.get("/v1/propagations", params={"call_centre": "Nobody"})
        control = client.get("/v1/propagations", params={"call_centre": "Call\x00Co"})
    assert len(everything) == 3 and [i["contact"] for i in overdue] == [THIRD]
    assert [i["call_centre"] for i in other] == ["OtherCall"] and one == everything[1:2]
    assert unknown.status_code == 422 and unknown.json()["field"] == "call_centre"
    assert control.status_code == 422 and "call_centre" in control.json()["field"]


def test_acknowledging_by_id_is_idempotent_scoped_and_forgets_the_number(api: Api) -> None:
    ids = given(api)
    ours, theirs = ids[f"CallCo {PHONE}"], ids[f"OtherCall {PHONE}"]
    with api.client("call_centre") as client:
        foreign = client.post(f"/v1/propagations/{theirs}/ack")
        unknown = client.post(f"/v1/propagations/{'0' * 32}/ack")
        malformed = client.post("/v1/propagations/not%00an-id/ack")
        first = client.post(f"/v1/propagations/{ours}/ack")
        again = client.post(f"/v1/propagations/{ours}/ack")
        acknowledged = client.get("/v1/propagations", params={"status": "acknowledged"}).json()["items"]
        pending = client.get("/v1/propagations").json()["items"]
    assert (foreign.status_code, unknown.status_code, malformed.status_code) == (404, 404, 404)
    assert foreign.json()["code"] == unknown.json()["code"] == "not_found"  # the same answer: ids leak nothing
    assert first.status_code == 200, first.text
    assert again.json() == first.json() and first.json()["id"] == ours
    assert [(i["id"], i["contact"]) for i in acknowledged] == [(ours, None)]
    assert [i["contact"] for i in pending] == [THIRD]
    with unit_of_work(api.database_url) as session:
        acks = [e for e in ledger.export(session) if e["body"]["kind"] == "propagation.acknowledged"]
        row = session.get(Propagation, theirs)
        assert row is not None and row.acknowledged_at is None and row.contact == PHONE  # untouched
    assert len(acks) == 1 and acks[0]["seq"] == first.json()["ack_seq"]
    assert acks[0]["body"]["data"]["propagations"] == [ours]


def test_a_batch_is_acknowledged_all_or_none(api: Api) -> None:
    ids = given(api)
    ours = [ids[f"CallCo {PHONE}"], ids[f"CallCo {THIRD}"]]
    with api.client("call_centre") as client:
        mixed = client.post("/v1/propagations/ack", json={"ids": [*ours, ids[f"OtherCall {PHONE}"]]})
        still = client.get("/v1/propagations").json()["items"]
        done = client.post("/v1/propagations/ack", json={"ids": ours})
    assert mixed.status_code == 404 and len(still) == 2
    assert done.status_code == 200, done.text
    assert sorted(a["id"] for a in done.json()["acknowledged"]) == sorted(ours)
    assert len({a["ack_seq"] for a in done.json()["acknowledged"]}) == 1  # one ledger event for the batch
    with api.client("admin") as client:  # admin may confirm any call centre's
        assert client.post(f"/v1/propagations/{ids[f'OtherCall {PHONE}']}/ack").status_code == 200
        assert client.get("/v1/propagations").json()["items"] == []


def test_roles_and_input_are_checked(api: Api) -> None:
    ids = given(api)
    some = ids[f"CallCo {PHONE}"]
    for role in ("marketing", "webform"):
        with api.client(role) as client:
            assert client.get("/v1/propagations").status_code == 403
    for role in ("compliance", "marketing", "webform"):  # only the call centre (or admin) confirms
        with api.client(role) as client:
            assert client.post(f"/v1/propagations/{some}/ack").status_code == 403
            assert client.post("/v1/propagations/ack", json={"ids": [some]}).status_code == 403
    with api.client() as client:
        assert client.get("/v1/propagations").status_code == 401
    with api.client("call_centre") as client:
        for params, field in (({"status": "lost"}, "status"), ({"limit": 0}, "limit"),
                              ({"limit": 1001}, "limit"), ({"offset": -1}, "offset")):
            answer = client.get("/v1/propagations", params=params)
            assert answer.status_code == 422 and field in answer.json().get("field", ""), answer.text
        bodies: tuple[dict[str, object], ...] = ({"ids": []}, {"ids": ["not-an-id"]}, {"ids": [some], "extra": 1}, {})
        for body in bodies:
            assert client.post("/v1/propagations/ack", json=body).status_code == 422
    with unit_of_work(api.database_url) as session:
        assert session.get(Propagation, some).acknowledged_at is None  # type: ignore[union-attr]


def test_an_opt_out_reported_through_the_api_is_queued_before_the_answer_returns(api: Api) -> None:
    """CallCo reports an opt_out call outcome; OtherCall, which received the same number, can pull it the
    moment CallCo's request has answered. A withdrawal recorded by compliance goes the same way."""
    consent_for(api.database_url, PHONE)
    exported(api.database_url, "CallCo", PHONE)
    exported(api.database_url, "OtherCall", PHONE)
    called = (datetime.now(UTC).replace(microsecond=0)).isoformat()
    with api.client("call_centre") as client:
        reported = client.post("/v1/outcomes", json={"outcomes": [
            {"call_id": "c-1", "contact": PHONE, "campaign": "winter-2026", "at": called, "outcome": "opt_out"}]})
    assert reported.status_code == 200, reported.text
    with api.client("other_call_centre") as client:
        (item,) = client.get("/v1/propagations").json()["items"]
    assert (item["cause"], item["contact"], item["channel"]) == ("objection", PHONE, "phone")

    with api.client("compliance") as client:
        withdrawn = client.post("/v1/withdrawals", json={"contact": PHONE, "channel": "phone", "via": "phone"})
    assert withdrawn.status_code == 200, withdrawn.text
    with api.client("other_call_centre") as client:
        causes = sorted(i["cause"] for i in client.get("/v1/propagations").json()["items"])
    assert causes == ["objection", "withdrawal"]
