"""Smart batching on an event loop: callers hand over one item each and wait; one task takes everything that
is waiting and does it in one go (one statement, one round trip), then answers each caller. When nothing
else waits a batch is a single item, so nobody waits for a timer; under load the batches grow with the
queue, and the cost of a round trip (the send, the other process's wake-up, the statement's start) is
shared by the batch exactly when the machine is busiest. A batch that fails is done again one item at a
time, so a bad item fails only its own caller. Used by the pre-dial check's statement (api.checks) and
its records (decisions.recorder).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from psycopg import AsyncCursor

from leadgate.kit.aiopool import AsyncPool, HeldConnection
from leadgate.kit.sqljson import json_field, json_rows

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass
class _Pending(Generic[In, Out]):
    item: In
    answer: asyncio.Future[Out]


class Batches(Generic[In, Out]):
    """`await submit(item)` returns `work`'s answer for the item. `work` gets a batch (at most `max_batch`
    items, in the order they came) and returns one answer per item, in that order."""

    def __init__(self, work: Callable[[Sequence[In]], Awaitable[Sequence[Out]]], *, max_batch: int) -> None:
        self._work = work
        self._max = max_batch
        self._waiting: list[_Pending[In, Out]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: In) -> Out:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():  # first use, on the loop that serves
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run())
        assert self._wake is not None
        pending: _Pending[In, Out] = _Pending(item, loop.create_future())
        self._waiting.append(pending)
        self._wake.set()
        return await pending.answer

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                # A caller that went away (cancelled) is left out.
                batch = [p for p in self._waiting[:self._max] if not p.answer.done()]
                del self._waiting[:self._max]
                if batch:
                    await self._answer(batch)

    async def _answer(self, batch: list[_Pending[In, Out]]) -> None:
        try:
            answers = await self._work([p.item for p in batch])
        except Exception as error:
            if len(batch) == 1:
                if not batch[0].answer.done():
                    batch[0].answer.set_exception(error)
                return
            for pending in batch:  # one at a time: only the item that fails gets the error
                await self._answer([pending])
            return
        for pending, answer in zip(batch, answers, strict=True):
            if not pending.answer.done():
                pending.answer.set_result(answer)


class PostgresBatches(Generic[In, Out]):
    """Batches whose work is done on one PostgreSQL connection the batching task keeps (HeldConnection):
    `work(cursor, batch)` runs the batch's statement and returns one answer per item."""

    def __init__(self, pool: AsyncPool, work: Callable[[AsyncCursor[Any], Sequence[In]], Awaitable[Sequence[Out]]],
                 *, max_batch: int) -> None:
        self._connection = HeldConnection(pool)
        self._work = work
        self._batches: Batches[In, Out] = Batches(self._on_connection, max_batch=max_batch)

    async def submit(self, item: In) -> Out:
        return await self._batches.submit(item)

    async def close(self) -> None:
        await self._batches.close()
        await self._connection.release()

    async def _on_connection(self, batch: Sequence[In]) -> Sequence[Out]:
        async with self._connection.connection() as connection:
            return await self._work(connection.cursor(), batch)


class StatementBatches:
    """A statement that returns one row for one set of `%(name)s` parameters, run for every caller waiting as
    one statement over a JSON array of their parameter sets (`over_json`): `await row(params)` is that
    caller's row. The statement reads each parameter as text and casts it to its type in `types`, so the
    prepared statement is the same whatever the values."""

    def __init__(self, pool: AsyncPool, sql: str, types: Mapping[str, str], *, max_batch: int) -> None:
        self._names = tuple(types)
        self._sql = over_json(sql, types)
        self._batches: PostgresBatches[Mapping[str, Any], tuple[Any, ...]] = PostgresBatches(
            pool, self._run, max_batch=max_batch)

    async def row(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        return await self._batches.submit(params)

    async def close(self) -> None:
        await self._batches.close()

    async def _run(self, cursor: AsyncCursor[Any], batch: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        sets = json_rows([params[name] for name in self._names] for params in batch)
        await cursor.execute(self._sql, {"batch": sets}, prepare=True)
        rows = await cursor.fetchall()
        if len(rows) != len(batch):  # a statement that is not one row per parameter set: a bug, not bad input
            raise RuntimeError(f"expected {len(batch)} rows, got {len(rows)}")
        return [row[1:] for row in rows]


def over_json(sql: str, types: Mapping[str, str]) -> str:
    """`sql` for n parameter sets given as one parameter, `%(batch)s`: a JSON array (`json_rows`) of n arrays,
    each the values of `types`' names in that order. Each `%(name)s` becomes its value cast to
    `types[name]`; one row per set, in their order, with its position first. Read as jsonb: parsed once,
    where each `->>` of a json value parses it again from its start (PostgreSQL's CPU: arrays ~220 µs,
    json ~270 µs, jsonb ~150 µs for one record's 16 values, BENCHMARKS.md)."""
    names = tuple(types)
    inner = sql
    for name in names:
        inner = inner.replace(f"%({name})s", f"q.{name}")
    if "%(" in inner:
        raise ValueError(f"a parameter without a type in: {inner[inner.index('%('):][:40]}")
    columns = ", ".join(f"{json_field('u.v', i, types[name])} AS {name}" for i, name in enumerate(names))
    return (f"SELECT q.ord, f.* FROM (SELECT u.ord, {columns} FROM jsonb_array_elements(%(batch)s::jsonb) "
            f"WITH ORDINALITY AS u(v, ord)) q CROSS JOIN LATERAL ({inner}) f ORDER BY q.ord")
