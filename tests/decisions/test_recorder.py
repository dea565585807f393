"""The pre-dial checks' batched records on PostgreSQL (decisions.recorder): checks recorded at once share
transactions yet each gets its own event, its record refers to that event, the chain stays intact, and a
record that cannot be stored fails its own check only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import func, select, text

from leadgate.decisions import recorder as recorder_module
from leadgate.decisions import service as decisions
from leadgate.decisions.models import DecisionRecord
from leadgate.decisions.recorder import Recorder
from leadgate.kit.aiopool import AsyncPool
from leadgate.kit.db import unit_of_work
from leadgate.ledger import service as ledger
from leadgate.ledger.models import LedgerEvent
from leadgate.rules.model import Rulebooks
from tests.concurrency import errors_in_threads
from tests.store_helpers import CAMPAIGN, KEY, NOW, setup_store


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite records each check in its own request's transaction")
    setup_store(database_url)
    return database_url


def prepared(url: str, books: Rulebooks, n: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """n decided checks (record id, event statement, record values), as api.checks builds them."""
    out = []
    with unit_of_work(url) as session:
        for i in range(n):
            result = decisions.decide_stored(session, contact=f"+3161234{i:04d}", country=None, campaign_id=CAMPAIGN,
                                             channel="phone", at=NOW, key=KEY, books=books, record=False, now=NOW,
                                             actor="test")
            record_id, data, values = decisions.record_parts(result, call_centre_id=None)
            out.append((record_id, ledger.event_fields(kind="decision.recorded", actor="test", at=NOW, data=data),
                        values))
    return out


async def record_all(url: str, checks: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[Any]:
    pool = AsyncPool(url, size=4)
    recorder = Recorder(pool)
    try:
        return await asyncio.gather(*(recorder.record(event=event, values=values) for _, event, values in checks),
                                    return_exceptions=True)
    finally:
        await recorder.close()
        await pool.close()


def test_checks_recorded_at_once_each_get_their_event_in_one_intact_chain(pg_url: str, books: Rulebooks,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder_module, "MAX_BATCH", 7)  # several batches, the last one partial
    checks = prepared(pg_url, books, 30)
    seqs = asyncio.run(record_all(pg_url, checks))
    assert all(isinstance(s, int) for s in seqs) and len(set(seqs)) == 30
    with unit_of_work(pg_url) as session:
        stored = {r.id: r.ledger_seq for r in session.scalars(select(DecisionRecord))}
        events = {e.seq: json.loads(e.body)["data"]["decision_record"]
                  for e in session.scalars(select(LedgerEvent).where(LedgerEvent.kind == "decision.recorded"))}
        assert ledger.verify(session).intact
    for (record_id, _, _), seq in zip(checks, seqs, strict=True):
        assert stored[record_id] == seq and events[seq] == record_id


def test_a_record_that_cannot_be_stored_fails_its_own_check_only(pg_url: str, books: Rulebooks) -> None:
    checks = prepared(pg_url, books, 5)
    bad_id, bad_event, bad_values = checks[2]
    checks[2] = (bad_id, bad_event, {**bad_values, "campaign_id": "no-such-campaign"})  # a foreign key fails
    results = asyncio.run(record_all(pg_url, checks))
    assert isinstance(results[2], Exception)
    assert all(isinstance(results[i], int) for i in (0, 1, 3, 4))
    with unit_of_work(pg_url) as session:
        stored = set(session.scalars(select(DecisionRecord.id)))
        assert ledger.verify(session).intact
    assert stored == {checks[i][0] for i in (0, 1, 3, 4)}


def test_batches_and_the_other_appenders_take_the_same_lock_and_keep_one_chain(pg_url: str, books: Rulebooks,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder_module, "MAX_BATCH", 3)
    checks = prepared(pg_url, books, 24)

    def work(k: int) -> None:
        if k == 0:
            assert all(isinstance(s, int) for s in asyncio.run(record_all(pg_url, checks)))
            return
        for i in range(8):  # the ORM path's appends (every other command's), at the same time
            with unit_of_work(pg_url) as session:
                ledger.append(session, kind="test.appended", actor=f"thread {k}", data={"i": i}, at=NOW)

    assert errors_in_threads(work, 3) == []
    with unit_of_work(pg_url) as session:
        assert ledger.verify(session).intact
        assert session.scalar(select(func.count()).select_from(LedgerEvent)
                              .where(LedgerEvent.kind.in_(["decision.recorded", "test.appended"]))) == 24 + 16
        definition = session.scalar(text("SELECT pg_get_functiondef('leadgate_ledger_append'::regproc)"))
    assert f"pg_advisory_xact_lock({ledger._PG_LOCK})" in definition  # the lock of every other appender
