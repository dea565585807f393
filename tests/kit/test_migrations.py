"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

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
from leadgate.kit.db import Base, engine_for


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    with engine_for(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
