"""Organisation ids and job titles, customer relationships, data sources, intakes and leads, contact
attempts, recorded decisions, and the ledger's indexed subject.

Revision ID: 0004_evidence_store
Revises: 0003_campaigns
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_evidence_store"
down_revision = "0003_campaigns"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(32), primary_key=True)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite): the ledger's append-only triggers must stay in place.
    op.add_column("ledger_events", sa.Column("subject", sa.String(32)))
    op.create_index("ix_ledger_events_subject", "ledger_events", ["subject"])
    for name, type_ in (("name", sa.String(200)), ("organisation_name", sa.String(200)),
                        ("organisation_id_kind", sa.String(20)),
                        ("organisation_id", sa.String(40)), ("job_title", sa.String(200))):
        op.add_column("persons", sa.Column(name, type_))
    op.create_index("ix_persons_organisation_id", "persons", ["organisation_id"])

    op.create_table(
        "customer_relationships", _id(),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("paid", sa.Boolean, nullable=False),
        sa.Column("started_on", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("reference", sa.String(100)),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_customer_relationships_person_id", "customer_relationships", ["person_id"])

    op.create_table(
        "data_sources", _id(),
        sa.Column("supplier_id", sa.String(32), sa.ForeignKey("partners.id")),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("purpose", sa.Text),
        sa.Column("purpose_compatible", sa.Boolean),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("supplier_id", "code", name="uq_data_sources_supplier_code"),
    )
    op.create_index("ix_data_sources_supplier_id", "data_sources", ["supplier_id"])
    op.create_index("ix_data_sources_code", "data_sources", ["code"])

    op.create_table(
        "intakes", _id(),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("supplier_id", sa.String(32), sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in (
            "rows_total", "rows_imported", "rows_rejected", "persons_created", "persons_matched",
            "customers_matched", "consents_created")),
        sa.Column("ledger_seq", SEQ),
    )
    op.create_index("ix_intakes_supplier_id", "intakes", ["supplier_id"])

    op.create_table(
        "leads", _id(),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("data_source_id", sa.String(32), sa.ForeignKey("data_sources.id"), nullable=False),
        sa.Column("intake_id", sa.String(32), sa.ForeignKey("intakes.id")),
        sa.Column("row_number", sa.Integer),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("extra", sa.Text),
    )
    for column in ("person_id", "data_source_id", "intake_id"):
        op.create_index(f"ix_leads_{column}", "leads", [column])

    # A consent that came in a supplier file points at its intake (whose ledger event covers it).
    # (A batch copy on SQLite, which cannot add a foreign key in place; nothing references consents yet.)
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("intake_id", sa.String(32), sa.ForeignKey("intakes.id",
                                                                                name="fk_consents_intake_id")))
        batch.create_index("ix_consents_intake_id", ["intake_id"])

    op.create_table(
        "contact_attempts", _id(),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="SET NULL")),
        sa.Column("contact_point_id", sa.String(32), sa.ForeignKey("contact_points.id", ondelete="SET NULL")),
        sa.Column("campaign_id", sa.String(100), sa.ForeignKey("campaigns.id")),
        sa.Column("call_centre_id", sa.String(32), sa.ForeignKey("partners.id")),
        sa.Column("call_id", sa.String(100)),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("rings", sa.Integer),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.UniqueConstraint("call_centre_id", "call_id", name="uq_contact_attempts_call"),
    )
    for column in ("person_id", "contact_point_id", "campaign_id", "call_centre_id", "at"):
        op.create_index(f"ix_contact_attempts_{column}", "contact_attempts", [column])

    op.create_table(
        "decision_records", _id(),
        sa.Column("person_id", sa.String(32), sa.ForeignKey("persons.id", ondelete="SET NULL")),
        sa.Column("contact_point_id", sa.String(32), sa.ForeignKey("contact_points.id", ondelete="SET NULL")),
        sa.Column("campaign_id", sa.String(100), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("allowed", sa.Boolean, nullable=False),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("facts_sha256", sa.String(64), nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("ledger_seq", SEQ, nullable=False),
    )
    for column in ("person_id", "contact_point_id", "campaign_id"):
        op.create_index(f"ix_decision_records_{column}", "decision_records", [column])


def downgrade() -> None:
    for table in ("decision_records", "contact_attempts"):
        op.drop_table(table)
    with op.batch_alter_table("consents") as batch:
        batch.drop_index("ix_consents_intake_id")
        batch.drop_column("intake_id")
    for table in ("leads", "intakes", "data_sources", "customer_relationships"):
        op.drop_table(table)
    with op.batch_alter_table("persons") as batch:
        batch.drop_index("ix_persons_organisation_id")
        for name in ("name", "organisation_name", "organisation_id_kind", "organisation_id", "job_title"):
            batch.drop_column(name)
    op.drop_index("ix_ledger_events_subject", "ledger_events")
    op.execute("ALTER TABLE ledger_events DROP COLUMN subject")
