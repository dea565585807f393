"""Alembic migrations: the same revisions for SQLite and PostgreSQL, run by `leadgate db upgrade`."""
