"""Data sources on SQLite and PostgreSQL: added or updated per (supplier, code), disabled with a reason,
each change a ledger event about no person."""

from __future__ import annotations

import pytest

from leadgate.intake import sources as service
from leadgate.intake.models import DataSource
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from tests.store_helpers import NOW, count, setup_store


def test_add_then_add_again_updates_and_disable_keeps_it_off(database_url: str) -> None:
    setup_store(database_url)
    with unit_of_work(database_url) as session:
        _, created = service.add_source(session, supplier="LeadShop", code="KVK-2026", kind="public_register",
                                        now=NOW, actor="test")
        assert created
    with unit_of_work(database_url) as session:
        source, created = service.add_source(session, supplier="LeadShop", code="KVK-2026", kind="public_register",
                                             purpose="B2B prospecting", compatible=True, now=NOW, actor="test")
        assert not created and (source.purpose, source.purpose_compatible) == ("B2B prospecting", True)
        service.disable_source(session, supplier="LeadShop", code="KVK-2026", reason="complaints", now=NOW,
                               actor="test")
    with unit_of_work(database_url) as session:
        # Adding again does not switch it back on, nor forget the assessment when none is given.
        source, _ = service.add_source(session, supplier="LeadShop", code="KVK-2026", kind="purchased_list",
                                       now=NOW, actor="test")
        assert (source.kind, source.disabled, source.purpose_compatible) == ("purchased_list", True, True)
        listed = service.list_sources(session)
        events = [e["body"] for e in ledger.export(session)][-4:]
    assert [(s.code, name) for s, name in listed] == [("KVK-2026", "LeadShop")]
    assert count(database_url, DataSource) == 1
    assert [e["kind"] for e in events] == ["source.added", "source.updated", "source.disabled", "source.updated"]
    assert events[2]["data"]["reason"] == "complaints"
    assert all("subject" not in e for e in events)


@pytest.mark.parametrize(("changes", "field"), [
    ({"supplier": "Nobody"}, "supplier"),
    ({"supplier": "CallCo"}, "supplier"),  # a call centre is no lead supplier
    ({"kind": "rumour"}, "kind"),
    ({"code": "  "}, "code"),
])
def test_bad_input_is_named_and_stores_nothing(database_url: str, changes: dict[str, str], field: str) -> None:
    setup_store(database_url)
    args = {"supplier": "LeadShop", "code": "LP-1", "kind": "webform"} | changes
    with pytest.raises(InvalidInput) as caught, unit_of_work(database_url) as session:
        service.add_source(session, now=NOW, actor="test", **args)
    assert caught.value.field == field
    assert count(database_url, DataSource) == 0


def test_disabling_an_unknown_source_or_without_reason_is_refused(database_url: str) -> None:
    setup_store(database_url)
    with pytest.raises(InvalidInput) as caught, unit_of_work(database_url) as session:
        service.disable_source(session, supplier="LeadShop", code="LP-404", reason="complaints", now=NOW, actor="t")
    assert "source list" in caught.value.message
    with pytest.raises(InvalidInput) as caught, unit_of_work(database_url) as session:
        service.add_source(session, supplier="LeadShop", code="LP-1", kind="webform", now=NOW, actor="t")
        service.disable_source(session, supplier="LeadShop", code="LP-1", reason=" ", now=NOW, actor="t")
    assert caught.value.field == "reason"
    assert count(database_url, DataSource) == 0  # the add in the failed unit of work was rolled back
