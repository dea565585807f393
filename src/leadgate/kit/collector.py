"""Pausing Python's cyclic garbage collector around bulk work that builds hundreds of thousands of objects
without cycles (rows read from the store, records, facts, grouping keys): every collection those
allocations set off would traverse all of them again, for nothing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside the block, and back as it was after it (nested blocks are fine);
    reference counting still frees everything that goes out of use."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
