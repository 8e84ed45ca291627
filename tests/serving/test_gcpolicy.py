"""The serve process's GC policy: the start-up heap and what survives the middle generation are frozen;
a quiet process walks everything again once the frozen heap has grown."""

import gc
import threading
import time
import weakref

import pytest

from mocknexus.serving import gcpolicy


@pytest.fixture
def policy():
    gcpolicy.install()
    yield
    gcpolicy.uninstall()


def test_install_freezes_the_start_up_heap(policy):
    assert gc.get_freeze_count() > 0
    assert gc.get_count()[0] < 700  # the generations were emptied into the permanent one


def test_survivors_of_a_middle_collection_are_frozen_young_ones_are_not(policy):
    before = gc.get_freeze_count()
    kept = [{"n": n, "userData": {"k": [n]}} for n in range(1000)]  # tracked, long-lived
    gc.collect(0)
    assert gc.get_freeze_count() == before
    gc.collect(1)
    assert gc.get_freeze_count() >= before + 1000
    assert kept[999]["n"] == 999


def test_cycles_that_die_young_are_still_collected(policy):
    class Node:
        pass

    gc.disable()  # no automatic collection may age the cycle between the lines below
    try:
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        del node
        gc.collect(1)
        assert alive() is None
    finally:
        gc.enable()


def test_a_frozen_cycle_that_dies_is_collected_when_the_process_is_quiet():
    """The price of freezing: a cycle alive at a middle collection is frozen; the quiet-time walk frees it."""
    class Node:
        pass

    gcpolicy.install(quiet=0.05, growth=0.25)  # checks every 0.05 s
    try:
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        ballast = [[n] for n in range(gc.get_freeze_count() // 3 + 1000)]  # the frozen heap grows by > 25%
        gc.collect(1)
        del node
        deadline = time.monotonic() + 5
        while alive() is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert alive() is None
        assert len(ballast) > 1000
    finally:
        gcpolicy.uninstall()


def test_quiet_means_two_periods_in_a_row_with_almost_no_cpu_used():
    """A busy period (CPU used), or a quiet one after a busy one or none (a process just resumed after a
    SIGSTOP looks quiet over the time it was stopped): no walk; the frozen garbage waits."""
    class Node:
        pass

    cpu = [0.0]
    gcpolicy.install(quiet=3600, growth=0.0, cpu_clock=lambda: cpu[0])  # the watcher never acts here
    try:
        policy = gcpolicy._installed
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        gc.collect(1)  # frozen
        del node
        assert not policy.check()  # quiet, but the first period: nothing before it to go by
        cpu[0] += 0.5 * 3600
        assert not policy.check()  # busy (half a CPU)
        assert not policy.check()  # quiet after busy
        assert alive() is not None
        assert policy.check()  # quiet twice: walk
        assert alive() is None
    finally:
        gcpolicy.uninstall()


def test_install_is_idempotent_and_uninstall_restores_defaults():
    threads = threading.active_count()
    gcpolicy.install()
    gcpolicy.install()
    assert sum(getattr(cb, "__self__", None) is gcpolicy._installed for cb in gc.callbacks) == 1
    assert threading.active_count() == threads + 1
    gcpolicy.uninstall()
    assert gc.get_freeze_count() == 0
    assert threading.active_count() == threads
    assert gcpolicy._installed is None
