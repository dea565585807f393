"""Who received which number is one B-tree keyed by (number, sheet_id) on SQLite, the heap and that key on
PostgreSQL, with no foreign key to check per row; every lookup by number uses the key; migrations 0008 (the
key) and 0010 (the sheets) keep the rows both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from leadgate.kit.db import alembic_config, engine_for, unit_of_work
from tests.propagation.support import exported, setup

NUMBERS = ("+31611110001", "+31611110002", "+32470000003")


def _shape(url: str) -> tuple[list[str], list[str], list[str], bool]:
    """(key columns in order, other indexes, referenced tables, whether SQLite keeps a rowid)."""
    engine = engine_for(url)
    engine.dispose()  # connections opened before the migration ran may hold the old schema
    with engine.connect() as connection:
        schema = inspect(connection)
        key = schema.get_pk_constraint("export_contacts")["constrained_columns"]
        indexes = sorted(i["name"] or "" for i in schema.get_indexes("export_contacts"))
        references = sorted(f["referred_table"] for f in schema.get_foreign_keys("export_contacts"))
        rowid = url.startswith("sqlite") and "WITHOUT ROWID" not in connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'export_contacts'")).upper()
    return key, indexes, references, rowid


def _rows(url: str, *, sheets: bool = True) -> set[tuple[str, int, str, str]]:
    """(export, number, call centre, flow) of every receipt row, read through its sheet (before migration
    0010: from the row itself)."""
    query = ("SELECT s.export_id, c.number, s.call_centre_id, s.flow FROM export_contacts c "
             "JOIN export_sheets s ON s.id = c.sheet_id") if sheets else \
        "SELECT export_id, number, call_centre_id, flow FROM export_contacts"
    with unit_of_work(url) as session:
        return {tuple(r) for r in session.execute(text(query))}  # type: ignore[misc]


def test_keyed_by_number_without_another_index_and_the_migrations_keep_the_rows(database_url: str) -> None:
    setup(database_url)
    first = exported(database_url, "CallCo", *NUMBERS)
    second = exported(database_url, "OtherCall", NUMBERS[0])
    rows = _rows(database_url)
    centres = {export: centre for export, _, centre, _ in rows}
    assert {(e, n, f) for e, n, _, f in rows} == \
        {(first, int(n[1:]), "lead") for n in NUMBERS} | {(second, int(NUMBERS[0][1:]), "lead")}
    assert centres[first] != centres[second]
    sqlite = database_url.startswith("sqlite")
    assert _shape(database_url) == (["number", "sheet_id"], [], [], False)

    config = alembic_config(database_url)
    command.downgrade(config, "0009_ledger_append_function")
    assert _shape(database_url) == (["number", "export_id"], [], [], False)
    assert _rows(database_url, sheets=False) == rows
    command.downgrade(config, "0007_consent_texts")
    assert _shape(database_url) == (["export_id", "number"], ["ix_export_contacts_number"], ["exports", "partners"],
                                     sqlite)
    assert _rows(database_url, sheets=False) == rows
    command.upgrade(config, "head")
    assert _shape(database_url) == (["number", "sheet_id"], [], [], False)
    assert _rows(database_url) == rows


def test_a_lookup_by_number_uses_the_key(database_url: str) -> None:
    setup(database_url)
    exported(database_url, "CallCo", *NUMBERS)
    query = "SELECT sheet_id, person_id FROM export_contacts WHERE number = 31611110001"
    with unit_of_work(database_url) as session:
        if database_url.startswith("sqlite"):
            plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {query}")))
            assert "USING PRIMARY KEY (number=?)" in plan, plan
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))  # three rows: a scan would be cheaper
            plan = " ".join(r[0] for r in session.execute(text(f"EXPLAIN {query}")))
            assert "export_contacts_pkey" in plan and "Index Cond: (number =" in plan, plan
