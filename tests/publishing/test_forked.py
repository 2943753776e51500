"""Work split over forked processes (publishing/forked.py): results in order, failures named, nothing left."""

import multiprocessing
import os
import time

import pytest

from cms.publishing.forked import ForkedError, side_by_side


def test_each_call_runs_in_its_own_process_beside_this_one_and_answers_in_order():
    results, mine = side_by_side([lambda: os.getpid(), lambda: ("二", os.getpid())], lambda: "这里")
    assert mine == "这里"
    assert results[1][0] == "二" and len({results[0], results[1][1], os.getpid()}) == 3


def test_a_call_that_raises_or_a_process_that_dies_fails_the_whole():
    with pytest.raises(ForkedError) as raised:
        side_by_side([lambda: 1, lambda: 1 / 0])
    assert raised.value.messages == ["ZeroDivisionError: division by zero"]
    with pytest.raises(ForkedError) as raised:  # dead before answering: no waiting for ever
        side_by_side([lambda: os._exit(3)])
    assert raised.value.messages == []
    assert not multiprocessing.active_children()


def test_when_this_side_fails_the_forked_processes_are_killed():
    started = time.monotonic()

    def failing():
        raise ValueError("这边失败")

    with pytest.raises(ValueError, match="这边失败"):
        side_by_side([lambda: time.sleep(60)], failing)
    assert time.monotonic() - started < 30 and not multiprocessing.active_children()
