"""The pre-dial check's append (ledger.append_queued) and kit.db.committed_together on SQLite and PostgreSQL:
the event, the row sent with it and the commit land together or not at all, the chain stays one chain,
and the event's seq can be asked for before or after the commit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from leadgate.kit.db import committed_together, new_session, on_postgresql, unit_of_work
from leadgate.ledger import service
from leadgate.ledger.models import LedgerEvent
from tests.concurrency import errors_in_threads

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PROBE = "CREATE TABLE IF NOT EXISTS queued_probe (seq BIGINT NOT NULL, note VARCHAR(20) NOT NULL UNIQUE)"


def events(url: str) -> int:
    with unit_of_work(url) as session:
        return session.scalar(select(func.count()).select_from(LedgerEvent)) or 0


def probe_rows(url: str) -> list[tuple[int, str]]:
    with unit_of_work(url) as session:
        return [tuple(r) for r in session.execute(text("SELECT seq, note FROM queued_probe ORDER BY seq"))]


def record(url: str, note: str, *, ask_first: bool = False, fail: bool = False) -> int:
    """One append with a row that refers to it, committed together, as the check route does."""
    session = new_session(url)
    try:
        session.execute(text("SELECT 1"))  # the request's reads come first (authentication, facts)
        with committed_together(session):
            queued = service.append_queued(
                session, kind="decision.recorded", actor="test", data={"note": note}, at=T0,
                then=(f"INSERT INTO queued_probe (seq, note) VALUES ({service.PG_APPENDED_SEQ}, %(note)s)",
                      {"note": note}) if on_postgresql(session) else None)
            if not on_postgresql(session):
                session.execute(text("INSERT INTO queued_probe (seq, note) VALUES (:seq, :note)"),
                                {"seq": queued.seq, "note": note})
            if ask_first:
                assert queued.seq > 0  # sends the queued statements at once; the commit still follows
            if fail:
                raise RuntimeError("the request failed after recording")
        return queued.seq
    finally:
        session.close()


@pytest.fixture
def url(database_url: str) -> str:
    with unit_of_work(database_url) as session:
        session.execute(text(PROBE))
    return database_url


@pytest.mark.parametrize("ask_first", [False, True])
def test_the_event_and_its_row_are_committed_together(url: str, ask_first: bool) -> None:
    forgotten = new_session(url)
    service.append(forgotten, kind="x", actor="t", data={}, at=T0)
    forgotten.rollback()
    forgotten.close()
    first = record(url, "a", ask_first=ask_first)
    second = record(url, "b", ask_first=ask_first)
    assert probe_rows(url) == [(first, "a"), (second, "b")]
    with unit_of_work(url) as session:
        stored = session.scalars(select(LedgerEvent).order_by(LedgerEvent.seq)).all()
        assert [e.seq for e in stored] == [first, second]
        assert service.verify(session).intact


def test_a_failure_in_the_block_stores_nothing(url: str) -> None:
    record(url, "a")
    with pytest.raises(RuntimeError, match="after recording"):
        record(url, "b", fail=True)
    assert [note for _, note in probe_rows(url)] == ["a"]
    assert events(url) == 1


def test_a_failing_statement_sent_with_the_commit_stores_nothing(url: str) -> None:
    record(url, "a")
    with pytest.raises(Exception, match=r"(?i)unique"):  # psycopg's own error on PostgreSQL, SQLAlchemy's on SQLite
        record(url, "a")  # the probe's note is unique: the row sent with the event fails
    assert [note for _, note in probe_rows(url)] == ["a"]
    assert events(url) == 1
    with unit_of_work(url) as session:
        assert service.verify(session).intact


def test_orm_changes_inside_the_block_are_refused_on_postgresql(url: str) -> None:
    session = new_session(url)
    try:
        if not on_postgresql(session):
            pytest.skip("SQLite commits the ORM's changes as usual")
        with pytest.raises(RuntimeError, match="only driver statements"), committed_together(session):
            session.add(LedgerEvent(at=T0, kind="x", actor="t", body="{}", prev_hash="p", hash="h"))
    finally:
        session.close()
    assert events(url) == 0


def test_concurrent_checks_keep_one_chain(url: str) -> None:
    def worker(n: int) -> None:
        for i in range(5):
            record(url, f"w{n}-{i}", ask_first=i % 2 == 0)

    errors = errors_in_threads(worker, 4)
    assert not errors
    assert len(probe_rows(url)) == 20
    with unit_of_work(url) as session:
        assert service.verify(session).events == 20
        assert service.verify(session).intact
