"""Register snapshots and listings, check-service results, exports and who received which number,
call-centre regions, the campaign of an intake, and the suppression list's phone prefilter.

Revision ID: 0005_registers_screening
Revises: 0004_evidence_store
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_registers_screening"
down_revision = "0004_evidence_store"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "register_snapshots",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("register", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("checked_at", WHEN, nullable=False),
        sa.Column("imported_at", WHEN, nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("lines_total", sa.Integer, nullable=False),
        sa.Column("lines_invalid", sa.Integer, nullable=False),
        sa.Column("numbers_checked", sa.Integer, nullable=False),
        sa.Column("numbers_listed", sa.Integer, nullable=False),
        sa.Column("listed_sha256", sa.String(64), nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("ledger_seq", SEQ),
    )
    op.create_index("ix_register_snapshots_register_checked_at", "register_snapshots", ["register", "checked_at"])
    op.create_index("ix_register_snapshots_file_sha256", "register_snapshots", ["file_sha256"])
    op.create_table(
        "register_numbers",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("register", sa.String(50), nullable=False),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("listed_from", SEQ, sa.ForeignKey("register_snapshots.id"), nullable=False),
        sa.Column("listed_to", SEQ, sa.ForeignKey("register_snapshots.id")),
    )
    op.create_index("ix_register_numbers_register_number", "register_numbers", ["register", "number"])
    op.create_table(
        "register_check_results",
        sa.Column("snapshot_id", SEQ, sa.ForeignKey("register_snapshots.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("number", sa.BigInteger, primary_key=True),
        sa.Column("listed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_register_check_results_number", "register_check_results", ["number"])

    op.create_table(
        "exports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("campaign_id", sa.String(100), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("planned_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("ledger_seq", SEQ),
    )
    op.create_index("ix_exports_campaign_id", "exports", ["campaign_id"])
    op.create_table(
        "export_contacts",
        sa.Column("export_id", sa.String(32), sa.ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("number", sa.BigInteger, primary_key=True),
        sa.Column("call_centre_id", sa.String(32), sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("flow", sa.String(10), nullable=False),
        sa.Column("person_id", sa.String(32)),
    )
    # Looked up by number only (whom to tell about an objection): every extra index costs a 10M-row export.
    op.create_index("ix_export_contacts_number", "export_contacts", ["number"])

    # Plain ADD COLUMN (no batch copy on SQLite): tables keep their triggers and foreign keys.
    op.add_column("campaign_call_centres", sa.Column("regions", sa.String(200)))
    # SQLite cannot add a foreign key in place: intakes (no triggers) is copied by batch mode there.
    with op.batch_alter_table("intakes") as batch:
        batch.add_column(sa.Column("campaign_id", sa.String(100)))
        batch.create_foreign_key("fk_intakes_campaign_id_campaigns", "campaigns", ["campaign_id"], ["id"])
        batch.create_index("ix_intakes_campaign_id", ["campaign_id"])
    op.add_column("suppressions", sa.Column("bucket", sa.Integer))
    op.create_index("ix_suppressions_bucket", "suppressions", ["bucket"])


def downgrade() -> None:
    op.drop_index("ix_suppressions_bucket", "suppressions")
    op.drop_index("ix_intakes_campaign_id", "intakes")
    with op.batch_alter_table("suppressions") as batch:
        batch.drop_column("bucket")
    with op.batch_alter_table("intakes") as batch:
        batch.drop_column("campaign_id")
    with op.batch_alter_table("campaign_call_centres") as batch:
        batch.drop_column("regions")
    for table in ("export_contacts", "exports", "register_check_results", "register_numbers", "register_snapshots"):
        op.drop_table(table)
