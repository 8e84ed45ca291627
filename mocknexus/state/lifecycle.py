"""The lifecycle timetable (§5.1): each world's due steps, done in order at their moment by one scheduler thread."""

import heapq
import itertools
import threading
import traceback
import weakref
from datetime import timedelta

from mocknexus.core.errors import Conflict, NotFound
from mocknexus.core.models import Interaction, Step
from mocknexus.state import simulator

MAX_SLEEP = 1.0  # the scheduler looks again at least this often (seconds), whatever it expects


class Timetable:
    """One world's planned steps: a heap of (moment, n, interaction, steps, index), one entry per interaction
    (its next step). `run_due` does every step whose moment the world's clock has reached, oldest moment first;
    the scheduler thread calls it for a running clock, the clock's admin views call it when they move the clock."""

    def __init__(self, world, scheduler=None):
        # Weak: a world and its timetable make no reference cycle, so a dropped world is freed at once (gcpolicy.py).
        self._world = weakref.ref(world)
        self.heap: list = []  # read without the lock only to see whether it is empty (the vendor path's check)
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._scheduler = scheduler or SCHEDULER

    def plan(self, interaction: Interaction, steps: tuple) -> None:
        """Give a newly created interaction its service's steps, counted from its submittedAt."""
        with self._lock:
            self._push(interaction, steps, 0)
        self._scheduler.watch(self)
        self.run_due()  # a step at `after: 0` is due at once

    def run_due(self) -> int:
        """Do every due step, in order; a step that does not fit the interaction's state then is skipped."""
        heap, done, world = self.heap, 0, self._world()
        if not heap:
            return 0
        if world is None:  # gone without being discarded (an app nobody stopped): nothing is due any more
            heap.clear()
            return 0
        with self._lock:
            now = world.clock.now()
            while heap and heap[0][0] <= now:
                moment, _, interaction, steps, index = heapq.heappop(heap)
                if interaction.live:
                    done += self._do(world, interaction, steps[index], moment)
                if interaction.live:
                    self._push(interaction, steps, index + 1)
        return done

    def seconds_to_next(self) -> float | None:
        """Real seconds until the next step is due; None when none is planned or the clock is frozen."""
        heap, world = self.heap, self._world()
        if not heap or world is None or world.clock.frozen:
            return None
        clock = world.clock
        try:
            return max((heap[0][0] - clock.now()).total_seconds(), 0.0)
        except IndexError:  # emptied meanwhile
            return None

    def clock_changed(self) -> None:
        """The clock was set, advanced, frozen or let run: do what is due now, and let the scheduler look again."""
        self.run_due()
        self._scheduler.poke()

    def clear(self) -> None:
        with self._lock:
            self.heap.clear()

    def _push(self, interaction: Interaction, steps: tuple, index: int) -> None:
        if index >= len(steps):
            return
        try:
            moment = interaction.submitted_at + timedelta(seconds=steps[index].after)
        except OverflowError:  # past the last date there is: that step (and so the rest) never comes
            return
        heapq.heappush(self.heap, (moment, next(self._order), interaction, steps, index))

    @staticmethod
    def _do(world, interaction: Interaction, step: Step, moment) -> int:
        store = world.store
        try:
            if step.action == "stop":
                simulator.stop(store, interaction, step.by, step.reason_system_name, step.reason_description, moment)
                world.stopped(interaction)
            elif step.action == "update":
                simulator.update(store, interaction, step.changed, step.added, step.deleted)
            else:
                simulator.move(store, interaction, step.action, step.agent)
        except (Conflict, NotFound):  # does not fit its state (the client stopped it, say): no trace, no error
            return 0
        return 1


class Scheduler:
    """The process's one timetable thread (started on first use): it sleeps until the earliest step of any
    running clock is due, or until poked (a new plan, a clock change), and does what is due."""

    def __init__(self):
        self._changed = threading.Condition()
        self._tables: set[Timetable] = set()
        self._poked = False
        self._thread: threading.Thread | None = None

    def watch(self, table: Timetable) -> None:
        with self._changed:
            self._tables.add(table)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mocknexus-lifecycle", daemon=True)
                self._thread.start()
            self._poked = True
            self._changed.notify()

    def poke(self) -> None:
        with self._changed:
            if self._tables:
                self._poked = True
                self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                tables = list(self._tables)
                self._poked = False
            sleep = MAX_SLEEP
            for table in tables:
                try:
                    table.run_due()
                except Exception:  # a bug: said, but one world's failure must not stop every other's timetable
                    traceback.print_exc()
                if not table.heap:
                    with self._changed:
                        if not table.heap:  # plan() pushes before it watches: a new step re-adds the table
                            self._tables.discard(table)
                    continue
                wait = table.seconds_to_next()
                if wait is not None:
                    sleep = min(sleep, wait)
            with self._changed:
                if not self._poked:
                    self._changed.wait(sleep)


SCHEDULER = Scheduler()
