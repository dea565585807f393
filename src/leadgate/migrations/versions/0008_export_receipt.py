"""Who received which number is keyed by (number, export_id), the only way it is looked up, without the
separate number index: on SQLite one WITHOUT ROWID B-tree instead of three (a rowid table, the key's
autoindex, the number index), on PostgreSQL one index on the heap instead of two. Without its foreign keys
to exports and partners: checking them cost a lookup per row and key (most of an export's COPY on
PostgreSQL), and with no index leading by those columns a delete of an export or partner would scan it.

SQLite cannot change a table's key, foreign keys or rowid in place: the table is built anew, the rows
copied in the new key's order, the old one dropped and the new one renamed (nothing refers to this table,
and it has no triggers). PostgreSQL changes the key and drops the index and the foreign keys in place.

Revision ID: 0008_export_receipt
Revises: 0007_consent_texts
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_export_receipt"
down_revision = "0007_consent_texts"
branch_labels = None
depends_on = None

_COLUMNS = "export_id, number, call_centre_id, flow, person_id"


def _rebuild_sqlite(key: tuple[str, str], *, with_rowid: bool, foreign_keys: bool) -> None:
    references = ([sa.ForeignKeyConstraint(["export_id"], ["exports.id"], ondelete="CASCADE"),
                   sa.ForeignKeyConstraint(["call_centre_id"], ["partners.id"])] if foreign_keys else [])
    op.create_table(
        "_export_contacts_new",
        sa.Column("export_id", sa.String(32), nullable=False),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("call_centre_id", sa.String(32), nullable=False),
        sa.Column("flow", sa.String(10), nullable=False),
        sa.Column("person_id", sa.String(32)),
        sa.PrimaryKeyConstraint(*key),
        *references,
        sqlite_with_rowid=with_rowid,
    )
    # In the new key's order: every row is appended to the B-tree instead of inserted at a random page.
    op.execute(f"INSERT INTO _export_contacts_new ({_COLUMNS}) SELECT {_COLUMNS} FROM export_contacts "
               f"ORDER BY {', '.join(key)}")
    op.drop_table("export_contacts")
    op.rename_table("_export_contacts_new", "export_contacts")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(("number", "export_id"), with_rowid=False, foreign_keys=False)
        return
    op.drop_constraint("export_contacts_export_id_fkey", "export_contacts", type_="foreignkey")
    op.drop_constraint("export_contacts_call_centre_id_fkey", "export_contacts", type_="foreignkey")
    op.drop_index("ix_export_contacts_number", "export_contacts")
    op.drop_constraint("export_contacts_pkey", "export_contacts", type_="primary")
    op.create_primary_key("export_contacts_pkey", "export_contacts", ["number", "export_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(("export_id", "number"), with_rowid=True, foreign_keys=True)
    else:
        op.drop_constraint("export_contacts_pkey", "export_contacts", type_="primary")
        op.create_primary_key("export_contacts_pkey", "export_contacts", ["export_id", "number"])
        op.create_foreign_key("export_contacts_export_id_fkey", "export_contacts", "exports", ["export_id"], ["id"],
                              ondelete="CASCADE")
        op.create_foreign_key("export_contacts_call_centre_id_fkey", "export_contacts", "partners",
                              ["call_centre_id"], ["id"])
    op.create_index("ix_export_contacts_number", "export_contacts", ["number"])
