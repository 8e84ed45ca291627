"""The virtual clock: real time, or frozen at a moment, or shifted; the only place that reads the time."""

import threading
from datetime import UTC, datetime, timedelta

from mocknexus.models import iso


def _real_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """Real time plus an offset, or a frozen moment. `source` is a seam for tests."""

    def __init__(self, source=_real_now):
        self._source = source
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return self._source() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def freeze(self, moment: datetime) -> None:
        with self._lock:
            self._frozen = moment

    def resume(self) -> None:
        """Run again from real time (no offset)."""
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)

    def to_json(self) -> dict:
        return {"now": iso(self.now()), "frozen": self.frozen}
