"""The webhook sender (§6): a small pool of threads, off the request path, posting with the standard http.client."""

import hashlib
import heapq
import hmac
import http.client
import itertools
import threading
import time
from urllib.parse import urlsplit

MAX_THREADS = 16  # at most this many receivers are being posted to at once, per server
ANSWER_READ = 64 * 1024  # of a receiver's answer body, at most this much is read (and none of it kept)
IDLE_SECONDS = 30.0  # a sender thread with nothing to do for this long ends


def signature(secret: str, payload: bytes) -> str:
    """X-Hub-Signature: sha1=<hex HMAC-SHA1 of the exact body bytes, keyed with the secret>."""
    return "sha1=" + hmac.new(secret.encode("utf-8"), payload, hashlib.sha1).hexdigest()


def post(url: str, payload: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
    """One POST: (status, None) when the receiver answered, (None, what went wrong) when it did not."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", target, body=payload, headers=headers)
        answer = connection.getresponse()
        answer.read(ANSWER_READ)  # let a well-behaved receiver finish; the rest is not waited for
        return answer.status, None
    except TimeoutError:
        return None, f"no answer within {timeout * 1000:g} ms"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300]
    finally:
        connection.close()


class Sender:
    """Runs `lane.work()` for lanes (one webhook's queue each) on up to MAX_THREADS threads: at once when
    submitted, or after a delay (a retry). A lane is only ever submitted by the one that holds its turn, so one
    webhook never has two posts in flight. Threads start on first use and end when idle; close() stops it all."""

    def __init__(self, max_threads: int = MAX_THREADS, clock=time.monotonic):
        self.max_threads = max_threads
        self.clock = clock
        self.closed = False
        self._changed = threading.Condition()
        self._ready: list = []  # heap of (due, n, lane)
        self._order = itertools.count()
        self._threads = 0
        self._idle = 0

    def submit(self, lane, delay: float = 0.0) -> bool:
        """Run `lane.work()` after `delay` seconds; False once closed (nothing runs any more)."""
        with self._changed:
            if self.closed:
                return False
            heapq.heappush(self._ready, (self.clock() + delay, next(self._order), lane))
            if self._idle < len(self._ready) and self._threads < self.max_threads:  # more due work than idle threads
                self._threads += 1
                threading.Thread(target=self._work, name="mocknexus-webhooks", daemon=True).start()
            else:
                self._changed.notify()
            return True

    def close(self) -> None:
        """Nothing starts after this; a post already on the wire finishes on its own (its thread then ends)."""
        with self._changed:
            self.closed = True
            self._ready.clear()
            self._changed.notify_all()

    def _work(self) -> None:
        while True:
            lane = self._next()
            if lane is None:
                return
            lane.work(self)

    def _next(self):
        """The next lane that is due, waiting for one; None when closed or idle too long (the thread ends)."""
        with self._changed:
            idle_until = self.clock() + IDLE_SECONDS
            while not self.closed:
                now = self.clock()
                if self._ready and self._ready[0][0] <= now:
                    return heapq.heappop(self._ready)[2]
                if now >= idle_until and not self._ready:
                    break
                wait = min(self._ready[0][0] - now, idle_until - now) if self._ready else idle_until - now
                self._idle += 1
                try:
                    self._changed.wait(wait)
                finally:
                    self._idle -= 1
            self._threads -= 1
            return None
