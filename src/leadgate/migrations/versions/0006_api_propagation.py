"""The HTTP API: API keys, double opt-in requests, the opt-out propagation outbox, which call centre asked
for a recorded decision, call centres' webhook URLs and each campaign's acknowledgement deadline.

Revision ID: 0006_api_propagation
Revises: 0005_registers_screening
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_api_propagation"
down_revision = "0005_registers_screening"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("partner_id", sa.String(32), sa.ForeignKey("partners.id"), index=True),
        sa.Column("label", sa.String(200)),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN),
    )
    op.create_table(
        "consent_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("contact", sa.String(320), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("purpose", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_version", sa.String(100)),
        sa.Column("source_code", sa.String(100), nullable=False),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("user_agent", sa.Text),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("confirmed_at", WHEN),
        sa.Column("consent_id", sa.String(32), sa.ForeignKey("consents.id", ondelete="SET NULL")),
    )
    op.create_table(
        "propagations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("call_centre_id", sa.String(32), sa.ForeignKey("partners.id"), nullable=False, index=True),
        sa.Column("cause", sa.String(20), nullable=False),
        sa.Column("cause_seq", SEQ, nullable=False),
        sa.Column("medium", sa.String(10), nullable=False),
        sa.Column("contact", sa.String(320)),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("effective_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("due_by", WHEN, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", WHEN),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", WHEN),
        sa.Column("acknowledged_at", WHEN),
        sa.Column("ack_seq", SEQ),
        sa.UniqueConstraint("cause_seq", "call_centre_id", "contact", name="uq_propagations_cause_call_centre"),
    )
    op.create_index("ix_propagations_due", "propagations", ["acknowledged_at", "next_attempt_at"])
    with op.batch_alter_table("decision_records") as batch:
        batch.add_column(sa.Column("call_centre_id", sa.String(32), nullable=True))
        batch.create_foreign_key("fk_decision_records_call_centre", "partners", ["call_centre_id"], ["id"])
    op.create_index("ix_decision_records_call_centre_id", "decision_records", ["call_centre_id"])
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("webhook_url", sa.String(500), nullable=True))
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("propagation_deadline_hours", sa.Integer, nullable=False, server_default="24"))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("propagation_deadline_hours")
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("webhook_url")
    op.drop_index("ix_decision_records_call_centre_id", "decision_records")
    with op.batch_alter_table("decision_records") as batch:
        batch.drop_constraint("fk_decision_records_call_centre", type_="foreignkey")
        batch.drop_column("call_centre_id")
    op.drop_index("ix_propagations_due", "propagations")
    for table in ("propagations", "consent_requests", "api_keys"):
        op.drop_table(table)
