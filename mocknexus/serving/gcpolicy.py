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
process is quiet: it used under 2% of a CPU in each of the last two periods of `quiet` seconds (twice,
because a process that was stopped and is resumed looks quiet over the period it was stopped), so no
request is kept waiting by it. (Young collections are no sign of work: a steady update load, whose
journal records replace as many old ones, allocates nothing net and triggers none.) Under unbroken load
the walk waits; what it would free is small (~0.1 object per admin request measured).
This is a process-level choice for the server we own; MockNexus does not install it in a test process.
"""

import gc
import threading
import time

BUSY = 0.02  # a process that used more than this share of a CPU over a period is not quiet


class _Policy:
    def __init__(self, quiet: float, growth: float, cpu_clock=time.process_time):
        self.quiet, self.growth, self.cpu_clock = quiet, growth, cpu_clock
        self.cpu = cpu_clock()  # CPU time at the previous check
        self.was_quiet = False  # the previous period's verdict
        self.walked = gc.get_freeze_count()  # the frozen heap's size after the last walk of everything
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name="mocknexus-gc", daemon=True)

    def on_collection(self, phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] > 0:
            gc.freeze()

    def walk_everything(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.walked = gc.get_freeze_count()
        self.cpu = self.cpu_clock()  # the walk's own CPU is no sign of requests

    def _watch(self) -> None:
        while not self.stopping.wait(self.quiet):
            self.check()

    def check(self) -> bool:
        """Walk everything if this period and the previous one were quiet and the frozen heap has grown
        enough; True if it did. Called every `quiet` seconds."""
        cpu = self.cpu_clock()
        quiet = cpu - self.cpu < BUSY * self.quiet
        self.cpu, both_quiet, self.was_quiet = cpu, quiet and self.was_quiet, quiet
        if not both_quiet or gc.get_freeze_count() <= self.walked * (1 + self.growth):
            return False
        self.walk_everything()
        return True


_installed: _Policy | None = None


def install(quiet: float = 1.0, growth: float = 0.25, cpu_clock=time.process_time) -> None:
    """Freeze the start-up heap, keep freezing what survives the middle generation, and walk everything
    again when quiet (see the module docstring). Idempotent. No collection first: with 200,000 fixture
    interactions loaded it took 0.4 s before the listening line, to free the few cycles start-up leaves
    (~900 objects with fixtures/, a fixed amount; the next quiet-time walk frees them). CPython's advice
    before a fork is the same: freeze, no collect."""
    global _installed
    if _installed is not None:
        return
    gc.freeze()
    _installed = _Policy(quiet, growth, cpu_clock)
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
