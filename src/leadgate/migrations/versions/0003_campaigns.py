"""Partners, campaigns and the call centres working them.

Revision ID: 0003_campaigns
Revises: 0002_people_consents
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_campaigns"
down_revision = "0002_people_consents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lawful_basis", sa.String(30), nullable=False),
        sa.Column("sector", sa.String(30), nullable=False),
        sa.Column("caller_id", sa.String(20)),
        sa.Column("automated_dialer", sa.Boolean, nullable=False),
        sa.Column("relevant_to_role", sa.Boolean, nullable=False),
        sa.Column("lia_approved_on", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "campaign_call_centres",
        sa.Column("campaign_id", sa.String(100), sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("partner_id", sa.String(32), sa.ForeignKey("partners.id"), primary_key=True),
        sa.Column("share", sa.Integer, nullable=False),
    )
    op.create_index("ix_campaign_call_centres_partner_id", "campaign_call_centres", ["partner_id"])


def downgrade() -> None:
    for table in ("campaign_call_centres", "campaigns", "partners"):
        op.drop_table(table)
