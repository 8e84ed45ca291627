"""The access log of `mocknexus serve`: one line per request on stdout, written in batches by a thread."""

import collections
import sys
import threading
import time

from mocknexus.web.http import header_safe, wsgi_text


class AccessLog:
    """A request only appends its line; a daemon thread writes what has gathered every `interval` seconds,
    in one write. Writing each line itself cost a request a system call and, worse, gave up the GIL in the
    middle of its answer (with PYTHONUNBUFFERED or a line-buffered stdout every line is a write): under
    load, another request then ran first and this one's answer waited (in the benchmark: ~5-10% of
    requests/s, and p99). Lines reach stdout at most `interval` later, in order; flush() empties it now."""

    def __init__(self, interval: float = 0.1, out=None):
        self.interval = interval
        self.out = out  # where lines go (an output.Outlet under `mocknexus serve`); None: sys.stdout
        self._lines: collections.deque[str] = collections.deque()  # append and popleft are thread-safe
        self._flusher: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stamp: tuple[int, str] = (-1, "")

    def request(self, req, status: int) -> None:
        self._lines.append(f'{req.remote_addr} - [{self._time()}] "{req.method} {header_safe(_full_path(req))}" '
                           f'{status}\n')
        if self._flusher is None:
            self._start()

    def flush(self) -> None:
        lines = self._lines
        out = []
        while lines:
            out.append(lines.popleft())
        if out:
            stream = self.out or sys.stdout  # looked up now: tests and embedders swap it
            stream.write("".join(out))
            stream.flush()

    def _start(self) -> None:
        with self._start_lock:
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._run, name="mocknexus-access-log", daemon=True)
                self._flusher.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()

    def _time(self) -> str:
        """time.strftime of the line, formatted once per second (under load, many lines share it)."""
        now = int(time.time())
        if self._stamp[0] != now:
            self._stamp = (now, time.strftime("%d/%b/%Y %H:%M:%S", time.localtime(now)))
        return self._stamp[1]


def _full_path(req) -> str:
    """The path and query as sent; not werkzeug's full_path, which fails on a query that is not UTF-8."""
    query = req.environ.get("QUERY_STRING")
    return f"{req.path}?{wsgi_text(query)}" if query else req.path
