"""A world is everything one namespace owns; Worlds makes them from the fixtures on first use (LRU-capped)."""

import threading
from collections import OrderedDict

from mocknexus.core.clock import Clock
from mocknexus.core.config import ServerConfig
from mocknexus.core.ids import IdFactory
from mocknexus.state.faults import FaultRegistry
from mocknexus.state.fixtureset import FixtureSet
from mocknexus.state.journal import Journal
from mocknexus.state.reaper import REAPER
from mocknexus.state.store import InteractionStore

DEFAULT = "default"
NAMESPACE = "mocknexus.namespace"  # environ key: the namespace a request's `/__ns/{name}` prefix names


class World:
    """Store + journal + faults + clock + settings + ids of one namespace. `reset` costs what the fixtures cost."""

    def __init__(self, name: str, base: FixtureSet, config: ServerConfig):
        self.name = name
        self.base = base
        self.config = config
        # The namespace path that selfUri carries; empty for the default world.
        self.prefix = "" if name == DEFAULT else f"/__ns/{name}"
        # One journal for the world's life: reset empties it in place, so waiters stay attached.
        self.journal = Journal(config.journal_size)
        self.store = None
        self.reset()

    def reset(self) -> None:
        """Back to the start: settings, clock, ids, faults, journal and the loaded fixtures."""
        self.settings = self.config.settings.copy()
        self.clock = Clock()
        self.ids = IdFactory(self.config.seed)
        self.faults = FaultRegistry()
        self.journal.clear(restart_ids=True)
        self.replace(self.base)

    def replace(self, fixtures: FixtureSet) -> None:
        """Swap in new services, keys and interactions (reset, PUT /__admin/state); settings etc. stay."""
        old = self.store
        self.api_keys = fixtures.api_keys
        self.store = InteractionStore(fixtures.services, self.settings, self.clock, self.ids,
                                      fixtures.fresh_interactions())
        if old is not None:
            discard_store(old)

    def discard(self) -> None:
        """This world is gone (dropped, evicted): free what its use made, in the background."""
        discard_store(self.store)
        self.journal.clear()

    @property
    def services(self) -> dict:
        return self.store.services


def discard_store(store: InteractionStore) -> None:
    """Hand a store's two indexes, all that grows with use, to the reaper. Not the services dict:
    it is shared with the fixtures and every other world."""
    REAPER.discard(store._by_ext, store._by_id)


class Worlds:
    """The namespace registry. At most `max_namespaces` live at once; the least recently used goes first
    (the default world is never evicted)."""

    def __init__(self, base: FixtureSet, config: ServerConfig):
        self.base = base
        self.config = config
        self._lock = threading.Lock()
        self._worlds: OrderedDict[str, World] = OrderedDict()
        self.default = self.get(DEFAULT)

    def get(self, name: str) -> World:
        with self._lock:
            world = self._worlds.get(name)
            if world is not None:
                self._worlds.move_to_end(name)
                return world
        # Built outside the lock (it costs what the fixtures cost); a racing twin loses to setdefault.
        fresh = World(name, self.base, self.config)
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

    def of(self, environ: dict) -> World:
        """The world a request runs in: the one its `/__ns/{name}` prefix names (routing.py), else default."""
        name = environ.get(NAMESPACE)
        return self.default if name is None else self.get(name)

    def names(self) -> list[str]:
        """Default first, then least recently used first."""
        with self._lock:
            return list(self._worlds)

    def all(self) -> list[World]:
        """Default first, then least recently used first; does not count as a use."""
        with self._lock:
            return list(self._worlds.values())

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
