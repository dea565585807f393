"""Smart batching (kit.batches): callers waiting at once share a batch, each gets its own answer in its
order, a failing item fails only its caller, a cancelled caller is left out; a one-row statement run for
several parameter sets at once gives each set the row the statement gives it alone (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.kit.aiopool import AsyncPool
from leadgate.kit.batches import Batches, StatementBatches, over_json


class Doubler:
    """Work that records each batch it got and fails on negative items."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0)  # a round trip: others queue meanwhile
        if any(i < 0 for i in items):
            raise ValueError(f"negative in {list(items)}")
        return [2 * i for i in items]


def test_callers_waiting_at_once_share_a_batch_and_each_gets_its_own_answer() -> None:
    work = Doubler()

    async def scenario() -> list[int]:
        batches = Batches(work, max_batch=4)
        try:
            return list(await asyncio.gather(*(batches.submit(i) for i in range(10))))
        finally:
            await batches.close()

    assert asyncio.run(scenario()) == [2 * i for i in range(10)]
    assert work.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]  # in arrival order, never over max_batch


def test_a_lone_caller_does_not_wait_for_others() -> None:
    work = Doubler()

    async def scenario() -> list[int]:
        batches = Batches(work, max_batch=64)
        try:
            return [await batches.submit(i) for i in range(3)]
        finally:
            await batches.close()

    assert asyncio.run(scenario()) == [0, 2, 4]
    assert work.batches == [[0], [1], [2]]


def test_a_failing_item_fails_only_its_own_caller() -> None:
    work = Doubler()

    async def scenario() -> list[object]:
        batches = Batches(work, max_batch=8)
        try:
            return list(await asyncio.gather(*(batches.submit(i) for i in (1, -1, 3)), return_exceptions=True))
        finally:
            await batches.close()

    first, failed, third = asyncio.run(scenario())
    assert (first, third) == (2, 6)
    assert isinstance(failed, ValueError) and "[-1]" in str(failed)  # retried alone: the error is its own
    assert work.batches == [[1, -1, 3], [1], [-1], [3]]


def test_a_caller_that_went_away_is_left_out_of_the_batch() -> None:
    work = Doubler()

    async def scenario() -> tuple[int, int]:
        batches = Batches(work, max_batch=8)
        try:
            first = asyncio.ensure_future(batches.submit(1))
            gone = asyncio.ensure_future(batches.submit(5))
            gone.cancel()
            last = asyncio.ensure_future(batches.submit(7))
            return await first, await last
        finally:
            await batches.close()

    assert asyncio.run(scenario()) == (2, 14)
    assert all(5 not in batch for batch in work.batches)


def test_every_parameter_of_a_batched_statement_needs_a_type() -> None:
    with pytest.raises(ValueError, match="without a type"):
        over_json("SELECT %(a)s::int + %(b)s::int", {"a": "int"})


# --- PostgreSQL ---------------------------------------------------------------------------------------------

ONE_ROW = ("SELECT %(name)s || '!', %(n)s + 1, %(at)s + interval '1 day', "
           "(SELECT count(*) FROM generate_series(1, least(coalesce(%(n)s, 0), 3)))")
TYPES = {"name": "text", "n": "bigint", "at": "timestamptz"}


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("batched statements run on PostgreSQL only")
    return database_url


params_sets = st.lists(st.fixed_dictionaries({
    "name": st.none() | st.text(st.characters(codec="utf-8", blacklist_characters="\x00"),
                                max_size=20),
    "n": st.none() | st.integers(-(2**40), 2**40),
    "at": st.none() | st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                                   timezones=st.just(UTC))}), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # read-only
@given(sets=params_sets)
def test_a_batched_statement_gives_each_parameter_set_its_own_row(pg_url: str, sets: list[dict[str, object]]) -> None:
    async def scenario() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        pool = AsyncPool(pg_url, size=2)
        statement = StatementBatches(pool, ONE_ROW, TYPES, max_batch=5)
        try:
            together = list(await asyncio.gather(*(statement.row(p) for p in sets)))
            alone = []
            async with pool.connection() as connection:
                for p in sets:
                    cursor = await connection.execute(
                        ONE_ROW.replace("%(n)s", "%(n)s::bigint").replace("%(at)s", "%(at)s::timestamptz")
                        .replace("%(name)s", "%(name)s::text"), p)
                    row = await cursor.fetchone()
                    assert row is not None
                    alone.append(tuple(row))
            return together, alone
        finally:
            await statement.close()
            await pool.close()

    together, alone = asyncio.run(scenario())
    assert together == alone
    assert [row[2] for row in together] == [None if p["at"] is None else p["at"] + timedelta(days=1) for p in sets]  # type: ignore[operator]
