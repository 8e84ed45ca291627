"""The garbage-collector policy of a `mocknexus serve` process: no pauses that grow with the stored data.

CPython's full collection walks every tracked object; with 200,000 stored interactions that is ~450,000
objects and 0.1-0.8 s during which no request is answered (the create tails of plain Flask apps). Stored
interactions, journal records and fixtures are acyclic and freed by reference counting, and a vendor
request leaves no cycles at all (tests/test_dispatch.py), so the collector has nothing to find among them.

install() moves what exists once the fixtures are loaded into the permanent generation (gc.freeze), and
again after every collection of the middle and old generations: an object is walked at most by one young
and one middle collection, then never again, so no collection takes longer as the store grows. (Freezing
only after full collections still let each of them walk everything stored since the last: 150-250 ms pauses
with 200,000 stored, which set the benchmark's p99.)

The price: a reference cycle that is still alive at a middle collection and dies later is not collected
by the automatic collections (the admin API's Flask requests make such cycles, e.g. an exception's
traceback, when a collection falls inside one). So a watcher thread walks everything once more (unfreeze,
full collection, freeze) when the frozen heap has grown by a quarter since the last such walk and the
process is quiet (no young collection in the last `quiet` seconds, checked twice in a row: a process
that was stopped and resumed looks quiet at the first check), so no request is kept waiting by it. Under
unbroken load the walk waits; what it would free is small (~0.1 object per admin request measured).
This is a process-level choice for the server we own; MockNexus does not install it in a test process.
"""

import gc
import threading


class _Policy:
    def __init__(self, quiet: float, growth: float):
        self.quiet, self.growth = quiet, growth
        self.young = 0  # young collections so far
        self.seen = -1  # ... at the previous check
        self.walked = gc.get_freeze_count()  # the frozen heap's size after the last walk of everything
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name="mocknexus-gc", daemon=True)

    def on_collection(self, phase: str, info: dict) -> None:
        if phase != "stop":
            return
        if info["generation"] == 0:
            self.young += 1
        else:
            gc.freeze()

    def walk_everything(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.walked = gc.get_freeze_count()

    def _watch(self) -> None:
        while not self.stopping.wait(self.quiet):
            self.check()

    def check(self) -> bool:
        """Walk everything if no young collection happened since the previous check and the frozen heap has
        grown enough; True if it did."""
        quiet, self.seen = self.young == self.seen, self.young
        if not quiet or gc.get_freeze_count() <= self.walked * (1 + self.growth):
            return False
        self.walk_everything()
        return True


_installed: _Policy | None = None


def install(quiet: float = 1.0, growth: float = 0.25) -> None:
    """Collect once, freeze the start-up heap, keep freezing what survives the middle generation, and walk
    everything again when quiet (see the module docstring). Idempotent."""
    global _installed
    if _installed is not None:
        return
    gc.collect()
    gc.freeze()
    _installed = _Policy(quiet, growth)
    gc.callbacks.append(_installed.on_collection)
    _installed.watcher.start()


def uninstall() -> None:
    """Back to CPython's defaults (tests, embedders)."""
    global _installed
    if _installed is not None:
        gc.callbacks.remove(_installed.on_collection)
        _installed.stopping.set()
        _installed.watcher.join()
        _installed = None
    gc.unfreeze()
