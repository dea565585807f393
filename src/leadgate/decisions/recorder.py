"""The pre-dial checks' records on PostgreSQL, written for the API's event loop (api.checks) in batches.

Every record needs a ledger event, and every ledger append holds the chain's lock until its commit; under
load the checks of two server processes queued for that lock, and each waiter kept its connection, its
transaction and its share of the CPU (pg_stat_statements at 400 checks/s: ~1.8 ms average wait for the lock
against ~0.4 ms of work under it). Here one task per server process writes: a check hands over its event
and record and waits; the task takes everything waiting and sends them in one statement, its own
transaction (decisions.service.PG_RECORD_MANY: the ledger's leadgate_ledger_append takes the lock once,
appends the events, and the records refer to them), then answers each check with its event's seq. When
nothing else waits a batch is a single check, so no check waits for a timer; under load the batches grow
and the lock, the commit and the disk's flush are shared. A check is answered only after the commit that
holds its record, as before. A batch that fails is retried one check at a time, so one bad record fails
only its own check.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from leadgate.decisions.service import PG_RECORD_MANY, pg_record_many_params
from leadgate.kit.aiopool import AsyncPool
from leadgate.ledger import service as ledger

MAX_BATCH = 64  # checks per transaction: bounds the time the chain's lock is held by one batch


@dataclass
class _Pending:
    event: dict[str, Any]
    record: dict[str, Any]
    answer: asyncio.Future[int]


class Recorder:
    """`record` appends a check's ledger event (ledger.event_fields) and inserts its decision record (`values`
    of decisions.service.record_parts, without ledger_seq); it returns the event's seq once committed."""

    def __init__(self, pool: AsyncPool) -> None:
        self._pool = pool
        self._waiting: list[_Pending] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def record(self, *, event: dict[str, Any], values: dict[str, Any]) -> int:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run())
        assert self._wake is not None
        pending = _Pending(event, values, loop.create_future())
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
                batch = [p for p in self._waiting[:MAX_BATCH] if not p.answer.done()]
                del self._waiting[:MAX_BATCH]
                if batch:
                    await self._write_answering(batch)

    async def _write_answering(self, batch: list[_Pending]) -> None:
        try:
            seqs = await self._write(batch)
        except Exception as error:
            if len(batch) == 1:
                if not batch[0].answer.done():
                    batch[0].answer.set_exception(error)
                return
            for pending in batch:  # one at a time: only the check whose record fails gets the error
                await self._write_answering([pending])
            return
        for pending, seq in zip(batch, seqs, strict=True):
            if not pending.answer.done():
                pending.answer.set_result(seq)

    async def _write(self, batch: list[_Pending]) -> list[int]:
        params = ledger.pg_append_many_params([p.event for p in batch]) | pg_record_many_params(
            [p.record for p in batch])
        async with self._pool.connection() as connection:  # autocommit: the one statement is the transaction
            cursor = connection.cursor()
            await cursor.execute(PG_RECORD_MANY, params, prepare=True)
            return [int(seq) for seq, in await cursor.fetchall()]
