"""A world is everything one namespace owns; Worlds makes them from the fixtures on first use (LRU-capped)."""

import threading
from collections import OrderedDict

from mocknexus.clock import Clock
from mocknexus.config import ServerConfig
from mocknexus.faults import FaultRegistry
from mocknexus.fixtures import FixtureSet
from mocknexus.ids import IdFactory
from mocknexus.journal import Journal
from mocknexus.store import InteractionStore

DEFAULT = "default"


class World:
    """Store + journal + faults + clock + settings + ids of one namespace. `reset` costs what the fixtures cost."""

    def __init__(self, name: str, base: FixtureSet, config: ServerConfig):
        self.name = name
        self.base = base
        self.config = config
        # The namespace path that selfUri carries; empty for the default world.
        self.prefix = "" if name == DEFAULT else f"/__ns/{name}"
        self.reset()

    def reset(self) -> None:
        self.settings = self.config.settings.copy()
        self.clock = Clock()
        self.ids = IdFactory(self.config.seed)
        self.journal = Journal(self.config.journal_size)
        self.faults = FaultRegistry()
        self.replace(self.base)

    def replace(self, fixtures: FixtureSet) -> None:
        """Swap in new services, keys and interactions (reset, PUT /__admin/state); settings etc. stay."""
        self.api_keys = fixtures.api_keys
        self.store = InteractionStore(fixtures.services, self.settings, self.clock, self.ids,
                                      fixtures.fresh_interactions())

    @property
    def services(self) -> dict:
        return self.store.services


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
            while len(self._worlds) > max(self.config.max_namespaces, 1) + 1:
                oldest = next(n for n in self._worlds if n != DEFAULT)
                del self._worlds[oldest]
            return world

    def names(self) -> list[str]:
        with self._lock:
            return list(self._worlds)

    def drop(self, name: str) -> bool:
        with self._lock:
            return self._worlds.pop(name, None) is not None
