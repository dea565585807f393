"""Deciding the groups' representative rows on every core.

Rows with a history of their own (consents, attempts) are groups of one, so a list can have hundreds of
thousands of decisions to make (~40-100 µs each). Above a few thousand of them the work is split over
worker processes forked from this one (`forked.forked_map`): they inherit the rows, the store view and the
rulebooks without copying or pickling them, run only the pure core (no polars, no database), and send
back the small outcome tuples in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from leadgate.screening.bulk import Context, Decider, decide_row, outcome
from leadgate.screening.forked import forked_map
from leadgate.screening.storeview import StoreView

PARALLEL_FROM = 5_000  # below this, starting workers costs more than it saves
_WARM = 200


def decider(ctx: Context, view: StoreView, suppressed: dict[int, list[tuple[str, datetime]]],
            jobs: int | None = None) -> Decider:
    """A Decider for screen_frame: in this process for a few rows, on `jobs` forked workers for many."""
    def here(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [outcome(*decide_row(r, ctx, view, suppressed)) for r in rows]

    def run(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        if len(rows) < PARALLEL_FROM:
            return here(rows)
        # The first rows here: what they load once (holiday calendars, rule plans, regexes) every worker
        # inherits instead of loading it again.
        return here(rows[:_WARM]) + forked_map(here, rows[_WARM:], minimum=0, jobs=jobs)

    return run
