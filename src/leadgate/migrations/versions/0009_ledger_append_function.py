"""PostgreSQL: `leadgate_ledger_append`, the ledger's append of several events in one statement, for the
pre-dial checks' batched records (decisions.recorder). It takes the chain's advisory lock (the id of
ledger.service._PG_LOCK, which every other appender takes too), reads the head in a snapshot taken after
the lock (a volatile function's statements each see what was committed before them), and inserts the
events in order, each chained to the one before with the SHA-256 that ledger.verify recomputes. It returns
each event's position in the input with its seq and hashes. One statement in autocommit is one
transaction: the lock is held for PostgreSQL's own time only, from the lock to the commit. SQLite has no
functions of this kind and needs none (its appends serialise at BEGIN IMMEDIATE).

Revision ID: 0009_ledger_append_function
Revises: 0008_export_receipt
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0009_ledger_append_function"
down_revision = "0008_export_receipt"
branch_labels = None
depends_on = None

LOCK = 514681470  # ledger.service._PG_LOCK (0x1EAD6A7E)
GENESIS = "0" * 64


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE FUNCTION leadgate_ledger_append(ats timestamptz[], kinds text[], actors text[], subjects text[],
                                               bodies text[])
        RETURNS TABLE (ord integer, seq bigint, prev_hash text, hash text) LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            head text;
        BEGIN
            PERFORM pg_advisory_xact_lock({LOCK});
            SELECT e.hash INTO head FROM ledger_events e ORDER BY e.seq DESC LIMIT 1;
            head := coalesce(head, '{GENESIS}');
            FOR i IN 1 .. coalesce(array_length(bodies, 1), 0) LOOP
                ord := i;
                prev_hash := head;
                hash := encode(sha256(convert_to(head || bodies[i], 'UTF8')), 'hex');
                INSERT INTO ledger_events AS e (at, kind, actor, subject, body, prev_hash, hash)
                     VALUES (ats[i], kinds[i], actors[i], subjects[i], bodies[i], head, hash)
                  RETURNING e.seq INTO seq;
                RETURN NEXT;
                head := hash;
            END LOOP;
        END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION leadgate_ledger_append(timestamptz[], text[], text[], text[], text[])")
