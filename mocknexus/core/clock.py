"""The virtual clock: real time, or frozen at a moment, or shifted; the only place that reads the time."""

import threading
from datetime import UTC, datetime, timedelta

from mocknexus.core.errors import BadRequest
from mocknexus.core.models import iso

# The latest moment the clock may be set or advanced to (§9): a day before the end of datetime's range, so
# that a running clock, and the times written from it, stay within it.
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def _real_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """Real time plus an offset, or a frozen moment. `source` is a seam for tests.

    The state is one (frozen, offset) tuple swapped in a single assignment, so `now()` needs no lock and
    never sees half of a change (a frozen moment with a stale offset)."""

    def __init__(self, source=_real_now):
        self._source = source
        self._lock = threading.Lock()  # serialises writers only
        self._state: tuple[datetime | None, timedelta] = (None, timedelta(0))

    def now(self) -> datetime:
        frozen, offset = self._state
        if frozen is not None:
            return frozen
        try:
            return self._source() + offset
        except OverflowError:  # only after running for a day from LATEST: the end of time, not a 500
            return datetime.max.replace(tzinfo=UTC)

    @property
    def frozen(self) -> bool:
        return self._state[0] is not None

    def freeze(self, moment: datetime | None = None) -> None:
        """Stop at `moment` (default: now)."""
        with self._lock:
            self._state = (_within_range(moment) if moment is not None else self.now(), timedelta(0))

    def run_from(self, moment: datetime) -> None:
        """Run (not frozen) with `moment` as the current time."""
        with self._lock:
            self._state = (None, _within_range(moment) - self._source())

    def resume(self) -> None:
        """Run again from real time (no offset)."""
        with self._lock:
            self._state = (None, timedelta(0))

    def advance(self, seconds: float) -> None:
        """Move the clock (frozen or running) by `seconds`; 400 when that leaves the datetime range."""
        with self._lock:
            frozen, offset = self._state
            try:
                step = timedelta(seconds=seconds)
                if frozen is not None:
                    self._state = (_within_range(frozen + step), offset)
                else:
                    _within_range(self._source() + offset + step)  # fail here, not in every later now()
                    self._state = (None, offset + step)
            except OverflowError:
                raise BadRequest(f"Advancing by {seconds} seconds leaves the range of dates") from None

    def to_json(self) -> dict:
        return {"now": iso(self.now()), "frozen": self.frozen}


def _within_range(moment: datetime) -> datetime:
    if moment > LATEST:
        raise BadRequest(f"The clock cannot go past {iso(LATEST)} (the end of the range of dates is a day on); "
                         f"{iso(moment)} was asked for")
    return moment
