"""`leadgate propagation status` and `deliver --once` as cron and an operator run them, on SQLite and
PostgreSQL: per call centre what is pending, delivered, overdue and acknowledged; exit 1 when overdue."""

from __future__ import annotations

import json
from datetime import timedelta

from leadgate.kit.db import unit_of_work
from leadgate.propagation import service
from tests.cli.conftest import RunCli
from tests.propagation.support import exported, partner, setup
from tests.store_helpers import KEY, NOW

CREATED = NOW + timedelta(hours=1)


def given(url: str) -> None:
    """CallCo (24 h) received two numbers, OtherCall (4 h campaign) one; all three object at CREATED;
    CallCo acknowledges one."""
    from leadgate.consent import service as consent
    from tests.propagation.support import FAST

    setup(url)
    exported(url, "CallCo", "+31612345678", "+31687654321")
    exported(url, "OtherCall", "+31611112222", campaign=FAST)
    with unit_of_work(url) as session:
        for number in ("+31612345678", "+31687654321", "+31611112222"):
            consent.record_objection(session, contact=number, country=None, channel="phone", at=NOW, via="test",
                                     actor="test", key=KEY, now=CREATED)
    with unit_of_work(url) as session:
        call_co = partner(session, "CallCo")
        (row, _), *_ = service.list_propagations(session, status="pending", now=CREATED, call_centre_id=call_co,
                                                 limit=1)
        service.acknowledge(session, ids=[row.id], call_centre_id=call_co, now=CREATED, actor="test")


def status(run_cli: RunCli, url: str, *args: str) -> tuple[int, str]:
    result = run_cli("propagation", "status", *args, env={"LEADGATE_DATABASE_URL": url})
    assert result.err == "" or result.code in (0, 1), result.err
    return result.code, result.out


def test_status_exits_1_only_while_something_is_overdue(run_cli: RunCli, database_url: str) -> None:
    given(database_url)
    code, out = status(run_cli, database_url, "--at", (CREATED + timedelta(hours=1)).isoformat(), "--json")
    report = json.loads(out)
    assert code == 0 and report["overdue"] == 0
    assert report["call_centres"] == [
        {"call_centre": "CallCo", "pending": 1, "delivered": 0, "overdue": 0, "acknowledged": 1,
         "oldest_overdue_due_by": None},
        {"call_centre": "OtherCall", "pending": 1, "delivered": 0, "overdue": 0, "acknowledged": 0,
         "oldest_overdue_due_by": None}]

    code, out = status(run_cli, database_url, "--at", (CREATED + timedelta(hours=5)).isoformat(), "--json")
    report = json.loads(out)
    assert code == 1 and report["overdue"] == 1
    assert report["call_centres"][1]["oldest_overdue_due_by"] == (CREATED + timedelta(hours=4)).isoformat()

    code, out = status(run_cli, database_url, "--at", (CREATED + timedelta(days=2)).isoformat())
    assert code == 1
    assert "CallCo" in out and "OtherCall" in out and "2 opt-out(s) overdue" in out


def test_status_of_an_empty_outbox_and_bad_input(run_cli: RunCli, database_url: str) -> None:
    code, out = status(run_cli, database_url)
    assert code == 0 and "No opt-out" in out
    bad = run_cli("propagation", "status", "--at", "2026-11-25 10:00", env={"LEADGATE_DATABASE_URL": database_url})
    assert bad.code != 0 and "--at" in bad.err_text and "offset" in bad.err_text


def test_deliver_once_with_nothing_due(run_cli: RunCli, database_url: str) -> None:
    result = run_cli("propagation", "deliver", "--once",
                     env={"LEADGATE_DATABASE_URL": database_url, "LEADGATE_SECRET_KEY": "x" * 32})
    assert result.code == 0, result.err
    assert "0 opt-out(s) delivered" in result.out
