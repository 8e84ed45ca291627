"""The request journal: a bounded ring of request records; its bell rings on every change, for waits."""

import json
import threading
from collections import deque

from mocknexus.core import strictjson
from mocknexus.core.hold import Bell, Hold
from mocknexus.state.patterns import Pattern
from mocknexus.state.reaper import REAPER

BODY_LIMIT = 64 * 1024  # the most of a body a record keeps; a longer one is kept as its first BODY_HEAD bytes
BODY_HEAD = 1024
MATCH_KEYS = ("operation", "method", "path", "status", "service")


def matcher(match: dict):
    """A predicate over records for the keys of §2.2: operation, method, path (a pattern, patterns.py), status,
    service."""
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
        tests.append(lambda r, search=Pattern(match["path"]).search: search(r["path"]))
    return lambda record: all(test(record) for test in tests)


_NOT_HEADERS = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})
_CONTENT = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
# environ key -> header name, or "" for a key that is no header; a handful of keys in practice, and bounded
# for hostile clients (a key not kept is worked out again each time).
_NAMES: dict[str, str] = {}


def _header_name(key: str) -> str:
    is_header = (key.startswith("HTTP_") and key not in _NOT_HEADERS) or key in _CONTENT
    name = (key[5:] if key.startswith("HTTP_") else key).replace("_", "-").title() if is_header else ""
    if len(_NAMES) < 1024:
        _NAMES[key] = name
    return name


def request_headers(environ: dict) -> dict:
    """The request's headers as a record keeps them: exactly dict(werkzeug's EnvironHeaders) (same names,
    values and order, the last of two names that title-case alike), in one pass with the names cached."""
    out, names = {}, _NAMES
    for key, value in environ.items():
        name = names.get(key)
        if name is None:
            name = _header_name(key)
        if name and (value or key not in _CONTENT):
            out[name] = value
    return out


def decode_body(raw: bytes, size: int | None = None):
    """A request body as the journal keeps it: parsed JSON when it is strict JSON (§9), else text; None when
    empty. Over BODY_LIMIT (`size`: the whole length when `raw` is only the start), only its head (§9)."""
    size = len(raw) if size is None else size
    if not size:
        return None
    if size > BODY_LIMIT:
        return {"truncated": True, "bytes": size, "head": raw[:BODY_HEAD].decode("utf-8", "replace")}
    text = raw.decode("utf-8", "replace")
    try:
        body = strictjson.loads(text)
        if strictjson.too_deep(body, text):  # kept parsed, it could not be written back out
            return text
        # A lone surrogate escape ("\ud800") parses but can never be written out as UTF-8: keep the text.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
        return body
    except (ValueError, RecursionError):  # UnicodeEncodeError and NotStrictJson are ValueErrors
        return text


class Journal:
    """Keeps the newest `size` records; `bell` rings after every add and clear (waits listen to it).

    Records are never changed once added, so callers may serialise them outside the lock."""

    def __init__(self, size: int = 10000):
        self.size = size
        self._records: deque = deque(maxlen=size)
        self._last_id = 0
        self._generation = 0  # bumped by clear(): waiters then rescan instead of scanning only what is new
        self._lock = threading.Lock()
        self.bell = Bell()

    def __len__(self) -> int:
        return len(self._records)

    def add(self, record: dict) -> None:
        with self._lock:
            self._last_id += 1
            record["id"] = self._last_id
            self._records.append(record)
        self.bell.ring()

    def clear(self, restart_ids: bool = False) -> None:
        """Empty it (the old records are freed in the background); `restart_ids` as at start (reset)."""
        with self._lock:
            old, self._records = self._records, deque(maxlen=self.size)
            if restart_ids:
                self._last_id = 0
            self._generation += 1
        self.bell.ring()
        REAPER.discard(old)

    def find(self, match: dict | None = None, limit: int | None = None, since: int | None = None) -> list[dict]:
        """Matching records, oldest first; with `limit`, the newest `limit` of them; with `since`, only those
        with a higher id (read from the newest end, so a page following the journal pays for what is new)."""
        test = matcher(match or {})
        with self._lock:
            found = [r for r in (self._records if since is None else self._since(since)) if test(r)]
        return found[-limit:] if limit else found

    def waiter(self, match: dict, count: int = 1) -> "Waiter":
        """The condition "`count` records match" for a Hold on `bell` (core/hold.py)."""
        return Waiter(self, matcher(match), count)

    def wait(self, match: dict, count: int = 1, timeout: float = 5.0) -> tuple[bool, list[dict]]:
        """Block the calling thread until `count` matching records exist or `timeout` passes; (met, records)."""
        waiter = self.waiter(match, count)
        met = Hold(timeout, waiter.ready, self.bell).wait()
        return met, waiter.found

    def _since(self, last_id: int) -> list[dict]:
        """Records with an id above `last_id`, oldest first (walks back from the newest end only)."""
        new = []
        for record in reversed(self._records):
            if record["id"] <= last_id:
                break
            new.append(record)
        new.reverse()
        return new

    def _forget_evicted(self, found: list) -> None:
        oldest = self._records[0]["id"] if self._records else self._last_id + 1
        while found and found[0]["id"] < oldest:
            found.pop(0)


class Waiter:
    """`ready()`: are `count` matching records in the journal? `found` holds them, oldest first. Each check
    after the first tests only the records added since the one before (all of them again after a clear).
    Checked by one thread at a time (whoever holds the request)."""

    def __init__(self, journal: Journal, test, count: int):
        self.journal, self.test, self.count = journal, test, count
        self.generation, self.seen, self.found = None, 0, []

    def ready(self) -> bool:
        journal, test = self.journal, self.test
        with journal._lock:
            if self.generation != journal._generation:
                self.generation, self.found = journal._generation, [r for r in journal._records if test(r)]
            else:
                self.found.extend(r for r in journal._since(self.seen) if test(r))
                journal._forget_evicted(self.found)
            self.seen = journal._last_id
        return len(self.found) >= self.count
