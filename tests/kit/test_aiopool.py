"""The event loop's PostgreSQL pool (kit.aiopool): as the ORM's pool, a connection idle past
PING_AFTER_IDLE_SECONDS is pinged before use and replaced when its server side went away; one back sooner
is used without a ping."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from leadgate.kit import aiopool
from leadgate.kit.aiopool import AsyncPool


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose")
    return database_url


async def backend_pid(pool: AsyncPool) -> int:
    async with pool.connection() as connection:
        row = await (await connection.execute("SELECT pg_backend_pid()")).fetchone()
    assert row is not None
    return int(row[0])


async def terminate(url: str, pid: int) -> None:
    async with await psycopg.AsyncConnection.connect(aiopool.conninfo(url), autocommit=True) as other:
        await other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    await asyncio.sleep(0.1)


@pytest.mark.parametrize("idle_after", [0.0, 3600.0])
def test_a_pooled_connection_idle_past_the_ping_time_is_pinged_and_replaced_when_gone(
        pg_url: str, monkeypatch: pytest.MonkeyPatch, idle_after: float) -> None:
    monkeypatch.setattr(aiopool, "PING_AFTER_IDLE_SECONDS", idle_after)

    async def scenario() -> None:
        pool = AsyncPool(pg_url, size=1)
        try:
            first = await backend_pid(pool)
            await terminate(pg_url, first)
            if idle_after:  # back within the idle time: used without a ping, and the server's error shows
                with pytest.raises(psycopg.OperationalError):
                    await backend_pid(pool)
            assert await backend_pid(pool) != first  # a dead connection is never handed out twice
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_the_libpq_connection_string_of_a_sqlalchemy_url() -> None:
    assert aiopool.conninfo("postgresql+psycopg://bob:s%40cret@db.example:5433/leads?sslmode=require") == (
        "postgresql://bob:s%40cret@db.example:5433/leads?sslmode=require")


async def held_pid(held: aiopool.HeldConnection) -> int:
    async with held.connection() as connection:
        row = await (await connection.execute("SELECT pg_backend_pid()")).fetchone()
    assert row is not None
    return int(row[0])


def test_a_held_connection_is_kept_between_statements_and_given_back_when_it_fails(pg_url: str) -> None:
    async def scenario() -> None:
        pool = AsyncPool(pg_url, size=2)
        held = aiopool.HeldConnection(pool)
        try:
            first = await held_pid(held)
            assert await held_pid(held) == first  # kept: no checkout per statement
            await terminate(pg_url, first)
            with pytest.raises(psycopg.OperationalError):  # the statement in flight fails ...
                await held_pid(held)
            assert await held_pid(held) != first  # ... and the next one runs on a live connection
        finally:
            await held.release()
            await pool.close()

    asyncio.run(scenario())


def test_a_held_connection_idle_past_the_ping_time_goes_back_through_the_pools_ping(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiopool, "PING_AFTER_IDLE_SECONDS", 0.0)

    async def scenario() -> None:
        pool = AsyncPool(pg_url, size=1)
        held = aiopool.HeldConnection(pool)
        try:
            first = await held_pid(held)
            await terminate(pg_url, first)
            assert await held_pid(held) != first  # no error: the pool's ping found it gone and connected anew
        finally:
            await held.release()
            await pool.close()

    asyncio.run(scenario())


def test_pooled_connections_plan_prepared_statements_once(pg_url: str) -> None:
    async def scenario() -> str:
        pool = AsyncPool(pg_url, size=1)
        try:
            async with pool.connection() as connection:
                row = await (await connection.execute("SHOW plan_cache_mode")).fetchone()
        finally:
            await pool.close()
        assert row is not None
        return str(row[0])

    assert asyncio.run(scenario()) == "force_generic_plan"  # batched statements' arrays: no re-planning per run
