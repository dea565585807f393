"""The evidence ledger, append-only by trigger on both databases.

Revision ID: 0001_ledger
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger"
down_revision = None
branch_labels = None
depends_on = None

_MESSAGE = "ledger_events is append-only: events are never changed or removed"


def upgrade() -> None:
    op.create_table(
        "ledger_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_ledger_events_at", "ledger_events", ["at"])
    op.create_index("ix_ledger_events_kind", "ledger_events", ["kind"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION leadgate_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$;
            CREATE TRIGGER ledger_events_no_update_delete BEFORE UPDATE OR DELETE ON ledger_events
                FOR EACH ROW EXECUTE FUNCTION leadgate_ledger_append_only();
            CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
                FOR EACH STATEMENT EXECUTE FUNCTION leadgate_ledger_append_only();
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER ledger_events_no_{action.lower()} BEFORE {action} ON ledger_events "
                       f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_events_no_truncate ON ledger_events")
        op.execute("DROP TRIGGER ledger_events_no_update_delete ON ledger_events")
        op.execute("DROP FUNCTION leadgate_ledger_append_only()")
    op.drop_table("ledger_events")
