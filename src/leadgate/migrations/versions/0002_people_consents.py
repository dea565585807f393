"""People, contact points, consents, objections and the suppression list.

Revision ID: 0002_people_consents
Revises: 0001_ledger
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_people_consents"
down_revision = "0001_ledger"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "contact_points",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("medium", sa.String(10), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("region", sa.String(3)),
        sa.Column("mobile", sa.Boolean),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("medium", "value", name="uq_contact_points_medium_value"),
    )
    op.create_index("ix_contact_points_person_id", "contact_points", ["person_id"])
    op.create_table(
        "consents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contact_point_id", sa.String(32), sa.ForeignKey("contact_points.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("purpose", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_version", sa.String(100)),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("given_at", WHEN, nullable=False),
        sa.Column("source_code", sa.String(100), nullable=False),
        sa.Column("collection_method", sa.String(40), nullable=False),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("user_agent", sa.Text),
        sa.Column("single_use", sa.Boolean, nullable=False),
        sa.Column("used_at", WHEN),
        sa.Column("own_initiative", sa.Boolean, nullable=False),
        sa.Column("automated_calls", sa.Boolean, nullable=False),
        sa.Column("withdrawn_at", WHEN),
        sa.Column("withdrawn_via", sa.String(40)),
    )
    op.create_index("ix_consents_person_id", "consents", ["person_id"])
    op.create_index("ix_consents_contact_point_id", "consents", ["contact_point_id"])
    op.create_index("ix_consents_source_code", "consents", ["source_code"])
    op.create_table(
        "objections",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="SET NULL")),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("received_via", sa.String(40), nullable=False),
    )
    op.create_index("ix_objections_person_id", "objections", ["person_id"])
    op.create_table(
        "suppressions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.UniqueConstraint("digest", "channel", name="uq_suppressions_digest_channel"),
    )
    op.create_index("ix_suppressions_digest", "suppressions", ["digest"])


def downgrade() -> None:
    for table in ("suppressions", "objections", "consents", "contact_points", "persons"):
        op.drop_table(table)
