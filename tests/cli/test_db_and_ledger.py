"""`leadgate db` and `leadgate ledger` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from leadgate.kit.db import unit_of_work
from leadgate.ledger import service
from tests.cli.conftest import RunCli

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_a_new_database_is_behind_until_upgraded(run_cli: RunCli, tmp_path: Path) -> None:
    env = {"LEADGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    for args in (("db", "status"), ("ledger", "verify")):
        result = run_cli(*args, env=env)
        assert result.code == 1
        assert "leadgate db upgrade" in result.err_text
    assert run_cli("db", "upgrade", env=env).code == 0
    status = run_cli("db", "status", env=env)
    assert status.code == 0 and "as expected" in status.out


def test_the_default_database_is_leadgate_db_in_the_working_directory(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("db", "upgrade").code == 0
    assert (tmp_path / "leadgate.db").is_file()


def test_verify_and_export(run_cli: RunCli, database_url: str) -> None:
    with unit_of_work(database_url) as session:
        for i in range(3):
            service.append(session, kind="objection", actor="api", data={"channel": "all", "n": i},
                           at=T0 + timedelta(hours=i))
    env = {"LEADGATE_DATABASE_URL": database_url}
    ok = run_cli("ledger", "verify", env=env)
    assert ok.code == 0 and "3 event(s), chain intact" in ok.out

    exported = run_cli("ledger", "export", "--since", "2026-11-22T10:00:00", env=env)
    assert exported.code == 0
    records = [json.loads(line) for line in exported.out.splitlines()]
    assert [r["seq"] for r in records] == [2, 3]
    assert records[0]["body"]["data"] == {"channel": "all", "n": 1}

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if database_url.startswith("sqlite"):
            connection.execute(text("DROP TRIGGER ledger_events_no_update"))
        else:
            connection.execute(text("ALTER TABLE ledger_events DISABLE TRIGGER USER"))
        connection.execute(text("UPDATE ledger_events SET body = replace(body, :old, :new) WHERE seq = 2"),
                           {"old": '"n":1', "new": '"n":9'})
    engine.dispose()
    broken = run_cli("ledger", "verify", env=env)
    assert broken.code == 1
    assert "event 2 was changed" in broken.err_text
