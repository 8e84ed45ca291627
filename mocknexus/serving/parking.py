"""Parking: a held request (a fault's delay, a journal wait) keeps its connection, never a worker thread.

In waitress a worker thread runs `HTTPChannel.service()`: it serves the channel's first request with a
task (create it, `task.service()`: call the app, write the answer), then pops the request and queues the
channel again if another one is waiting. A request is parked in the middle of that:

1. The task puts its `park` in the environ (web/hold.py's `PARK`). A view that must wait returns a
   HeldResponse, which, called, hands its Hold (core/hold.py) to `park`, and returns its body unread.
2. `Middleware`, around the app, sees the hold once the app returns, keeps the body on the task and raises
   `Parked`. It passes through waitress's task and channel code (a BaseException: their `except
   Exception` lets it by) to `Channel.service` (wire.py), which hands the hold to this module's `Parking`,
   with "queue this channel again" as what to do when it is over, and returns: the thread is free. The
   channel keeps its request in `channel.requests`, so waitress reads nothing more from it meanwhile, and
   its idle timeout leaves it alone.
3. `Parking` is one timer thread per server: a heap of deadlines, woken at the earliest one, or when a
   Bell a hold listens to rings (the journal's, after each add); it then checks that hold's condition.
   When a hold is over it sets `hold.met` and queues the channel on the worker pool.
4. A worker runs `channel.service()` again: the channel gives it the parked task (wire.py), whose app call
   now returns the kept body (`Middleware`), so waitress writes the answer and goes on as usual: the next
   pipelined request, keep-alive, close.

So a held request costs a socket, a heap entry and, while a condition is awaited, a listener on a Bell;
`--max-connections` is what caps them. A client that goes away while held costs nothing more: its answer,
when due, is written to a closed socket and dropped. Another wait (the webhook deliveries') needs nothing
here: its view returns `until(ready, bell, seconds, then)` (web/hold.py) with the source's own Bell.
"""

import heapq
import itertools
import threading
import time
import traceback

from mocknexus.web.hold import PARK


class Parked(BaseException):  # noqa: N818 - a signal, not an error
    """Raised out of the app call to end the worker's turn; carries the task that is parked."""

    def __init__(self, task):
        super().__init__()
        self.task = task


class Middleware:
    """WSGI, around the app: a held answer parks the task; on the task's second turn, the answer is due."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        task = environ[PARK]
        if task.held_body is not None:  # the second turn: the hold is over
            body, task.held_body = task.held_body, None
            return body
        body = self.app(environ, start_response)
        if task.hold is not None:
            task.held_body = body
            raise Parked(task)
        return body


class Parking:
    """The timer of one server's held requests; its thread starts with the first one."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._heap: list = []  # (deadline, n, entry), entries of holds that are over included until popped
        self._order = itertools.count()
        self._rung: list = []  # entries whose Bell rang since the thread last looked
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.held = 0  # holds not yet over

    def park(self, hold, resume, abandon=None) -> None:
        """Call `resume()` once `hold` is over (hold.met says how), or `abandon()` if the server stops first;
        from any thread."""
        entry = _Entry(self, hold, resume, abandon)
        with self._changed:
            if self._stopped:
                entry.abandon()
                return
            heapq.heappush(self._heap, (hold.deadline, next(self._order), entry))
            self.held += 1
            self._start()
            self._changed.notify()
        if hold.bell is not None:
            hold.bell.listen(entry.ring)
            entry.ring()  # a change between the view's own check and listening is not lost

    def stop(self) -> None:
        """No more timing: whatever is still held is abandoned (the server then closes its connection)."""
        with self._changed:
            self._stopped = True
            left, self._heap = [item[2] for item in self._heap if not item[2].over], []
            self._changed.notify()
        for entry in left:
            entry.abandon()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(1.0)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mocknexus-parking", daemon=True)
            self._thread.start()

    def _rang(self, entry) -> None:
        with self._changed:
            self._rung.append(entry)
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                rung, due = self._wait()
                if self._stopped:
                    return
            for entry in rung:  # outside the lock: a check takes its source's lock
                if not entry.over and _check(entry.hold):
                    self._end(entry, True)
            for entry in due:
                if not entry.over:
                    self._end(entry, True if entry.hold.ready is None else _check(entry.hold))

    def _wait(self) -> tuple[list, list]:
        """Under the lock: sleep until a bell rings or a deadline comes; what rang, and what is due."""
        heap = self._heap
        while not self._stopped:
            now = self.clock()
            if self._rung or (heap and heap[0][0] <= now):
                break
            self._changed.wait(heap[0][0] - now if heap else None)
        rung, self._rung = self._rung, []
        due, now = [], self.clock()
        while heap and heap[0][0] <= now:
            due.append(heapq.heappop(heap)[2])
        return rung, due

    def _end(self, entry, met: bool) -> None:
        entry.over = True
        entry.hold.met = met
        if entry.hold.bell is not None:
            entry.hold.bell.forget(entry.ring)
        with self._changed:
            self.held -= 1
            if len(self._heap) > 2 * self.held + 64:  # holds met early wait in the heap for their deadline
                self._heap = [item for item in self._heap if not item[2].over]
                heapq.heapify(self._heap)
        try:
            entry.resume()
        except Exception:  # noqa: BLE001 - this thread times every held request: it must not end
            traceback.print_exc()


def _check(hold) -> bool:
    """hold.ready(), where a failing check ends the hold (unmet) rather than this thread."""
    try:
        return bool(hold.ready())
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return False


class _Entry:
    """One parked request."""

    __slots__ = ("parking", "hold", "resume", "abandon", "over", "ring")

    def __init__(self, parking: Parking, hold, resume, abandon):
        self.parking, self.hold, self.resume, self.over = parking, hold, resume, False
        self.abandon = abandon or _nothing
        self.ring = self._ring  # one bound method, so that bell.forget finds what bell.listen got

    def _ring(self) -> None:
        if not self.over:
            self.parking._rang(self)


def _nothing() -> None:
    """What a hold with no `abandon` does when the server stops first."""
