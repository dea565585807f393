"""The evidence ledger on SQLite and PostgreSQL: appends chain, tampering is found, nothing is rewritten."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from leadgate.kit.db import unit_of_work
from leadgate.ledger import service
from leadgate.ledger.models import GENESIS, LedgerEvent
from tests.concurrency import errors_in_threads

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def fill(url: str, n: int) -> None:
    with unit_of_work(url) as session:
        for i in range(n):
            service.append(session, kind="consent.given", actor="intake", data={"n": i, "text": "Ja, bel mij"},
                           at=T0 + timedelta(minutes=i), subject=f"person{i % 2}")


def tamper(url: str, sql: str) -> None:
    """What an attacker with database access could do: bypass the append-only triggers."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            connection.execute(text("DROP TRIGGER IF EXISTS ledger_events_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS ledger_events_no_delete"))
            connection.execute(text(sql))
        else:
            connection.execute(text("ALTER TABLE ledger_events DISABLE TRIGGER USER"))
            connection.execute(text(sql))
            connection.execute(text("ALTER TABLE ledger_events ENABLE TRIGGER USER"))
    engine.dispose()


def verified(url: str) -> service.Verification:
    with unit_of_work(url) as session:
        return service.verify(session)


def test_appends_form_a_chain_of_sha256_over_previous_hash_and_body(database_url: str) -> None:
    fill(database_url, 3)
    with unit_of_work(database_url) as session:
        events = list(service.export(session))
    assert [e["seq"] for e in events] == [1, 2, 3]
    prev = GENESIS
    for event in events:
        body = json.dumps(event["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event["prev_hash"] == prev
        assert event["hash"] == hashlib.sha256((prev + body).encode()).hexdigest()
        prev = event["hash"]
    assert events[0]["body"] == {"kind": "consent.given", "actor": "intake", "at": "2026-11-22T09:00:00+00:00",
                                 "data": {"n": 0, "text": "Ja, bel mij"}, "subject": "person0"}
    result = verified(database_url)
    assert (result.intact, result.events, result.head) == (True, 3, prev)


def test_an_empty_ledger_is_intact(database_url: str) -> None:
    assert verified(database_url) == service.Verification(0, GENESIS)


@pytest.mark.parametrize(("sql", "seq", "words"), [
    ("UPDATE ledger_events SET body = replace(body, 'Ja, bel mij', 'Ja, mail mij') WHERE seq = 2", 2, "changed"),
    ("UPDATE ledger_events SET actor = 'someone else' WHERE seq = 3", 3, "changed"),
    ("UPDATE ledger_events SET at = at + interval '1 day' WHERE seq = 1", 1, "changed"),
    ("UPDATE ledger_events SET subject = 'person9' WHERE seq = 3", 3, "changed"),
    ("UPDATE ledger_events SET subject = NULL WHERE seq = 2", 2, "changed"),
    ("DELETE FROM ledger_events WHERE seq = 2", 3, "removed"),
])
def test_verify_names_the_first_changed_or_removed_event(database_url: str, sql: str, seq: int, words: str) -> None:
    fill(database_url, 4)
    if database_url.startswith("sqlite"):
        sql = sql.replace("at + interval '1 day'", "datetime(at, '+1 day')")
    tamper(database_url, sql)
    result = verified(database_url)
    assert not result.intact
    assert result.seq == seq
    assert words in (result.problem or "")


def test_verify_finds_reordered_events(database_url: str) -> None:
    fill(database_url, 3)
    # Swap the contents of events 1 and 2 (hashes included): each row is self-consistent, the order is not.
    tamper(database_url, """
        UPDATE ledger_events SET seq = seq + 100 WHERE seq IN (1, 2)
    """)
    tamper(database_url, "UPDATE ledger_events SET seq = 2 WHERE seq = 101")
    tamper(database_url, "UPDATE ledger_events SET seq = 1 WHERE seq = 102")
    result = verified(database_url)
    assert not result.intact
    assert result.seq == 1
    assert "does not follow" in (result.problem or "")


@pytest.mark.parametrize("sql", ["UPDATE ledger_events SET actor = 'x'", "DELETE FROM ledger_events"])
def test_the_database_refuses_to_rewrite_the_ledger(database_url: str, sql: str) -> None:
    fill(database_url, 2)
    with pytest.raises(DBAPIError, match="append-only"), unit_of_work(database_url) as session:
        session.execute(text(sql))
    assert verified(database_url).events == 2


def test_a_failed_unit_of_work_leaves_no_event(database_url: str) -> None:
    fill(database_url, 1)
    with pytest.raises(RuntimeError), unit_of_work(database_url) as session:
        service.append(session, kind="objection", actor="api", data={"channel": "all"})
        raise RuntimeError("the command failed after appending")
    assert verified(database_url).events == 1


@pytest.mark.parametrize(("units", "per_unit"), [(10, 1), (3, 5)])
def test_concurrent_appends_keep_one_chain(database_url: str, units: int, per_unit: int) -> None:
    # (3, 5): several appends in one transaction follow each other while other threads wait for the lock.
    def writer(k: int) -> None:
        for _ in range(units):
            with unit_of_work(database_url) as session:
                for i in range(per_unit):
                    service.append(session, kind="decision.recorded", actor=f"worker-{k}", data={"i": i})

    errors = errors_in_threads(writer, 4)
    assert errors == []
    result = verified(database_url)
    assert (result.intact, result.events) == (True, 4 * units * per_unit)


def test_export_since_keeps_only_later_events(database_url: str) -> None:
    fill(database_url, 5)
    with unit_of_work(database_url) as session:
        later = list(service.export(session, since=T0 + timedelta(minutes=3)))
    assert [e["seq"] for e in later] == [4, 5]


def test_the_subject_is_part_of_the_hashed_body_and_found_by_index(database_url: str) -> None:
    fill(database_url, 4)
    with unit_of_work(database_url) as session:
        mine = [e for e in service.export(session) if e["body"].get("subject") == "person1"]
        seqs = list(session.scalars(select(LedgerEvent.seq).where(LedgerEvent.subject == "person1")))
    assert [e["seq"] for e in mine] == seqs == [2, 4]


def test_appends_in_one_transaction_chain_to_each_other_and_a_rollback_forgets_them(database_url: str) -> None:
    fill(database_url, 1)
    with pytest.raises(RuntimeError), unit_of_work(database_url) as session:
        for i in range(3):
            service.append(session, kind="objection", actor="api", data={"i": i})
        raise RuntimeError("rolled back after three appends")
    with unit_of_work(database_url) as session:
        events = [service.append(session, kind="customer.recorded", actor="cli", data={"i": i}) for i in range(5)]
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    result = verified(database_url)
    assert (result.intact, result.events, result.head) == (True, 6, events[-1].hash)
