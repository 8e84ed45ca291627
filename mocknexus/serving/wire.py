"""Network-level faults (§2.4 `reset`, `truncate`): how the app reaches its own connection inside waitress.

WSGI gives an application the request and a way to answer it, never the socket. In waitress every request is
served by a task (`waitress.task.WSGITask`) that belongs to the channel (`waitress.channel.HTTPChannel`, one
per connection) holding the socket; the task builds the environ, calls the app, and writes what the app
returns through `task.write`, and the channel closes the socket when the task sets `close_on_finish`.
So the cleanest seam is a task subclass, installed through waitress's own extension points (the server's
`channel_class`, the channel's `task_class`), with no patching of waitress's modules:

- `get_environment` puts a `Wire` in the environ under `WIRE`; the app sets `wire.fault` while answering.
- `reset`: `write` swallows the whole response, then the socket gets SO_LINGER 0 and is closed, so the
  kernel sends an RST and the client reads no byte of a response ("connection reset by peer").
- `truncate`: the status line, the headers (with the true Content-Length) and the first half of the body go
  out, then the connection is closed: the client is left short of the length it was promised.

The worker thread returns as soon as the response is handled, exactly as for a normal one; only the closing
is different, and the closing is done by waitress's I/O loop as usual. Under the Flask test client there is
no `WIRE` in the environ, and the app answers a 500 saying so instead (inject.py).
(`garbage` needs none of this: a 200 with a body that is not JSON is an ordinary WSGI response.)

Without a fault, the task sends an answer whose body comes whole (every answer of the app) in one write with
its headers, where waitress sends them apart: one system call, one hand-over of the GIL, fewer per answer.
"""

import json
import socket
import struct
import threading

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask, WSGITask

from mocknexus.serving import inline
from mocknexus.serving.parking import PARK, Middleware, Parked, Parking
from mocknexus.serving.peers import Request, listeners
from mocknexus.state.faults import WIRE

_RST_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 seconds: close() sends RST, not FIN


class Wire:
    """The app's handle on its connection for one request: set `fault` to "reset" or "truncate"."""

    fault: str | None = None


class FaultTask(WSGITask):
    """A WSGITask that can drop or cut its response when the app asks through the environ's Wire, and sends
    a whole answer in one write."""

    wire = Wire()  # replaced per request in get_environment; this one never carries a fault
    hold = held_body = None  # a held request's Hold, and its answer while parked (parking.py)

    def get_environment(self):
        environ = super().get_environment()
        if WIRE not in environ:
            self.wire = environ[WIRE] = Wire()
            environ[PARK] = self
            if self.request.unread:  # its body is still on the socket (peers.py): no next request there
                self.set_close_on_finish()
        return environ

    def __call__(self, hold) -> None:
        """environ[PARK]: the app asks for this request to be parked until `hold` is over."""
        self.hold = hold

    def write(self, data):
        fault = self.wire.fault
        if fault is None:
            if self.wrote_header or not self._whole(data):
                return super().write(data)
            # The status line, the headers and the body in one send. waitress sends the headers and each body
            # chunk as they come, each send a system call that gives up the GIL: between the two, other
            # requests' threads ran first and this answer's body waited (a tail-latency cost under load).
            head = self.build_response_header()
            self.wrote_header = True
            self.content_bytes_written = len(data)
            self.channel.write_soon(head + data)
            return None
        if fault == "reset":
            self.content_bytes_written += len(data)  # nothing reaches the client, and waitress need not warn
            return None
        keep = max((self.content_length or 0) // 2 - self.content_bytes_written, 0)
        super().write(data[:keep])  # the first call sends the status line and headers too
        self.content_bytes_written += len(data) - len(data[:keep])
        return None

    def _whole(self, data) -> bool:
        """Is `data` the whole body its Content-Length promised, in a response that has a body?"""
        return bool(data) and self.complete and self.content_length == len(data) and self.has_body \
            and not self.chunked_response

    def finish(self):
        fault = self.wire.fault
        if fault == "reset":
            try:
                self.channel.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST_ON_CLOSE)
            except OSError:
                pass  # the client has gone already: the connection is as dropped as a reset would leave it
        else:
            super().finish()
        if fault is not None:
            self.close_on_finish = True  # the channel closes the socket once what was written is flushed


class JsonErrorTask(ErrorTask):
    """waitress's own answer to a request it cannot parse (bad start line or header, invalid Content-Length
    or chunk, unsupported Transfer-Encoding, headers too large): the §1.1 envelope instead of text/plain."""

    def execute(self):
        error = self.request.error
        body = json.dumps({"status": {"code": error.code, "message": f"{error.reason}: {error.body}"}}).encode() + b"\n"
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class FaultChannel(inline.Channel, HTTPChannel):
    parser_class = Request  # timed, its body's size known before it is read (peers.py)
    error_task_class = JsonErrorTask
    unmapped = False  # out of the I/O loop's map while held (below)

    @staticmethod
    def task_class(channel, request):
        """A new task for a request, or the parked one when its hold is over (parking.py)."""
        return getattr(request, "held_task", None) or FaultTask(channel, request)

    def service(self):
        try:
            super().service()
        except Parked as parked:  # the request waits for its hold without this thread
            self.requests[0].held_task = parked.task
            with self.outbuf_lock:  # the answers before it (pipelined) go out now, not after the hold
                self._flush_exception(self._flush_some, do_close=False)
            self._unmap()
            self.server.parking.park(parked.task.hold, self._resume, self._remap)

    def _resume(self) -> None:
        self._remap()
        self.server.add_task(self)

    # waitress's I/O loop asks every connection in its map, on every turn, whether it is readable or
    # writable: with 500 held ones, a turn took 2 ms and every other request waited for several. A held
    # connection has nothing to read or write, so it leaves the map while held; --max-connections still
    # counts it (waitress compares the map's size with connection_limit: the limit shrinks by one instead).
    # (One whose earlier answers the socket could not take yet stays, for the loop to send them.)
    def _unmap(self) -> None:
        with _MAPPING:
            if not self.total_outbufs_len and self._fileno in self._map:
                del self._map[self._fileno]
                self.adj.connection_limit -= 1
                self.unmapped = True

    def _remap(self) -> None:
        with _MAPPING:
            if self.unmapped:
                self._map[self._fileno] = self
                self.adj.connection_limit += 1
                self.unmapped = False


_MAPPING = threading.Lock()  # park (a worker) and resume (the parking thread) change the map and the limit


def install(server):
    """Serve every new connection of this waitress server (one socket or several) with FaultChannel, the
    app behind parking's Middleware, and one Parking for all its sockets (server.parking)."""
    server.parking = Parking()
    for listener in listeners(server):
        listener.channel_class = FaultChannel
        listener.application = Middleware(listener.application)
        listener.parking = server.parking
    return server
