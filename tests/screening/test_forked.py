"""forked_map gives the same list as calling the function in this process, in order."""

from __future__ import annotations

from collections.abc import Sequence

from leadgate.screening.forked import forked_map


def _squares(items: Sequence[int]) -> list[int]:
    return [i * i for i in items]


def test_the_forked_map_equals_the_map_here_in_order() -> None:
    items = list(range(10_001))
    assert forked_map(_squares, items, minimum=10, jobs=2) == _squares(items)
    assert forked_map(_squares, items[:5], minimum=10, jobs=2) == _squares(items[:5])  # too few: here
    assert forked_map(_squares, [], minimum=0, jobs=2) == []
