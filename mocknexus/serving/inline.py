"""Inline serving: a small vendor request is answered on waitress's I/O thread when no worker is busy.

waitress reads every request on its I/O thread and hands it to a worker thread: a queue, a condition
notify, a switch to the worker, the GIL handed over and back, a write to the trigger pipe so that the loop
sends the answer. On one core that hand-over cost about as much as the app's whole work for a get or a
create (the app needs 25-50 µs; a request on waitress 250 µs). A vendor operation never waits (a delay or
a wait is parked, parking.py) and costs what its small body costs, so the I/O thread may as well run it:
the worker pool is there for what may take long.

A request is served here only when all of these hold, and by a worker otherwise, as before:
- it is the I/O thread that asks (it has just read the request, or served the one before it on the same
  connection); a request resumed by the parking thread or queued by a worker goes to the pool;
- no worker is busy and none is queued: a worker may hold a lock the request needs (a namespace's store
  while a large `PUT /__admin/state` loads), and the I/O thread must never wait for one;
- the path is the vendor API's (never `/__admin`, the dashboard or `/openapi.json`) and its body is at most
  BODY bytes;
- the connection's answers not yet sent are under OUTPUT bytes: waitress makes a writer wait for the I/O
  thread when they pass its high-water mark, and the I/O thread cannot wait for itself;
- the I/O thread has spent under BUDGET serving this read's requests: a client pipelining requests (up to
  8 KiB of them in one read) or sending costly ones (a namespace with 1000 fault rules) has the rest served
  by workers, and the loop turns to the other connections.
"""

import threading
import time

from mocknexus.web.routing import NamespaceMiddleware

BODY = 64 * 1024  # parsing this much JSON takes well under a millisecond
OUTPUT = 1 << 20  # far below waitress's outbuf_high_watermark (16 MiB), above any answer but a huge one
BUDGET = 0.002  # seconds of one read's requests on the I/O thread; a get takes 30 µs
VENDOR = "/nexus/"


def vendor(path: str) -> bool:
    """Is `path` (as waitress parsed it) the vendor API's, in the default namespace or a named one?"""
    prefix = NamespaceMiddleware.PREFIX
    if path.startswith(prefix):
        path = path[path.find("/", len(prefix)):]
    return path.startswith(VENDOR)


class Channel:
    """Mixed into the HTTPChannel: what the dispatcher decided to run here is run after the read."""

    reader = None  # the thread that is reading this connection now (within handle_read)
    read_at = 0.0  # when it began to
    due = False  # a request of this connection is to be served by that thread

    def handle_read(self):
        self.reader, self.read_at = threading.get_ident(), time.perf_counter()
        try:
            super().handle_read()
            while self.due:  # service() may queue the next pipelined request: due again
                self.due = False
                self.service()
        finally:
            self.reader = None
        if self.total_outbufs_len and not self.requests:
            self.handle_write()  # the answer goes now, not on the loop's next turn (one poll fewer)


class Dispatcher:
    """Mixed into waitress's ThreadedTaskDispatcher: `add_task(channel)` serves here or queues."""

    def add_task(self, channel):
        if self.here(channel):
            channel.due = True
        else:
            super().add_task(channel)

    def here(self, channel) -> bool:
        # The counters are read without the dispatcher's lock: only the I/O thread asks here, and only it
        # and the parking thread queue work, so a worker found idle stays idle until this request is served
        # (a resumed held request can start one meanwhile: it holds a lock for microseconds).
        if channel.reader != threading.get_ident() or self.active_count or self.queue:
            return False
        request = channel.requests[0]
        return (request.error is None and request.content_length <= BODY and not request.chunked
                and vendor(request.path) and channel.total_outbufs_len < OUTPUT
                and time.perf_counter() - channel.read_at < BUDGET)
