"""The cycle collector is paused only for the block, and runs again after it, whatever happens."""

import gc

import pytest

from programs.memory import cycle_collector_paused


def test_the_collector_is_paused_in_the_block_and_runs_again_after_it_even_when_it_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_a_block_inside_another_leaves_the_outer_one_paused():
    with cycle_collector_paused():
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
