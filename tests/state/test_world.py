"""Worlds: reset restores every part, replace swaps the state, and the namespace registry is LRU-capped."""

from datetime import UTC, datetime

from mocknexus.core.config import ServerConfig, WorldSettings
from mocknexus.schemas.reader import load_fixtures
from mocknexus.state.fixtureset import FixtureSet
from mocknexus.state.reaper import REAPER
from mocknexus.state.world import DEFAULT, World, Worlds
from tests.conftest import FIXTURES

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def fixtures() -> FixtureSet:
    return load_fixtures([str(FIXTURES)], NOW)


def test_reset_restores_interactions_settings_clock_ids_journal_and_faults():
    world = World(DEFAULT, fixtures(), ServerConfig(seed=3))
    first_id = world.ids.new("uuid")
    world.store.create_interaction("crm-tasks", "x")
    world.settings.strict = True
    world.clock.freeze(NOW)
    world.journal.add({"path": "/"})
    faults = world.faults
    world.reset()
    assert [i.id for i in world.store.all()] == [i.id for i in fixtures().interactions]
    assert world.settings == WorldSettings() and not world.clock.frozen
    assert len(world.journal) == 0 and world.faults is not faults
    assert world.ids.new("uuid") == first_id
    assert world.store.clock is world.clock and world.store.ids is world.ids and world.store.settings is world.settings


def test_reset_after_many_creates_hands_the_old_store_to_the_reaper():
    world = World(DEFAULT, fixtures(), ServerConfig())
    old = world.store
    for n in range(3000):
        old.create_interaction("crm-tasks", f"e{n}")
    world.reset()
    assert len(world.store) == 3 and world.store is not old
    assert REAPER.wait_idle(10)
    assert len(old) == 0  # emptied by the background thread, not by reset()


def test_replace_keeps_settings_clock_and_journal():
    world = World(DEFAULT, fixtures(), ServerConfig())
    world.settings.retain_stopped = True
    world.journal.add({"path": "/"})
    world.replace(FixtureSet.empty())
    assert world.services == {} and world.api_keys == {} and len(world.store) == 0
    assert world.settings.retain_stopped and len(world.journal) == 1


def test_namespaces_are_made_on_first_use_with_their_own_prefix_and_state():
    worlds = Worlds(fixtures(), ServerConfig())
    a, b = worlds.get("a"), worlds.get("b")
    assert a is worlds.get("a") and a is not b and a.store is not b.store
    assert (worlds.default.prefix, a.prefix) == ("", "/__ns/a")
    a.store.create_interaction("crm-tasks", "same")
    b.store.create_interaction("crm-tasks", "same")  # no 409: another world
    assert worlds.names() == [DEFAULT, "b", "a"]  # least recently used first


def test_the_least_recently_used_namespace_goes_first_and_default_never():
    worlds = Worlds(fixtures(), ServerConfig(max_namespaces=2))
    a = worlds.get("a")
    worlds.get("b")
    worlds.get("a")  # a is now the most recently used
    worlds.get("c")
    assert worlds.names() == [DEFAULT, "a", "c"]
    worlds.get("d")
    assert worlds.names() == [DEFAULT, "c", "d"]
    assert worlds.get("a") is not a  # made afresh


def test_drop_forgets_a_namespace_and_resets_default():
    worlds = Worlds(fixtures(), ServerConfig())
    a = worlds.get("a")
    assert worlds.drop("a") and not worlds.drop("a") and not worlds.drop("nope")
    assert worlds.get("a") is not a
    default = worlds.default
    default.store.create_interaction("crm-tasks", "x")
    assert worlds.drop(DEFAULT)
    assert worlds.default is default and len(default.store) == 3


def test_a_dropped_world_with_timetable_and_webhooks_is_freed_without_the_cycle_collector():
    """No reference cycles: a namespace dropped (one per pytest test) goes at once, not at a later GC walk."""
    import gc

    from mocknexus.core.models import Service, Step, Webhook

    steps = (Step(after=60, action="route"),)
    base = FixtureSet({"s": Service("s", lifecycle=steps)}, {}, (), (Webhook("w", "http://127.0.0.1:9/"),))
    worlds = Worlds(base, ServerConfig())
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        world = worlds.get("ns")
        interaction = world.store.create_interaction("s")
        world.created(interaction, "trace")
        world.stopped(world.store.stop_interaction("s", interaction.id))
        worlds.drop("ns")
        del world, interaction
        worlds.close()
        del worlds
        gc.collect()
        garbage = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert garbage == []
