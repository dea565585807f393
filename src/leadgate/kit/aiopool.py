"""PostgreSQL connections for code that runs on the server's event loop (the pre-dial check's hot path,
api.hot): psycopg's async pool, created without connecting and opened on first use. As the ORM's pool
(kit.db), a connection idle for more than PING_AFTER_IDLE_SECONDS is pinged before use, and one that
does not answer is replaced; a connection back within milliseconds (every one, under load) is not.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url

from leadgate.kit.db import PING_AFTER_IDLE_SECONDS


def conninfo(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (postgresql+psycopg://...)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class AsyncPool:
    """At most `size` connections; `connection()` waits for a free one (on the loop, not in a thread).
    Connections are in autocommit: a read is one statement, a write says `connection.transaction()`.

    Prepared statements use their generic plan from the first run: every statement of this path is a
    lookup by key whose best plan does not depend on the values, and the batched ones (kit.batches) take
    batches whose length PostgreSQL cannot know, so left to choose it kept planning them anew (~1 ms a run,
    more than the run itself)."""

    def __init__(self, url: str, *, size: int) -> None:
        self._idle_since: WeakKeyDictionary[AsyncConnection[Any], float] = WeakKeyDictionary()
        self._pool = AsyncConnectionPool(conninfo(url), min_size=1, max_size=size, open=False,
                                         check=self._ping_when_idle, reset=self._returned,
                                         configure=_generic_plans, kwargs={"autocommit": True})
        self._opening: asyncio.Lock | None = None
        self.opened = False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection, back to the pool when the block ends."""
        if not self.opened:
            await self._open()
        async with self._pool.connection() as connection:
            yield connection

    async def _open(self) -> None:
        self._opening = self._opening or asyncio.Lock()
        async with self._opening:
            if not self.opened:
                await self._pool.open(wait=False)
                self.opened = True

    async def close(self) -> None:
        if self.opened:
            await self._pool.close()
            self.opened = False

    async def _returned(self, connection: AsyncConnection[Any]) -> None:
        self._idle_since[connection] = time.monotonic()

    async def _ping_when_idle(self, connection: AsyncConnection[Any]) -> None:
        since = self._idle_since.get(connection)
        if (since is not None and time.monotonic() - since >= PING_AFTER_IDLE_SECONDS) or connection.broken:
            await connection.execute("SELECT 1")  # raises when gone: the pool discards it and connects anew


class HeldConnection:
    """One connection of the pool kept by one task between its statements (kit.batches): checking a connection
    out and back costs ~30-70 µs of CPU, as much as a small statement. It goes back to the pool when a
    statement on it fails (the pool replaces a broken one) and when it has been idle for
    PING_AFTER_IDLE_SECONDS (the next one is taken through the pool's ping)."""

    def __init__(self, pool: AsyncPool) -> None:
        self._pool = pool
        self._held: AbstractAsyncContextManager[AsyncConnection[Any]] | None = None
        self._connection: AsyncConnection[Any] | None = None
        self._used = 0.0

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        if self._connection is not None and time.monotonic() - self._used >= PING_AFTER_IDLE_SECONDS:
            await self.release()
        if self._connection is None:
            held = self._pool.connection()
            self._connection = await held.__aenter__()
            self._held = held
        try:
            yield self._connection
        except BaseException as error:
            await self.release(error)
            raise
        self._used = time.monotonic()

    async def release(self, error: BaseException | None = None) -> None:
        held, self._held, self._connection = self._held, None, None
        if held is not None:
            await held.__aexit__(type(error) if error else None, error, error.__traceback__ if error else None)


async def _generic_plans(connection: AsyncConnection[Any]) -> None:
    await connection.execute("SET plan_cache_mode = force_generic_plan")
