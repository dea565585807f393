"""One-click unsubscribe (RFC 8058) over HTTP: links and header values per recipient; the POST works as a
mail client sends it (form-encoded, no key, no cookies, no redirect) and records one objection to e-mail;
the GET only shows the page, in the language Accept-Language prefers; expired or altered links change
nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from leadgate.api import pages
from leadgate.consent import unsubscribe as links
from leadgate.consent.models import Objection, Suppression
from leadgate.decisions import service as decisions
from leadgate.kit.db import unit_of_work
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import ContactPoint
from leadgate.rules.model import Rulebooks
from tests.api.conftest import SECRET, Api, running_api
from tests.store_helpers import CAMPAIGN, KEY, count

PUBLIC = "https://mail.example.org"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def api(database_url: str, books: Rulebooks) -> Iterator[Api]:
    """The shared store and keys, on a server whose public address is an https one (links are built on it)."""
    with running_api(database_url, books, public_url=PUBLIC) as running:
        yield running


def make_links(api: Api, recipients: list[str], role: str = "marketing") -> httpx.Response:
    with api.client(role) as client:
        return client.post("/v1/unsubscribe-links", json={"recipients": recipients, "campaign": CAMPAIGN})


def email_objections(api: Api, address: str) -> tuple[str, ...]:
    with unit_of_work(api.database_url) as session:
        facts = decisions.facts_for(session, contact=address, country="NL", campaign_id=CAMPAIGN, channel="email",
                                    at=datetime.now(UTC), key=KEY)
    return tuple(o.channel for o in facts.objections)


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_each_recipient_gets_a_link_and_rfc_8058_header_values(api: Api) -> None:
    answer = make_links(api, ["Piet@Example.NL", "marie@example.fr", "Piet@Example.NL"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [link["recipient"] for link in body["links"]] == ["Piet@example.nl", "marie@example.fr",
                                                             "Piet@example.nl"]
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=364) < expires - datetime.now(UTC) <= timedelta(days=365)
    for link in body["links"]:
        url = link["url"]
        assert url.startswith(f"{PUBLIC}/u/")
        assert link["headers"] == {"List-Unsubscribe": f"<{url}>",
                                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        assert "@" not in url and "piet" not in url.lower() and "marie" not in url.lower()
    first, second, repeat = (link["url"] for link in body["links"])
    assert first == repeat and first != second
    with unit_of_work(api.database_url) as session:  # the contact points were created, once each
        assert session.scalar(select(func.count()).select_from(ContactPoint)
                              .where(ContactPoint.medium == "email")) == 2


@pytest.mark.parametrize(("recipients", "campaign", "field"), [
    (["ok@example.nl", "not an address"], CAMPAIGN, "recipients.1"),
    (["ok@example.nl", "+31612345678"], CAMPAIGN, "recipients.1"),
    ([], CAMPAIGN, "recipients"),
    ([f"r{i}@example.nl" for i in range(1001)], CAMPAIGN, "recipients"),
    (["ok@example.nl"], "no-such-campaign", "campaign"),
])
def test_bad_link_requests_name_the_field_and_store_nothing(api: Api, recipients: list[str], campaign: str,
                                                            field: str) -> None:
    with api.client("marketing") as client:
        answer = client.post("/v1/unsubscribe-links", json={"recipients": recipients, "campaign": campaign})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert count(api.database_url, ContactPoint) == 0


@pytest.mark.parametrize("role", ["webform", "call_centre"])
def test_roles_that_may_not_make_links_are_refused(api: Api, role: str) -> None:
    answer = make_links(api, ["a@example.nl"], role)
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert count(api.database_url, ContactPoint) == 0


def test_a_mail_clients_one_click_post_unsubscribes_once(api: Api) -> None:
    [link] = make_links(api, ["piet@example.nl"]).json()["links"]
    assert email_objections(api, "piet@example.nl") == ()
    # As a mail provider sends it: a plain form post, no key, no cookies, redirects not followed.
    with httpx.Client(base_url=api.url, follow_redirects=False) as mail_client:
        first = mail_client.post(path_of(link["url"]), data=ONE_CLICK)
        objected = email_objections(api, "piet@example.nl")  # in force once the answer is in
        second = mail_client.post(path_of(link["url"]), data=ONE_CLICK)
        bare = mail_client.post(path_of(link["url"]))  # a button press without the field: same answer
    for answer in (first, second, bare):
        assert answer.status_code == 200, answer.text
        assert "set-cookie" not in answer.headers and "location" not in answer.headers
    assert objected == ("email",)
    with api.client("marketing") as marketing:  # the pre-dial check over HTTP agrees
        check = marketing.post("/v1/checks", json={"contact": "piet@example.nl", "country": "NL",
                                                   "campaign": CAMPAIGN, "channel": "email"})
    assert check.status_code == 200, check.text
    assert check.json()["allowed"] is False
    assert "objection" in {r["category"] for r in check.json()["reasons"]}
    with unit_of_work(api.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Objection)) == 1
        [suppression] = session.scalars(select(Suppression)).all()
        assert suppression.channel == "email"
        [event] = [json.loads(b)["data"] for b in session.scalars(
            select(LedgerEvent.body).where(LedgerEvent.kind == "unsubscribe.one_click"))]
    assert event["campaign"] == CAMPAIGN and "piet" not in json.dumps(event)


def test_an_address_that_objected_to_everything_is_already_unsubscribed(api: Api) -> None:
    [link] = make_links(api, ["piet@example.nl"]).json()["links"]
    with api.client("compliance") as compliance:
        assert compliance.post("/v1/objections", json={"contact": "piet@example.nl", "via": "letter"}
                               ).status_code == 200
    with httpx.Client(base_url=api.url, headers={"Accept-Language": "en"}) as mail_client:
        answer = mail_client.post(path_of(link["url"]), data=ONE_CLICK)
    assert answer.status_code == 200 and "already" in answer.text
    assert count(api.database_url, Objection) == 1


@pytest.mark.parametrize(("accept_language", "lang", "button"), [
    (None, "en", "Unsubscribe"),
    ("nl-BE,nl;q=0.9,en;q=0.8", "nl", "Afmelden"),
    ("de-DE, fr;q=0.7, en;q=0.3", "fr", "Me désinscrire"),
    ("en;q=0.2, nl;q=0.5", "nl", "Afmelden"),
    ("de, es", "en", "Unsubscribe"),
])
def test_the_get_only_shows_a_page_in_the_preferred_language(api: Api, accept_language: str | None, lang: str,
                                                             button: str) -> None:
    [link] = make_links(api, ["piet@example.nl"]).json()["links"]
    headers = {"Accept-Language": accept_language} if accept_language else {}
    with httpx.Client(base_url=api.url, headers=headers) as browser:
        page = browser.get(path_of(link["url"]))
    assert page.status_code == 200
    assert page.headers["content-language"] == lang and f'<html lang="{lang}">' in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert f">{button}</button>" in page.text and '<form method="post">' in page.text
    assert "http" not in page.text  # no external resources
    assert count(api.database_url, Objection) == 0  # a GET unsubscribes nobody


def test_expired_altered_and_unknown_links_record_nothing(api: Api) -> None:
    [link] = make_links(api, ["piet@example.nl"]).json()["links"]
    token = path_of(link["url"]).rsplit("/", 1)[1]
    with unit_of_work(api.database_url) as session:
        point_id = session.scalars(select(ContactPoint.id)).one()
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    expired = links.make_token(SECRET.encode(), contact_point_id=point_id, campaign=CAMPAIGN, expires_at=past)
    altered = token[:-3] + ("x" if token[-3] != "x" else "y") + token[-2:]
    forged = links.make_token(b"not-the-servers-secret-key-12345", contact_point_id=point_id, campaign=CAMPAIGN,
                              expires_at=past + timedelta(days=30))
    with httpx.Client(base_url=api.url, headers={"Accept-Language": "fr"}) as client:
        for method in ("GET", "POST"):
            gone = client.request(method, f"/u/{expired}", data=ONE_CLICK)
            assert gone.status_code == 410 and gone.headers["content-language"] == "fr"
            for bad in (altered, forged, "nonsense", "a.b"):
                answer = client.request(method, f"/u/{bad}", data=ONE_CLICK)
                assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert count(api.database_url, Objection) == 0
    # A genuine link to a contact point that no longer exists (erased): nothing to record, said so.
    vanished = links.make_token(SECRET.encode(), contact_point_id="0" * 32, campaign=CAMPAIGN,
                                expires_at=past + timedelta(days=30))
    with httpx.Client(base_url=api.url) as client:
        answer = client.post(f"/u/{vanished}", data=ONE_CLICK)
    assert answer.status_code == 200 and "no longer hold" in answer.text
    assert count(api.database_url, Objection) == 0


# ---- Accept-Language: whatever a client sends, a supported language comes back --------------------------

tags = st.sampled_from(["en", "nl", "fr", "de", "es", "*", "EN-gb", "nl-BE", "fr-CA", "x-klingon", "", " "])
qualities = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True).map(lambda q: f"{q:.3f}"),
                      st.sampled_from(["0", "1", "0.5", "abc", "", "1.0001", "-0"]))
entries = st.builds(lambda tag, q: tag if q is None else f"{tag};q={q}", tags, qualities)
headers = st.one_of(st.text(max_size=200), st.lists(entries, max_size=8).map(",".join))


@given(header=headers)
def test_any_accept_language_gives_a_supported_language(header: str) -> None:
    assert pages.negotiate(header) in pages.LANGUAGES


@given(lang=st.sampled_from(pages.LANGUAGES), others=st.lists(st.sampled_from(["de", "es", "it", "pl"]), max_size=4),
       q=st.floats(min_value=0.001, max_value=1.0))
def test_the_one_supported_language_asked_for_is_chosen(lang: str, others: list[str], q: float) -> None:
    header = ",".join([*others, f"{lang};q={q:.3f}"])
    assert pages.negotiate(header) == lang


@given(first=st.sampled_from(pages.LANGUAGES), second=st.sampled_from(pages.LANGUAGES),
       high=st.integers(2, 10), low=st.integers(1, 9))
def test_the_higher_q_wins_whatever_the_order(first: str, second: str, high: int, low: int) -> None:
    if first == second or low >= high:
        return
    assert pages.negotiate(f"{second};q={low / 10:.1f},{first};q={high / 10:.1f}") == first


def test_q_zero_rules_a_language_out() -> None:
    assert pages.negotiate("en;q=0, *") == "nl"
    assert pages.negotiate("fr;q=0, nl;q=0, *;q=0.1") == "en"
    assert pages.negotiate("*;q=0") == "en"  # nothing acceptable: the default
