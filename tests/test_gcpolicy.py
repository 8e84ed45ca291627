"""The serve process's GC policy: the start-up heap and what survives the middle generation are frozen;
a quiet process walks everything again once the frozen heap has grown."""

import gc
import threading
import time
import weakref

import pytest

from mocknexus import gcpolicy


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


def test_quiet_means_no_young_collection_between_two_checks():
    """A young collection since the previous check (a busy process), or no previous check (just resumed,
    perhaps after a SIGSTOP): no walk; the frozen garbage waits for the next quiet check."""
    class Node:
        pass

    gcpolicy.install(quiet=3600, growth=0.0)  # the watcher thread never acts here: the test calls check()
    try:
        policy = gcpolicy._installed
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        gc.collect(1)  # frozen
        del node
        assert not policy.check()  # the first check has nothing to compare with
        gc.collect(0)
        assert not policy.check()  # a young collection since
        assert alive() is not None
        assert policy.check()  # none since: quiet
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
