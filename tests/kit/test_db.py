"""The engines: on PostgreSQL a pooled connection whose server side went away while it sat idle is replaced
before a request uses it (it is pinged after PING_AFTER_IDLE_SECONDS idle, not on every checkout); disposing
the engines ends their sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from leadgate.kit import db


def backend_pid(url: str) -> int:
    with db.unit_of_work(url) as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(url: str, pid: int) -> None:
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose")
    db.engine_for(database_url).dispose()  # one pooled connection, the one the test kills
    return database_url


def test_an_idle_connection_whose_server_went_away_is_replaced(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = backend_pid(pg_url)
    terminate(pg_url, first)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has sat idle long enough
    second = backend_pid(pg_url)  # no error: the ping found it dead and the pool connected anew
    assert second != first


def test_a_connection_back_within_the_idle_time_is_not_pinged(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pings: list[object] = []
    dialect = db.engine_for(pg_url).dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(connection) or real(connection))
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    for _ in range(3):
        backend_pid(pg_url)
    assert pings == []
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    backend_pid(pg_url)
    assert len(pings) == 1


def test_disposing_the_engines_ends_their_sessions(database_url: str) -> None:
    """What `leadgate` does before its process ends without teardown (cli.main.run): every pooled
    connection is closed, so PostgreSQL sees each session end."""
    with db.unit_of_work(database_url) as session:
        session.execute(text("SELECT 1"))
        pid = int(session.execute(text("SELECT pg_backend_pid()")).scalar_one()) \
            if database_url.startswith("postgresql") else None
    assert db.engine_for(database_url).pool.checkedin() >= 1  # type: ignore[attr-defined]
    db.dispose_engines()
    assert db.engine_for(database_url).pool.checkedin() == 0  # type: ignore[attr-defined]
    if pid is not None:
        import time

        with create_engine(database_url, poolclass=NullPool).connect() as connection:
            for _ in range(50):
                alive = connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                           {"pid": pid}).scalar_one()
                if not alive:
                    break
                time.sleep(0.05)
        assert not alive
