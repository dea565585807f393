"""Consent capture over HTTP: receipts on the server's clock, double opt-in for e-mail (a pending request
is no consent; the confirmation records it with both moments), the consent-text registry, withdrawals and
objections (in force before the answer returns), role denials and 422s naming the field."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from leadgate.consent import doubleoptin
from leadgate.consent.models import Consent, ConsentRequest, Objection
from leadgate.decisions import service as decisions
from leadgate.kit.db import unit_of_work
from leadgate.ledger.models import LedgerEvent
from leadgate.rules.model import Rulebooks
from tests.api.conftest import SECRET, Api, running_api
from tests.store_helpers import CAMPAIGN, KEY, count

PUBLIC = "https://consent.example.org"
PHONE = "+31612345678"
EMAIL = "Anna.de.Vries@Example.NL"
TEXT = "Ja, bel mij over energieaanbiedingen van Voorbeeld BV."


@pytest.fixture
def api(database_url: str, books: Rulebooks) -> Iterator[Api]:
    """The shared store and keys, on a server whose public address is an https one (links are built on it)."""
    with running_api(database_url, books, public_url=PUBLIC) as running:
        yield running


def form(**changes: Any) -> dict[str, Any]:
    body = {"channel": "phone", "purpose": "energy offers", "kind": "consumer", "contact": PHONE, "country": "NL",
            "text": TEXT, "source": "LP-ENERGY-07", "ip_address": "203.0.113.9",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def facts(api: Api, contact: str, channel: str) -> Any:
    with unit_of_work(api.database_url) as session:
        return decisions.facts_for(session, contact=contact, country="NL", campaign_id=CAMPAIGN, channel=channel,
                                   at=datetime.now(UTC), key=KEY)


def events(api: Api, kind: str) -> list[dict[str, Any]]:
    with unit_of_work(api.database_url) as session:
        return [json.loads(body)["data"] for body in
                session.scalars(select(LedgerEvent.body).where(LedgerEvent.kind == kind).order_by(LedgerEvent.seq))]


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_a_phone_consent_from_a_form_is_active_at_once_with_a_receipt_on_the_servers_clock(api: Api) -> None:
    with api.client("webform") as client:
        before = datetime.now(UTC)
        answer = client.post("/v1/consents", json=form(single_use=True, ip_address=" 2001:DB8::1 "))
        after = datetime.now(UTC)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    given = datetime.fromisoformat(receipt["given_at"])
    assert before <= given <= after and receipt["submitted_at"] == receipt["given_at"]
    assert (receipt["status"], receipt["channel"], receipt["purpose"], receipt["source"]) == (
        "active", "phone", "energy offers", "LP-ENERGY-07")
    assert receipt["text"] == TEXT and receipt["text_sha256"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert receipt["contact"].endswith("78") and "612345" not in receipt["contact"]  # masked
    assert receipt["confirm_url"] is None
    with unit_of_work(api.database_url) as session:
        stored = session.get(Consent, receipt["id"])
        assert stored is not None
        assert (stored.collection_method, stored.ip_address, stored.user_agent, stored.single_use) == (
            "webform", "2001:db8::1", "Mozilla/5.0 (X11; Linux x86_64)", True)
    [consent] = facts(api, PHONE, "phone").consents
    assert consent.given_at == given and consent.source == "LP-ENERGY-07"


def test_the_client_cannot_set_the_time_of_a_consent(api: Api) -> None:
    with api.client("webform") as client:
        answer = client.post("/v1/consents", json=form(given_at="2020-01-01T00:00:00+00:00"))
    assert answer.status_code == 422
    assert answer.json()["field"] == "given_at"
    assert count(api.database_url, Consent) == 0


def test_an_email_consent_is_active_only_after_the_person_confirms_it(api: Api) -> None:
    with api.client("webform") as client:
        answer = client.post("/v1/consents", json=form(channel="email", contact=EMAIL, own_initiative=True))
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert (receipt["status"], receipt["given_at"]) == ("pending_confirmation", None)
    assert receipt["contact"] == "A***@example.nl"  # the local part keeps its case
    assert receipt["confirm_url"].startswith(f"{PUBLIC}/confirm/")
    submitted = datetime.fromisoformat(receipt["submitted_at"])
    assert datetime.fromisoformat(receipt["confirm_by"]) - submitted > timedelta(days=6, hours=23)
    assert EMAIL.lower() not in receipt["confirm_url"].lower()
    link = path_of(receipt["confirm_url"])

    # Pending: no consent anywhere a decision looks.
    assert facts(api, EMAIL, "email").consents == ()
    assert count(api.database_url, Consent) == 0

    with httpx.Client(base_url=api.url, headers={"Accept-Language": "nl"}) as person:  # no API key
        page = person.get(link)  # what a mail scanner would fetch
        assert page.status_code == 200 and 'method="post"' in page.text
        assert page.headers["content-language"] == "nl"
        assert count(api.database_url, Consent) == 0
        confirmed_page = person.post(link, data={"confirm": "yes"})
        assert confirmed_page.status_code == 200, confirmed_page.text
        again = person.post(link)  # a second click changes nothing
        assert again.status_code == 200 and "al bevestigd" in again.text
        after_page = person.get(link)
        assert after_page.status_code == 200 and 'method="post"' not in after_page.text

    [consent] = facts(api, EMAIL, "email").consents
    assert consent.given_at > submitted and consent.own_initiative
    with unit_of_work(api.database_url) as session:
        [stored] = session.scalars(select(Consent)).all()
        request = session.get(ConsentRequest, receipt["id"])
        assert request is not None and request.consent_id == stored.id
        assert stored.collection_method == "webform-double-opt-in"
    [confirmation] = events(api, "consent.confirmed")
    assert confirmation["request"] == receipt["id"] and confirmation["consent"] == stored.id
    assert datetime.fromisoformat(confirmation["submitted_at"]) == submitted
    assert datetime.fromisoformat(confirmation["confirmed_at"]) == consent.given_at
    [requested] = events(api, "consent.requested")
    assert requested["request"] == receipt["id"] and EMAIL.lower() not in json.dumps(requested).lower()


def test_expired_and_tampered_confirmation_links_record_nothing(api: Api) -> None:
    with api.client("webform") as client:
        receipt = client.post("/v1/consents", json=form(channel="email", contact=EMAIL)).json()
    link = path_of(receipt["confirm_url"])
    token = link.rsplit("/", 1)[1]
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    expired = doubleoptin.make_token(SECRET.encode(), request_id=receipt["id"], expires_at=past)
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    with httpx.Client(base_url=api.url) as person:
        for method in ("GET", "POST"):
            assert person.request(method, f"/confirm/{expired}").status_code == 410
            assert person.request(method, f"/confirm/{tampered}").status_code == 400
            assert person.request(method, "/confirm/not-a-token").status_code == 400
        # The request itself expired (a link signed for longer changes nothing).
        with unit_of_work(api.database_url) as session:
            session.execute(update(ConsentRequest).values(expires_at=past))
        assert person.get(link).status_code == 410
        gone = person.post(link)
    assert gone.status_code == 410 and "expired" in gone.text
    assert gone.headers["content-type"].startswith("text/html")
    assert count(api.database_url, Consent) == 0


def test_the_confirmation_page_escapes_the_consent_text(api: Api) -> None:
    text = '<script>alert("x")</script> & <img src=https://tracker.example/p.gif>'
    with api.client("webform") as client:
        receipt = client.post("/v1/consents", json=form(channel="email", contact=EMAIL, text=text)).json()
    with httpx.Client(base_url=api.url) as person:
        page = person.get(path_of(receipt["confirm_url"]))
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_registered_consent_text_is_referred_to_by_its_version(api: Api) -> None:
    with api.client("marketing") as marketing, api.client("webform") as webform:
        created = marketing.post("/v1/consent-texts", json={"version": "LP7/2026-10", "text": TEXT})
        same = marketing.post("/v1/consent-texts", json={"version": "LP7/2026-10", "text": TEXT})
        other = marketing.post("/v1/consent-texts", json={"version": "LP7/2026-10", "text": TEXT + "!"})
        assert webform.post("/v1/consent-texts", json={"version": "x", "text": "y"}).status_code == 403
        assert webform.get("/v1/consent-texts/LP7%2F2026-10").json()["text"] == TEXT
        by_version = webform.post("/v1/consents", json=form(text=None, text_version="LP7/2026-10"))
        both = webform.post("/v1/consents", json=form(text_version="LP7/2026-10"))
        differs = webform.post("/v1/consents", json=form(text=TEXT + " ", text_version="LP7/2026-10"))
        unknown = webform.post("/v1/consents", json=form(text=None, text_version="LP8"))
        neither = webform.post("/v1/consents", json=form(text=None))
    assert (created.status_code, same.status_code, other.status_code) == (201, 200, 409)
    assert created.json()["text_sha256"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert by_version.status_code == both.status_code == 200
    assert by_version.json()["text"] == TEXT and by_version.json()["text_version"] == "LP7/2026-10"
    assert (differs.status_code, differs.json()["field"]) == (409, "text")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "text_version")
    assert (neither.status_code, neither.json()["field"]) == (422, "text")
    assert count(api.database_url, Consent) == 2
    assert [e["version"] for e in events(api, "consent_text.registered")] == ["LP7/2026-10"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"ip_address": "999.1.1.1"}, "ip_address"),
    ({"ip_address": None}, "ip_address"),
    ({"channel": "fax"}, "channel"),
    ({"kind": "alien"}, "kind"),
    ({"contact": "not a number"}, "contact"),
    ({"channel": "email"}, "contact"),  # an e-mail consent for a phone number
    ({"contact": EMAIL}, "contact"),  # a phone consent for an address
    ({"country": "NLD"}, "country"),
    ({"source": None}, "source"),
    ({"source": "  "}, "source"),
    ({"purpose": "x" * 501}, "purpose"),
    ({"single_use": "sometimes"}, "single_use"),
    ({"user_agent": "Mozilla\x00"}, "user_agent"),  # PostgreSQL cannot store NUL: refused, not a 500
])
def test_bad_consent_submissions_are_refused_naming_the_field(api: Api, changes: dict[str, Any], field: str) -> None:
    with api.client("webform") as client:
        answer = client.post("/v1/consents", json=form(**changes))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert count(api.database_url, Consent) == count(api.database_url, ConsentRequest) == 0


def test_an_objection_is_in_force_for_the_next_decision_once_its_answer_arrives(api: Api, books: Rulebooks) -> None:
    def objection_reasons() -> list[str]:
        with unit_of_work(api.database_url) as session:
            now = datetime.now(UTC)
            result = decisions.decide_stored(session, contact=PHONE, country="NL", campaign_id=CAMPAIGN,
                                             channel="phone", at=now, key=KEY, books=books, record=False, now=now,
                                             actor="test")
        return [r.code for r in result.decision.reasons if r.category == "objection"]

    with api.client("webform") as webform, api.client("marketing") as marketing:
        assert webform.post("/v1/consents", json=form()).status_code == 200
        assert objection_reasons() == []
        answer = marketing.post("/v1/objections", json={"contact": "06-12345678", "country": "nl", "via": "phone"})
        assert answer.status_code == 200, answer.text
        # Asked the moment the answer arrived, on another connection: the objection already counts.
        assert objection_reasons() != []
        check = marketing.post("/v1/checks", json={"contact": PHONE, "campaign": CAMPAIGN, "channel": "phone"})
    assert check.status_code == 200, check.text
    assert check.json()["allowed"] is False
    assert "objection" in {r["category"] for r in check.json()["reasons"]}
    assert answer.json()["channel"] == "all" and answer.json()["via"] == "phone"
    with unit_of_work(api.database_url) as session:
        assert session.get(Objection, answer.json()["id"]) is not None
    [event] = events(api, "objection")
    assert event["objection"] == answer.json()["id"] and PHONE not in json.dumps(event)


def test_a_withdrawal_ends_the_consents_of_the_channel(api: Api) -> None:
    with api.client("webform") as webform, api.client("compliance") as compliance:
        given = webform.post("/v1/consents", json=form()).json()
        first = compliance.post("/v1/withdrawals", json={"contact": PHONE, "channel": "phone",
                                                         "via": "customer_service"})
        second = compliance.post("/v1/withdrawals", json={"contact": PHONE, "channel": "phone",
                                                          "via": "customer_service"})
        unknown = compliance.post("/v1/withdrawals", json={"contact": "+31687654321", "channel": "phone",
                                                           "via": "letter"})
        bad_via = compliance.post("/v1/withdrawals", json={"contact": PHONE, "channel": "phone", "via": "pigeon"})
    assert first.status_code == 200, first.text
    assert [w["id"] for w in first.json()["withdrawn"]] == [given["id"]]
    assert second.status_code == 200 and second.json()["withdrawn"] == []
    assert (unknown.status_code, unknown.json()["field"]) == (422, "contact")
    assert (bad_via.status_code, bad_via.json()["field"]) == (422, "via")
    [consent] = facts(api, PHONE, "phone").consents
    assert consent.withdrawn_at == datetime.fromisoformat(first.json()["at"])


@pytest.mark.parametrize(("role", "method", "path"), [
    ("call_centre", "POST", "/v1/consents"),
    ("webform", "POST", "/v1/withdrawals"),
    ("webform", "POST", "/v1/objections"),
    ("call_centre", "POST", "/v1/withdrawals"),
    ("call_centre", "POST", "/v1/objections"),
    ("call_centre", "POST", "/v1/consent-texts"),
    ("webform", "POST", "/v1/consent-texts"),
    ("call_centre", "GET", "/v1/consent-texts/v1"),
])
def test_roles_that_may_not_are_refused(api: Api, role: str, method: str, path: str) -> None:
    with api.client(role) as client:
        answer = client.request(method, path, json={})
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "forbidden"
    with api.client() as anonymous:
        assert anonymous.request(method, path, json={}).status_code == 401
