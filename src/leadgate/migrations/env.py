"""Alembic environment: the URL comes from leadgate's settings via the Config built in kit.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

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
import leadgate.screening.models  # noqa: F401  (these imports register the tables on the metadata)
from leadgate.kit.db import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""

engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
