"""Bulk inserts (intake.bulk.insert_frame): every row of a frame arrives as it was, nulls, quotes, non-ASCII
text, booleans and moments included, whether the frame fills the statements exactly or leaves a remainder;
and inside the caller's transaction, so a rollback leaves nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from leadgate.intake import bulk
from leadgate.kit.db import engine_for

METADATA = MetaData()
SAMPLE = Table("bulk_sample", METADATA, Column("pos", Integer, primary_key=True), Column("number", BigInteger),
               Column("label", String(200)), Column("flag", Boolean), Column("at", DateTime(timezone=True)))


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = engine_for(database_url)
    METADATA.create_all(engine)
    with Session(engine) as session:
        yield session


rows = st.lists(st.tuples(
    st.none() | st.integers(-(2**62), 2**62),
    st.none() | st.text(st.characters(codec="utf-8", blacklist_characters="\x00"), max_size=30),
    st.none() | st.booleans(),
    st.none() | st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))),
    max_size=23)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=rows, per=st.sampled_from([1, 4, 7, 2_000]))
def test_every_row_arrives_as_it_was(session: Session, monkeypatch: pytest.MonkeyPatch,
                                     values: list[tuple[object, ...]], per: int) -> None:
    monkeypatch.setattr(bulk, "SQLITE_ROWS", per)  # full statements and a remainder
    frame = pl.DataFrame([(i, *v) for i, v in enumerate(values)], orient="row", schema={
        "pos": pl.Int64, "number": pl.Int64, "label": pl.String, "flag": pl.Boolean, "at": pl.Datetime("us", "UTC")})
    bulk.insert_frame(session, SAMPLE, frame)
    stored = session.execute(select(SAMPLE).order_by(SAMPLE.c.pos)).all()
    session.rollback()
    as_utc = [(p, n, t, f, a if a is None or a.tzinfo else a.replace(tzinfo=UTC)) for p, n, t, f, a in stored]
    assert as_utc == [(i, *v) for i, v in enumerate(values)]


def test_a_rollback_leaves_nothing(session: Session) -> None:
    frame = pl.DataFrame({"pos": range(5_000), "number": range(5_000), "label": ["x'\"; --"] * 5_000,
                          "flag": [True] * 5_000, "at": [datetime(2026, 1, 1, tzinfo=UTC)] * 5_000})
    bulk.insert_frame(session, SAMPLE, frame)
    assert session.scalar(select(SAMPLE.c.pos).order_by(SAMPLE.c.pos.desc()).limit(1)) == 4_999
    session.rollback()
    assert session.execute(select(SAMPLE)).first() is None
