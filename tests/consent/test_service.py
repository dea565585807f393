"""Consents, withdrawals and objections on SQLite and PostgreSQL: proof stored, bad input refused whole."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from leadgate.consent import service
from leadgate.consent.models import Consent, Objection, Suppression
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.people.models import ContactPoint, Person

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
KEY = b"test-suppression-key-0123456789"
TEXT = "Ja, Voorbeeld Energie mag mij bellen over energieaanbiedingen."


def give(url: str, **changes: Any) -> Consent:
    args: dict[str, Any] = dict(contact="06-12345678", country="NL", kind="consumer", channel="phone", text=TEXT,
                                source_code="LP-ENERGY-07", given_at=NOW - timedelta(days=3), now=NOW,
                                actor="test", collection_method="webform")
    args.update(changes)
    with unit_of_work(url) as session:
        return service.give_consent(session, **args)


def rows(url: str, model: type) -> int:
    with unit_of_work(url) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_consent_is_stored_with_its_proof_and_in_the_ledger(database_url: str) -> None:
    consent = give(database_url, ip_address="203.0.113.7", user_agent="Mozilla/5.0")
    with unit_of_work(database_url) as session:
        stored = session.get(Consent, consent.id)
        assert stored is not None
        assert (stored.text, stored.source_code, stored.collection_method) == (TEXT, "LP-ENERGY-07", "webform")
        assert stored.text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
        assert stored.given_at.replace(tzinfo=stored.given_at.tzinfo or UTC) == NOW - timedelta(days=3)
        point = session.get(ContactPoint, stored.contact_point_id)
        assert point is not None and (point.medium, point.value, point.region) == ("phone", "+31612345678", "NL")
        events = list(ledger.export(session))
    assert [e["body"]["kind"] for e in events] == ["consent.given"]
    data = events[0]["body"]["data"]
    assert data["consent"] == consent.id and data["text_sha256"] == stored.text_sha256
    assert "+31612345678" not in json.dumps(events)  # the ledger holds ids and hashes, not the number


def test_the_same_number_in_another_format_is_the_same_person(database_url: str) -> None:
    first = give(database_url)
    second = give(database_url, contact="+31 (0)6 1234 5678", channel="sms")
    assert first.person_id == second.person_id
    assert rows(database_url, Person) == 1
    assert rows(database_url, ContactPoint) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"text": "   "}, "text"),
    ({"source_code": ""}, "source"),
    ({"given_at": NOW + timedelta(minutes=5)}, "given_at"),
    ({"given_at": datetime(2026, 11, 1, 10, 0)}, "given_at"),
    ({"contact": "06-1234"}, "contact"),
    ({"contact": "not-an-address@"}, "contact"),
    ({"channel": "fax"}, "channel"),
    ({"kind": "citizen"}, "kind"),
])
def test_what_proves_nothing_is_refused_and_nothing_is_stored(database_url: str, changes: dict[str, Any],
                                                              field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        give(database_url, **changes)
    assert caught.value.field == field
    assert (rows(database_url, Consent), rows(database_url, Person), ledger_count(database_url)) == (0, 0, 0)


def ledger_count(url: str) -> int:
    with unit_of_work(url) as session:
        return ledger.count(session)


def test_withdrawal_ends_every_active_consent_of_the_channel(database_url: str) -> None:
    give(database_url)
    give(database_url, source_code="LP-OTHER")
    give(database_url, channel="email", contact="jan@example.nl")
    with unit_of_work(database_url) as session:
        withdrawn = service.withdraw_consents(session, contact="0612345678", country="NL", channel="phone",
                                              at=NOW, via="phone", actor="test")
    assert len(withdrawn) == 2
    with unit_of_work(database_url) as session:
        active = session.scalars(select(Consent).where(Consent.withdrawn_at.is_(None))).all()
        assert [c.channel for c in active] == ["email"]
        kinds = [e["body"]["kind"] for e in ledger.export(session)]
    assert kinds.count("consent.withdrawn") == 2


def test_withdrawing_for_an_unknown_contact_is_a_clear_error(database_url: str) -> None:
    with pytest.raises(InvalidInput, match="No consent"), unit_of_work(database_url) as session:
        service.withdraw_consents(session, contact="0687654321", country="NL", channel="phone", at=NOW,
                                  via="phone", actor="test")


def test_an_objection_survives_erasure_of_the_person(database_url: str) -> None:
    give(database_url)
    with unit_of_work(database_url) as session:
        service.record_objection(session, contact="06-12345678", country="NL", channel="phone", at=NOW,
                                 via="call_centre", actor="test", key=KEY)
    with unit_of_work(database_url) as session:  # the right to erasure: the person and their data go
        session.execute(delete(Person))
    assert (rows(database_url, Person), rows(database_url, Consent)) == (0, 0)
    assert rows(database_url, Objection) == 1 and rows(database_url, Suppression) == 1
    with unit_of_work(database_url) as session:  # a later import of the same number, in another format
        assert service.suppressed_channels(session, contact="+31 6 12 34 56 78", country=None, key=KEY) == {"phone"}
        assert service.suppressed_channels(session, contact="+31 6 12 34 56 78", country=None,
                                           key=b"another-key-0123456789abcdef") == set()
        digest = session.scalars(select(Suppression.digest)).one()
    assert "612345678" not in digest


def test_repeated_objections_keep_one_suppression_per_channel(database_url: str) -> None:
    with unit_of_work(database_url) as session:
        for _ in range(2):
            service.record_objection(session, contact="jan@example.nl", country="NL", channel="all", at=NOW,
                                     via="email", actor="test", key=KEY)
    assert (rows(database_url, Objection), rows(database_url, Suppression)) == (2, 1)


def test_a_short_suppression_key_is_refused(database_url: str) -> None:
    with pytest.raises(InvalidInput, match="LEADGATE_SUPPRESSION_KEY"), unit_of_work(database_url) as session:
        service.record_objection(session, contact="jan@example.nl", country="NL", channel="all", at=NOW,
                                 via="email", actor="test", key=b"short")
    assert rows(database_url, Objection) == 0
