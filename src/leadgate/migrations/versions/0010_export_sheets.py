"""The receipt's rows name their call sheet (export, call centre, flow) by a small integer: `export_sheets`
holds the few sheets of each export, `export_contacts` becomes (number, sheet_id, person_id), keyed by
(number, sheet_id). Each receipt row no longer repeats two 32-character ids and the flow: ~4x narrower,
and an export's 2.5M rows insert in ~1.3 s instead of ~2.7 s on SQLite (bench/bench_receipt.py).

On both databases the receipt is built anew: the sheets are made from the rows' distinct (export, call
centre, flow), the rows copied in the new key's order, the old table dropped and the new one renamed
(nothing refers to it; it has no triggers). Downgrading copies the rows back the same way.

Revision ID: 0010_export_sheets
Revises: 0009_ledger_append_function
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_export_sheets"
down_revision = "0009_ledger_append_function"
branch_labels = None
depends_on = None


def _swap(columns: list[sa.Column[object]], key: tuple[str, str], select: str) -> None:
    """export_contacts rebuilt with `columns` and `key`, filled by `select` (in key order: each row is
    appended to the B-tree instead of inserted at a random page)."""
    op.create_table("_export_contacts_new", *columns,
                    sa.PrimaryKeyConstraint(*key, name="_export_contacts_new_pkey"), sqlite_with_rowid=False)
    names = ", ".join(c.name for c in columns)
    op.execute(f"INSERT INTO _export_contacts_new ({names}) {select} ORDER BY {', '.join(key)}")
    op.drop_table("export_contacts")
    op.rename_table("_export_contacts_new", "export_contacts")
    if op.get_bind().dialect.name == "postgresql":  # its constraints keep their names through a rename
        op.execute("ALTER TABLE export_contacts RENAME CONSTRAINT _export_contacts_new_pkey TO export_contacts_pkey")


def upgrade() -> None:
    op.create_table(
        "export_sheets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("export_id", sa.String(32), sa.ForeignKey("exports.id"), nullable=False),
        sa.Column("call_centre_id", sa.String(32), sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("flow", sa.String(10), nullable=False),
        sa.UniqueConstraint("export_id", "call_centre_id", "flow"),
    )
    op.execute("INSERT INTO export_sheets (export_id, call_centre_id, flow) SELECT DISTINCT export_id, "
               "call_centre_id, flow FROM export_contacts ORDER BY export_id, call_centre_id, flow")
    _swap([sa.Column("number", sa.BigInteger, nullable=False), sa.Column("sheet_id", sa.Integer, nullable=False),
           sa.Column("person_id", sa.String(32))], ("number", "sheet_id"),
          "SELECT c.number, s.id AS sheet_id, c.person_id FROM export_contacts c JOIN export_sheets s "
          "ON s.export_id = c.export_id AND s.call_centre_id = c.call_centre_id AND s.flow = c.flow")


def downgrade() -> None:
    _swap([sa.Column("export_id", sa.String(32), nullable=False), sa.Column("number", sa.BigInteger, nullable=False),
           sa.Column("call_centre_id", sa.String(32), nullable=False), sa.Column("flow", sa.String(10), nullable=False),
           sa.Column("person_id", sa.String(32))], ("number", "export_id"),
          "SELECT s.export_id, c.number, s.call_centre_id, s.flow, c.person_id FROM export_contacts c "
          "JOIN export_sheets s ON s.id = c.sheet_id")
    op.drop_table("export_sheets")
