"""A map over a long list on every core, by forking: the workers inherit the list and the function, so
nothing is pickled on the way in, only the results on the way back. For pure CPU work of the screening
run (hashing a few million keys) that would otherwise run on one core while the other waits."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_job: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _job is not None
    function, items = _job
    return function(items[bounds[0]:bounds[1]])


def forked_map(function: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, minimum: int,
                     jobs: int | None = None) -> list[R]:
    """function(items), computed in slices on `jobs` forked workers when there are at least `minimum`
    items (in this process otherwise); `function` maps a slice to one result per item, in order."""
    global _job
    workers = jobs or os.cpu_count() or 1
    if workers < 2 or len(items) < max(minimum, 2) or "fork" not in multiprocessing.get_all_start_methods():
        return function(items)
    _job = (function, items)
    gc.freeze()  # the workers' collections leave the inherited objects alone (and unshared pages uncopied)
    try:
        size = -(-len(items) // (workers * 4))
        bounds = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [result for part in pool.imap(_run, bounds) for result in part]
    finally:
        _job = None
        gc.unfreeze()
