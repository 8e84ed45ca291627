"""The reaper: big containers are emptied in a background thread, small ones are left to the caller."""

import threading
from collections import deque

from mocknexus.state.reaper import Reaper


def test_big_containers_are_emptied_in_the_background():
    reaper = Reaper(grace=0, chunk=100, small=10)
    big_dict, big_list, big_deque = {n: object() for n in range(1000)}, list(range(1000)), deque(range(1000))
    reaper.discard(big_dict, big_list, big_deque)
    assert reaper.wait_idle(5)
    assert not big_dict and not big_list and not big_deque


def test_small_containers_are_not_handed_over():
    reaper = Reaper(grace=0, small=10)
    small = {n: n for n in range(10)}
    reaper.discard(small)
    assert small == {n: n for n in range(10)}
    assert reaper._busy == 0 and not reaper._running


def test_the_thread_waits_out_the_grace_before_emptying():
    reaper = Reaper(grace=0.3, small=0)
    container = list(range(10))
    reaper.discard(container)
    assert container == list(range(10))  # a request still holding it may finish
    assert reaper.wait_idle(5) and container == []


def test_one_thread_serves_every_discard():
    reaper = Reaper(grace=0, small=0)
    before = threading.active_count()
    for _ in range(20):
        reaper.discard(list(range(10)))
    assert reaper.wait_idle(5)
    assert threading.active_count() - before <= 1
    again = [1]
    reaper.discard(again)
    assert reaper.wait_idle(5) and again == []
