"""A daemon thread that frees big discarded containers bit by bit, so a reset costs what the fixtures cost.

Dropping the last reference to a store of 100,000 interactions frees them all in one C call (~20 ms with the
GIL held). Handed here instead, they are emptied a chunk at a time in a background thread, between which
other threads run; the request that discarded them returns at once."""

import threading
import time
from collections import deque

SMALL = 1000  # containers up to this size are cheaper to free on the spot than to hand over
CHUNK = 500  # items freed between two chances for other threads to run
GRACE = 0.2  # seconds: lets requests still holding the old container finish before it is emptied


class Reaper:
    """`discard(*containers)` hands over dicts, lists or deques that nothing else will use.

    Its thread starts on the first big discard and then stays, parked on a condition: starting a thread
    waits for it to be scheduled, which on a busy machine can take longer than the whole reset."""

    def __init__(self, grace: float = GRACE, chunk: int = CHUNK, small: int = SMALL):
        self.grace, self.chunk, self.small = grace, chunk, small
        self._work = threading.Condition()
        self._pending: deque = deque()
        self._running = False
        self._busy = 0

    def discard(self, *containers) -> None:
        big = [c for c in containers if len(c) > self.small]
        if not big:
            return  # the caller's reference drop frees them, in microseconds
        with self._work:
            self._pending.append((time.monotonic() + self.grace, big))
            self._busy += 1
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="mocknexus-reaper", daemon=True).start()
            self._work.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything handed over is freed (for tests and benchmarks)."""
        with self._work:
            return self._work.wait_for(lambda: self._busy == 0, timeout)

    def _run(self) -> None:
        while True:
            with self._work:
                self._work.wait_for(lambda: self._pending)
                due, containers = self._pending.popleft()
            time.sleep(max(0.0, due - time.monotonic()))
            for container in containers:
                self._drain(container)
            containers = None  # the emptied shells are freed here, cheaply
            with self._work:
                self._busy -= 1
                self._work.notify_all()

    def _drain(self, container) -> None:
        pop = container.popitem if isinstance(container, dict) else container.pop
        try:
            while container:
                for _ in range(min(self.chunk, len(container))):
                    pop()
                time.sleep(0)  # yield the GIL between chunks
        except (KeyError, IndexError):
            pass  # someone else emptied it meanwhile: nothing left to do


REAPER = Reaper()  # process-wide, like the garbage collector it helps
