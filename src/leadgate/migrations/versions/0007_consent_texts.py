"""Consent texts by version: the registry a web form's consent may refer to instead of sending its text;
a double opt-in request keeps whether the consent is single-use and given on the person's own initiative.

Revision ID: 0007_consent_texts
Revises: 0006_api_propagation
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_consent_texts"
down_revision = "0006_api_propagation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_texts",
        sa.Column("version", sa.String(100), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("consent_requests") as batch:
        batch.add_column(sa.Column("single_use", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("own_initiative", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("consent_requests") as batch:
        batch.drop_column("own_initiative")
        batch.drop_column("single_use")
    op.drop_table("consent_texts")
