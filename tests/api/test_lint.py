"""POST /v1/lint/email on a real server over both databases: findings for what the message lacks, the
recipient's facts read from the store, clear 422s for what cannot be linted, and who may lint."""

from __future__ import annotations

import json
from typing import Any

import pytest

from leadgate.intake.models import Lead
from leadgate.intake.sources import add_source
from leadgate.kit.db import unit_of_work
from leadgate.people import service as people
from tests.api.conftest import Api
from tests.lint.support import SAMPLE, SOURCE, without_unsubscribe_link
from tests.store_helpers import CAMPAIGN, NOW

RECIPIENT = "jeanne.martin@industrie.example.fr"


def lint(api: Api, role: str = "marketing", **body: Any) -> Any:
    body = {"campaign": CAMPAIGN, "message": SAMPLE, **body}
    # Escaped JSON text: lone surrogates in the tests' strings reach the server as a client might send them.
    with api.client(role, headers={"Content-Type": "application/json"}) as client:
        return client.post("/v1/lint/email", content=json.dumps(body))


def codes(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [f["code"] for f in answer.json()["findings"]]


def stored_recipient(api: Api) -> None:
    """A French business contact whose address came from a purchased list."""
    with unit_of_work(api.database_url) as session:
        point = people.find_or_create_contact(session, RECIPIENT, country="FR", kind="business", now=NOW)
        source, _ = add_source(session, supplier="LeadShop", code="FR-LIST-1", kind="purchased_list", now=NOW,
                               actor="test")
        session.add(Lead(person_id=point.person_id, data_source_id=source.id, received_at=NOW))


def test_the_sample_passes_and_a_missing_link_is_an_error(api: Api) -> None:
    ok = lint(api, recipient={"country": "NL", "kind": "consumer"}, first_contact=True, source_kind="purchased_list")
    assert codes(ok) == [] and ok.json() == {"ok": True, "jurisdiction": "NL", "findings": []}
    bad = lint(api, message=without_unsubscribe_link(SAMPLE), recipient={"country": "nl", "kind": "consumer"})
    assert codes(bad) == ["UNSUBSCRIBE_LINK_MISSING"]
    finding = bad.json()["findings"][0]
    assert bad.json()["ok"] is False and finding["severity"] == "error"
    assert finding["rule"] == "NL_EMAIL_OPT_OUT_EVERY_MESSAGE" and "11.7" in finding["reference"]
    assert finding["confidence"] == "H" and "Add" in finding["message"]


def test_without_a_country_only_the_common_rules_apply(api: Api) -> None:
    answer = lint(api, recipient={"kind": "consumer"})
    assert codes(answer) == ["JURISDICTION_UNKNOWN"] and answer.json()["ok"] is True
    assert answer.json()["jurisdiction"] is None


def test_the_stored_recipient_gives_country_kind_and_source(api: Api) -> None:
    stored_recipient(api)
    text = SAMPLE.replace(SOURCE, "")
    # FR business contact, campaign not relevant to the role: an error under CPCE L34-5; the purchased list
    # makes the missing source an error at the first contact.
    answer = lint(api, message=text, recipient={"contact": RECIPIENT}, first_contact=True)
    assert answer.json()["jurisdiction"] == "FR"
    assert codes(answer) == ["SOURCE_MISSING", "ROLE_RELEVANCE_MISSING"]
    assert {f["severity"] for f in answer.json()["findings"]} == {"error"}
    # What the caller says wins over the store.
    said = lint(api, message=text, recipient={"contact": RECIPIENT, "kind": "consumer"}, first_contact=True,
                source_kind="webform")
    assert codes(said) == []
    # An unknown recipient is not an error: only what the caller says is known.
    unknown = lint(api, message=text, recipient={"contact": "nobody@example.fr", "country": "FR"})
    assert "SOURCE_MISSING" in codes(unknown)
    assert all(f["severity"] == "warning" for f in unknown.json()["findings"])


@pytest.mark.parametrize(("body", "field"), [
    ({"campaign": "no-such-campaign"}, "campaign"),
    ({"campaign": "bad\u0000id"}, "campaign"),
    ({"recipient": {"contact": "a\u0000b@example.fr"}}, "recipient.contact"),
    ({"recipient": {"contact": "\ud800@example.fr"}}, "recipient.contact"),
    ({"message": "From: a@b.nl\n\n\ud800 body"}, "message"),  # a lone surrogate is no text
    ({"message": "From: a@b.nl\n\n\u0000 body \u2028"}, None),
    ({"message": "just text, no headers"}, "message"),
    ({"message": ""}, "message"),
    ({"recipient": {"country": "Netherlands"}}, "recipient.country"),
    ({"recipient": {"contact": "+31612345678"}}, "recipient.contact"),
    ({"recipient": {"contact": "not an address@"}}, "recipient.contact"),
    ({"source_kind": "rumour"}, "source_kind"),
    ({"surprise": 1}, "surprise"),
])
def test_what_cannot_be_linted_is_a_422_naming_the_field(api: Api, body: dict[str, Any], field: str | None
                                                         ) -> None:
    answer = lint(api, **body)
    if field is None:  # odd characters in a message are linted, not refused
        assert codes(answer)
        return
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field and answer.json()["code"] == "invalid_input"


@pytest.mark.parametrize("role", ["marketing", "compliance", "admin"])
def test_marketing_compliance_and_admin_may_lint(api: Api, role: str) -> None:
    assert lint(api, role).status_code == 200


@pytest.mark.parametrize("role", ["call_centre", "webform"])
def test_other_roles_may_not(api: Api, role: str) -> None:
    answer = lint(api, role)
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    with api.client() as anonymous:
        assert anonymous.post("/v1/lint/email", json={"campaign": CAMPAIGN, "message": SAMPLE}).status_code == 401
