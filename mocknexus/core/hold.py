"""Held requests: "answer when this condition holds or at this deadline" (a fault's delay, a journal wait).

A `Hold` says what a request waits for; whoever serves the request decides how to wait. `mocknexus serve`
and MockNexus park it without a thread (serving/parking.py); with no serving layer (the Flask test client)
`Hold.wait` waits in place. A source of changes the condition depends on (the journal) owns a `Bell` and
rings it after each change; a held request listening to it has its condition checked again."""

import threading
import time


class Bell:
    """Rung by a source after each change; calls every listener (cheap ones: they only note the ring)."""

    def __init__(self):
        self._listeners: dict = {}  # an ordered set of callables
        self._lock = threading.Lock()

    def listen(self, listener) -> None:
        with self._lock:
            self._listeners[listener] = None

    def forget(self, listener) -> None:
        with self._lock:
            self._listeners.pop(listener, None)

    def ring(self) -> None:
        if not self._listeners:  # nobody listening (nearly always): the whole cost of a ring
            return
        with self._lock:
            listeners = tuple(self._listeners)
        for listener in listeners:
            listener()


class Hold:
    """Wait until `ready()` is true (checked again each time `bell` rings) or `seconds` have passed; a hold
    with no condition is a plain delay. `met` is the outcome: True for a delay, else whether `ready()` was."""

    __slots__ = ("seconds", "deadline", "ready", "bell", "met")

    def __init__(self, seconds: float, ready=None, bell: Bell | None = None):
        self.seconds = max(seconds, 0.0)
        self.deadline = time.monotonic() + self.seconds
        self.ready, self.bell = ready, bell
        self.met: bool | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def wait(self, sleep=time.sleep) -> bool:
        """Wait in the calling thread (nothing parks it); `sleep` is the seam for plain delays."""
        if self.ready is None:
            sleep(self.seconds)
            self.met = True
            return True
        rung = threading.Event()
        self.bell.listen(rung.set)
        try:
            while True:
                rung.clear()  # before the check: a ring during it is not lost
                if self.ready():
                    self.met = True
                    return True
                remaining = self.remaining()
                if remaining <= 0:
                    self.met = False
                    return False
                rung.wait(remaining)
        finally:
            self.bell.forget(rung.set)
