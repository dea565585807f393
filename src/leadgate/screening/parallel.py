"""Deciding the groups' representative rows on every core.

Rows with a history of their own (consents, attempts) are groups of one, so a list can have hundreds of
thousands of decisions to make (~40-100 µs each). Above a few thousand of them the work is split over
worker processes forked from this one: they inherit the rows, the store view and the rulebooks without
copying or pickling them, run only the pure core (no polars, no database), and send back the small
outcome tuples in order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from leadgate.screening.bulk import Context, Decider, decide_row, outcome
from leadgate.screening.storeview import StoreView

PARALLEL_FROM = 5_000  # below this, starting workers costs more than it saves
_CHUNK = 2_000
_WARM = 200

_work: tuple[Sequence[dict[str, Any]], Context, StoreView, dict[int, list[tuple[str, datetime]]]] | None = None


def _decide_slice(bounds: tuple[int, int]) -> list[tuple[Any, ...]]:
    assert _work is not None
    rows, ctx, view, suppressed = _work
    return [outcome(*decide_row(r, ctx, view, suppressed)) for r in rows[bounds[0]:bounds[1]]]


def decider(ctx: Context, view: StoreView, suppressed: dict[int, list[tuple[str, datetime]]],
            jobs: int | None = None) -> Decider:
    """A Decider for screen_frame: in this process for a few rows, on `jobs` forked workers for many."""
    workers = jobs or os.cpu_count() or 1

    def run(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        global _work
        if workers < 2 or len(rows) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
            return [outcome(*decide_row(r, ctx, view, suppressed)) for r in rows]
        # The first rows here: what they load once (holiday calendars, rule plans, regexes) every worker
        # inherits instead of loading it again.
        warm = [outcome(*decide_row(r, ctx, view, suppressed)) for r in rows[:_WARM]]
        _work = (rows, ctx, view, suppressed)
        # Everything the workers inherit moves out of the collector's reach: their collections would
        # otherwise walk (and, touching each object, copy) the parent's millions of objects again and again.
        gc.freeze()
        try:
            bounds = [(i, min(i + _CHUNK, len(rows))) for i in range(_WARM, len(rows), _CHUNK)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return warm + [o for part in pool.imap(_decide_slice, bounds) for o in part]
        finally:
            _work = None
            gc.unfreeze()

    return run
