"""The pre-dial checks' records on PostgreSQL, written for the API's event loop (api.checks) in batches.

Every record needs a ledger event, and every ledger append holds the chain's lock until its commit; under
load the checks of two server processes queued for that lock, and each waiter kept its connection, its
transaction and its share of the CPU (pg_stat_statements at 400 checks/s: ~1.8 ms average wait for the lock
against ~0.4 ms of work under it). Here one task per server process writes (kit.batches): a check hands over its
event and record and waits; the task takes everything waiting and sends them in one statement, its own
transaction (decisions.service.PG_RECORD_MANY: the ledger's leadgate_ledger_append takes the lock once,
appends the events, and the records refer to them), then answers each check with its event's seq. When
nothing else waits a batch is a single check, so no check waits for a timer; under load the batches grow
and the lock, the commit and the disk's flush are shared. A check is answered only after the commit that
holds its record, as before. A batch that fails is retried one check at a time, so one bad record fails
only its own check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import AsyncCursor

from leadgate.decisions.service import PG_RECORD_MANY, pg_record_many_params
from leadgate.kit.aiopool import AsyncPool
from leadgate.kit.batches import PostgresBatches

MAX_BATCH = 64  # checks per transaction: bounds the time the chain's lock is held by one batch

_Check = tuple[dict[str, Any], dict[str, Any]]  # the event and the record's values


class Recorder:
    """`record` appends a check's ledger event (ledger.event_fields) and inserts its decision record (`values`
    of decisions.service.record_parts, without ledger_seq); it returns the event's seq once committed."""

    def __init__(self, pool: AsyncPool) -> None:
        self._batches: PostgresBatches[_Check, int] = PostgresBatches(pool, self._write, max_batch=MAX_BATCH)

    async def record(self, *, event: dict[str, Any], values: dict[str, Any]) -> int:
        return await self._batches.submit((event, values))

    async def close(self) -> None:
        await self._batches.close()

    async def _write(self, cursor: AsyncCursor[Any], batch: Sequence[_Check]) -> list[int]:
        # autocommit: the one statement is the transaction
        await cursor.execute(PG_RECORD_MANY, pg_record_many_params(batch), prepare=True)
        return [int(seq) for seq, in await cursor.fetchall()]
