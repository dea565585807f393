"""collector_paused: off inside, back as it was after, also when the block raises or blocks nest."""

from __future__ import annotations

import gc

import pytest

from leadgate.kit.collector import collector_paused


def test_the_collector_is_off_inside_and_on_again_after_even_when_the_block_raises() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it as the outer one set it
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
