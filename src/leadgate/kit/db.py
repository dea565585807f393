"""Database plumbing: the declarative base, engines, the one unit of work, and the schema-version check.

SQLite (the embedded default) and PostgreSQL (production) run the same code and the same migrations.
Nothing connects at import time; a command or request opens one `unit_of_work`, which commits once at
its end or rolls everything back.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session

from leadgate.kit.errors import LeadgateError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration: the revision this code expects. A constant, so that a command checks the schema
# without importing alembic (~0.25 s of every command's start); tests/kit/test_migrations.py holds it
# equal to the head of the migration scripts.
SCHEMA_HEAD = "0010_export_sheets"


class Base(DeclarativeBase):
    pass


class DatabaseBehind(LeadgateError):
    status_code = 503
    code = "database_behind"


# Connections per process: kept open, and opened beyond that under bursts. The API server lets at most
# API_SESSIONS requests of a process hold a session at a time (api.deps): more threads only wait for the GIL
# (and for the ledger's lock), and the rest of the pool is left to background work (opt-out delivery).
POOL_SIZE = 10
POOL_OVERFLOW = 10
API_SESSIONS = 8


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW} if ":memory:" not in url and url != "sqlite://" \
            else {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
        _ping_when_idle(engine)
    _ENGINES.add(engine)
    return engine


def dispose_engines() -> None:
    """Close the pooled connections of every engine of this process (one about to end without tearing the
    interpreter down: PostgreSQL then sees each session end, not a dropped socket)."""
    for engine in list(_ENGINES):
        engine.dispose()


# A pooled connection idle longer than this is pinged before use (a server restarted meanwhile closed it).
# Not every checkout: under load a connection comes back within milliseconds, and the ping (pool_pre_ping)
# cost every pre-dial check a round trip, ~6 % of the CPU of the machine at 500 checks/s.
PING_AFTER_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = None  # fresh: nothing to ping

    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        recent = since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS
        if recent and not getattr(dbapi_connection, "broken", False):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the driver's error for a dead connection
            raise DisconnectionError(f"pooled connection is gone: {error}") from error
        if not alive:
            raise DisconnectionError("pooled connection is gone")  # the pool connects anew and retries


_IDLE_SINCE = "leadgate.idle_since"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (so BEGIN IMMEDIATE below holds).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Writers serialise at BEGIN: two appends can never read the same ledger head.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def new_session(url: str) -> Session:
    """The session of a unit of work (expire_on_commit off: results stay readable after it). A Session, not
    a sessionmaker per call: making one costs more than the session."""
    return Session(engine_for(url), expire_on_commit=False)


@contextmanager
def unit_of_work(url: str) -> Iterator[Session]:
    """One transaction: commits when the block ends, rolls back everything if it raises."""
    session = new_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def driver_cursor(session: Session) -> Iterator[Any]:
    """The driver's own cursor on the session's connection, after a flush (a statement run on it must see
    what this unit of work added). For the pre-dial check's statements on PostgreSQL: run with psycopg's
    `prepare=True`, a statement costs ~0.1 ms of CPU instead of the ORM's ~0.3-0.4 ms."""
    session.flush()
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    finally:
        cursor.close()


def in_pipeline(connection: Any) -> bool:
    """Whether a psycopg connection is in pipeline mode (statements queued until a result is needed)."""
    return bool(connection.pgconn.pipeline_status)


@contextmanager
def committed_together(session: Session) -> Iterator[None]:
    """Commit at the end of the block. On PostgreSQL the statements the block runs on the driver without
    asking for their results (the pre-dial check's ledger append and record) reach the server together
    with the COMMIT, in one round trip (psycopg's pipeline): the chain's lock, taken by the first of them,
    is then held for the server's time alone, not also while this process waits for the GIL to send the
    commit (~370 -> ~470 checks/s). Only driver statements belong in the block: the ORM cannot read
    results in pipeline mode. For the request or command scope, the one place that commits."""
    if not on_postgresql(session):
        yield
        session.commit()
        return
    session.flush()  # what the ORM holds goes first, outside the pipeline
    connection: Any = session.connection().connection.driver_connection
    with connection.pipeline():
        yield
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("committed_together: the block changed ORM objects; only driver statements "
                               "can be sent in a pipeline")
        connection.commit()
    # The driver committed inside the pipeline, so the session's commit has nothing left to send; it runs
    # after the pipeline has ended, since it gives the connection back to the pool.
    session.commit()


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # only where migrations run: `db upgrade` and the tests

    config = Config()
    config.set_main_option("script_location", str(resources.files("leadgate") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def schema_state(url: str) -> tuple[str | None, str]:
    """(the database's revision, the revision this code expects). None: no leadgate tables yet."""
    with engine_for(url).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None, SCHEMA_HEAD
        found = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    # Several rows would be branches, which this linear history never makes: shown as they are, a mismatch.
    return (",".join(found) or None), SCHEMA_HEAD


def ensure_current(url: str) -> None:
    current, head = schema_state(url)
    if current != head:
        where = "has no leadgate tables yet" if current is None else f"is at revision {current}"
        raise DatabaseBehind(f"The database {where}; this leadgate expects {head}. Run `leadgate db upgrade`.")
