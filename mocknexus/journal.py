"""The request journal: a bounded ring of request records, with a condition variable for wait()."""

import itertools
import re
import threading
import time
from collections import deque


def matcher(match: dict):
    """A predicate over records for the keys of §2.2: operation, method, path (a regex), status, service."""
    tests = []
    if match.get("operation") is not None:
        tests.append(lambda r, v=match["operation"]: r["operation"] == v)
    if match.get("method") is not None:
        tests.append(lambda r, v=match["method"].upper(): r["method"] == v)
    if match.get("status") is not None:
        tests.append(lambda r, v=int(match["status"]): r["status"] == v)
    if match.get("service") is not None:
        tests.append(lambda r, v=match["service"]: r["service"] == v)
    if match.get("path") is not None:
        tests.append(lambda r, rx=re.compile(match["path"]): rx.search(r["path"]) is not None)
    return lambda record: all(test(record) for test in tests)


class Journal:
    """Keeps the newest `size` records; `wait` blocks on a condition, woken by every `add`."""

    def __init__(self, size: int = 10000):
        self._records: deque = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._changed = threading.Condition()

    def __len__(self) -> int:
        return len(self._records)

    def add(self, record: dict) -> None:
        with self._changed:
            record["id"] = next(self._ids)
            self._records.append(record)
            self._changed.notify_all()

    def clear(self) -> None:
        with self._changed:
            self._records.clear()

    def find(self, match: dict | None = None, limit: int | None = None) -> list[dict]:
        test = matcher(match or {})
        with self._changed:
            found = [r for r in self._records if test(r)]
        return found[-limit:] if limit else found

    def wait(self, match: dict, count: int = 1, timeout: float = 5.0) -> tuple[bool, list[dict]]:
        """Block until `count` matching records exist or `timeout` passes; (met, matching records)."""
        test = matcher(match)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [r for r in self._records if test(r)]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    return len(found) >= count, found
                self._changed.wait(remaining)
