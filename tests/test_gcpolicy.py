"""The serve process's GC policy: the heap at start-up and every full collection's survivors are frozen."""

import gc
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


def test_survivors_of_a_full_collection_are_frozen_young_ones_are_not(policy):
    before = gc.get_freeze_count()
    kept = [{"n": n, "userData": {"k": [n]}} for n in range(1000)]  # tracked, long-lived
    gc.collect(1)
    assert gc.get_freeze_count() == before
    gc.collect()
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


def test_install_is_idempotent_and_uninstall_restores_defaults():
    gcpolicy.install()
    gcpolicy.install()
    assert sum(cb is gcpolicy._freeze_after_full_collection for cb in gc.callbacks) == 1
    gcpolicy.uninstall()
    assert gc.get_freeze_count() == 0
    assert gcpolicy._freeze_after_full_collection not in gc.callbacks
