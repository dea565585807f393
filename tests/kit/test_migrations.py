"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import leadgate.access.models
import leadgate.attempts.models
import leadgate.campaigns.models
import leadgate.consent.models
import leadgate.decisions.models
import leadgate.intake.models
import leadgate.ledger.models
import leadgate.people.models
import leadgate.propagation.models
import leadgate.registers.models
import leadgate.screening.models  # noqa: F401  (register every table, as migrations/env.py does)
from leadgate.kit.db import SCHEMA_HEAD, Base, DatabaseBehind, alembic_config, engine_for, ensure_current, schema_state


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    with engine_for(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_expected_revision_is_the_head_of_the_migration_scripts() -> None:
    # Commands compare the database against SCHEMA_HEAD without loading alembic: a new migration must move it.
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads() == [SCHEMA_HEAD]


def test_the_schema_state_of_a_migrated_an_empty_and_an_older_database(database_url: str, tmp_path: Path) -> None:
    assert schema_state(database_url) == (SCHEMA_HEAD, SCHEMA_HEAD)
    ensure_current(database_url)  # no error
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    assert schema_state(empty) == (None, SCHEMA_HEAD)
    with pytest.raises(DatabaseBehind, match="has no leadgate tables yet"):
        ensure_current(empty)
    older = f"sqlite:///{tmp_path / 'older.db'}"
    command.upgrade(alembic_config(older), "0008_export_receipt")
    assert schema_state(older) == ("0008_export_receipt", SCHEMA_HEAD)
    with pytest.raises(DatabaseBehind, match="is at revision 0008_export_receipt; this leadgate expects "
                                             f"{SCHEMA_HEAD}"):
        ensure_current(older)
    for url in (empty, older):
        engine_for(url).dispose()
