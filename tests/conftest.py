from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from leadgate.kit.db import alembic_config, engine_for
from leadgate.rules.loader import load
from leadgate.rules.model import Rulebooks


@pytest.fixture(scope="session")
def books() -> Rulebooks:
    """The bundled rulebooks, without any organisation file."""
    return load(None)


# ---- databases: every storage test runs on SQLite and on PostgreSQL ---------------------------------

PG_ADMIN_URL = os.environ.get("LEADGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"leadgate_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL is needed for the storage tests ({PG_ADMIN_URL}): {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    engine_for.cache_clear()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of each kind; PostgreSQL is emptied by recreating its schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'leadgate.db'}"
    else:
        url = request.getfixturevalue("postgres_server")
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    command.upgrade(alembic_config(url), "head")
    yield url
    engine_for(url).dispose()
