"""A world is everything one namespace owns; Worlds makes them from the fixtures on first use (LRU-capped)."""

import threading
from collections import OrderedDict

from mocknexus.core.clock import Clock
from mocknexus.core.collector import paused
from mocknexus.core.config import ServerConfig
from mocknexus.core.ids import IdFactory
from mocknexus.state.faults import FaultRegistry
from mocknexus.state.fixtureset import FixtureSet
from mocknexus.state.journal import Journal
from mocknexus.state.lifecycle import Timetable
from mocknexus.state.reaper import REAPER
from mocknexus.state.sender import Sender
from mocknexus.state.store import InteractionStore
from mocknexus.state.webhooks import Webhooks

DEFAULT = "default"
NAMESPACE = "mocknexus.namespace"  # environ key: the namespace a request's `/__ns/{name}` prefix names


class World:
    """Store + journal + faults + clock + settings + ids of one namespace. `reset` costs what the fixtures cost."""

    made = True  # see Unmade

    def __init__(self, name: str, base: FixtureSet, config: ServerConfig, sender: Sender | None = None):
        self.name = name
        self.base = base
        self.config = config
        # The namespace path that selfUri carries; empty for the default world.
        self.prefix = "" if name == DEFAULT else f"/__ns/{name}"
        # One journal for the world's life: reset empties it in place, so waiters stay attached.
        self.journal = Journal(config.journal_size)
        self.timetable = Timetable(self)
        # One registry for the world's life, as the journal: reset reloads it in place.
        self.webhooks = Webhooks(sender or Sender(), config.journal_size)
        self.store = None
        self.reset()

    def reset(self) -> None:
        """Back to the start: settings, clock, ids, faults, journal, deliveries and the loaded fixtures."""
        self.settings = self.config.settings.copy()
        self.clock = Clock()
        self.webhooks.now = self.clock.now  # the time its delivery attempts are written with
        self.ids = IdFactory(self.config.seed)
        self.faults = FaultRegistry()
        self.journal.clear(restart_ids=True)
        self.webhooks.clear_deliveries()
        self.replace(self.base)

    def replace(self, fixtures: FixtureSet) -> None:
        """Swap in new services, keys and interactions (reset, PUT /__admin/state); settings etc. stay."""
        old = self.store
        self.timetable.clear()  # its steps are for the old store's interactions
        # service name -> lifecycle steps; replaced whole (copy on write), so readers need no lock
        self.lifecycles = {s.name: s.lifecycle for s in fixtures.services.values() if s.lifecycle}
        self.api_keys = fixtures.api_keys
        self.webhooks.load(fixtures.webhooks)
        with paused():  # as many new objects as fixture interactions, none in a cycle (collector.py)
            self.store = InteractionStore(fixtures.services, self.settings, self.clock, self.ids,
                                          fixtures.fresh_interactions())
        if old is not None:
            discard_store(old)

    def created(self, interaction, trace: str | None = None) -> None:
        """An interaction was created through the vendor API (whose request had the trace id `trace`): the
        webhooks hear of it, then its service's lifecycle starts (§5.1)."""
        self.webhooks.notify("STARTED", interaction, trace, self.prefix)
        steps = self.lifecycles.get(interaction.service.name)
        if steps:
            self.timetable.plan(interaction, steps)

    def stopped(self, interaction, trace: str | None = None) -> None:
        """An interaction was stopped, by anyone (no `trace`: not by a vendor request, so a new one)."""
        self.webhooks.notify("FINISHED", interaction, trace, self.prefix)

    def set_lifecycle(self, service_name: str, steps: tuple) -> None:
        self.store.service(service_name)  # 404 when there is no such service
        lifecycles = {k: v for k, v in self.lifecycles.items() if k != service_name}
        if steps:
            lifecycles[service_name] = steps
        self.lifecycles = lifecycles

    def discard(self) -> None:
        """This world is gone (dropped, evicted): free what its use made, in the background."""
        self.timetable.clear()
        self.webhooks.close()
        discard_store(self.store)
        self.journal.clear()

    @property
    def services(self) -> dict:
        return self.store.services


def discard_store(store: InteractionStore) -> None:
    """Hand a store's two indexes, all that grows with use, to the reaper. Not the services dict:
    it is shared with the fixtures and every other world."""
    REAPER.discard(store._by_ext, store._by_id)


class Unmade:
    """A namespace not made yet, as far as an API key check sees it: the loaded keys and a clock at real time.
    Checking a key against it, rather than making the namespace first, keeps a refused request from making
    one and from evicting another (§9)."""

    made = False

    def __init__(self, base: FixtureSet):
        self.api_keys = base.api_keys
        self.clock = Clock()


class Worlds:
    """The namespace registry. At most `max_namespaces` live at once; the least recently used goes first
    (the default world is never evicted)."""

    def __init__(self, base: FixtureSet, config: ServerConfig):
        self.base = base
        self.config = config
        self._lock = threading.Lock()
        self._worlds: OrderedDict[str, World] = OrderedDict()
        self.sender = Sender()  # every world's webhook deliveries, on its own few threads
        self.default = self.get(DEFAULT)
        self._unmade = Unmade(base)

    def get(self, name: str) -> World:
        with self._lock:
            world = self._worlds.get(name)
            if world is not None:
                self._worlds.move_to_end(name)
                return world
        # Built outside the lock (it costs what the fixtures cost); a racing twin loses to setdefault.
        fresh = World(name, self.base, self.config, self.sender)
        with self._lock:
            world = self._worlds.setdefault(name, fresh)
            self._worlds.move_to_end(name)
            evicted = []
            while len(self._worlds) > max(self.config.max_namespaces, 1) + 1:
                oldest = next(n for n in self._worlds if n != DEFAULT)
                evicted.append(self._worlds.pop(oldest))
        for gone in evicted:
            gone.discard()
        return world

    def peek(self, name: str) -> World | None:
        """The namespace if it exists; never makes one, and does not count as a use."""
        return self._worlds.get(name)

    def of(self, environ: dict, admit=None) -> World:
        """The world a request runs in: the one its `/__ns/{name}` prefix names (routing.py), else default.
        `admit(world)`, when given, is called first with the world as it is (an Unmade one when there is none
        yet) and may raise: then no namespace is made and none counts as used."""
        name = environ.get(NAMESPACE)
        if name is None:
            if admit is not None:
                admit(self.default)
            return self.default
        if admit is not None:
            with self._lock:
                world = self._worlds.get(name)  # a look, not a use: the LRU order stays
            admit(world if world is not None else self._unmade)
        return self.get(name)

    def names(self) -> list[str]:
        """Default first, then least recently used first."""
        with self._lock:
            return list(self._worlds)

    def all(self) -> list[World]:
        """Default first, then least recently used first; does not count as a use."""
        with self._lock:
            return list(self._worlds.values())

    def close(self) -> int:
        """The server stops: no webhook delivery is sent after this; how many pending ones were dropped."""
        self.sender.close()
        return sum(world.webhooks.close() for world in self.all())

    def drop(self, name: str) -> bool:
        """Forget a namespace (its next use makes it afresh); the default world is reset instead."""
        if name == DEFAULT:
            self.default.reset()
            return True
        with self._lock:
            world = self._worlds.pop(name, None)
        if world is None:
            return False
        world.discard()
        return True
