"""What a peer may cost (§9): a head within 10 s, a body within 30 s, a body size known before it is read,
and at most --max-connections connections, with the file descriptors they need.

waitress reads requests in its I/O thread with a parser per request (`channel.request`) and closes a
connection only after `channel_timeout` without a byte: one byte a second kept a connection forever.
`Request` (the parser) notes when its head began and ended; `install` adds to the server's once-a-second
maintenance a check of those deadlines: a late request gets a JSON 408 (wire.JsonErrorTask) and is closed.
The parser also learns the body's limit from the path once the head is in (web/routing.py's body_limit):
a Content-Length over it means the body is never read: the request goes to the app with an empty body (the
app answers 413 after its key check, §1.3, and journals it) and the connection is closed after the answer;
a chunked body is cut off at the limit with a 413.
"""

import resource
import sys
import time

from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.utilities import BadRequest, RequestEntityTooLarge

SPARE_FILES = 64  # descriptors kept for everything but connections: listeners, trigger, stdio, files


class RequestTimedOut(BadRequest):
    code = 408
    reason = "Request Timeout"


class Limits:
    """The per-server limits the parsers and the maintenance read (server.adj.peer_limits)."""

    def __init__(self, body_limit, head_timeout: float, body_timeout: float):
        self.body_limit, self.head_timeout, self.body_timeout = body_limit, head_timeout, body_timeout


class Request(HTTPRequestParser):
    """waitress's parser, timed, with the body's limit decided from the path before the body is read."""

    held_task = None  # the task parked on this request (wire.py, parking.py)
    unread = False  # the body was over the limit by its Content-Length and is not read
    head_done = None
    limit = None

    def __init__(self, adj):
        super().__init__(adj)
        self.started = time.monotonic()  # the parser is made with the request's first bytes

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        self.head_done = time.monotonic()
        self.limit = self.adj.peer_limits.body_limit(self.path)
        if self.content_length > self.limit and not self.chunked:
            self.unread, self.body_rcv = True, None  # received() then completes the request without a body
            self.expect_continue = False  # and no "100 Continue" invites a body that will not be read

    def received(self, data):
        consumed = super().received(data)
        body = self.body_rcv
        if self.chunked and body is not None and self.error is None and len(body) > self.limit:
            self.error = RequestEntityTooLarge(f"the request body is over the limit of {self.limit} bytes")
            self.completed = True  # what was read of it is freed with the request; the connection closes
        return consumed


def install(server, limits: Limits, max_connections: int):
    """Time every request of this server (one socket or several), cap its connections."""
    adj = server.adj
    adj.peer_limits = limits
    adj.connection_limit = file_room(max_connections)
    for listener in listeners(server):
        listener.maintenance = _with_deadlines(listener, listener.maintenance)
    return server


def _with_deadlines(listener, maintenance):
    def with_deadlines(now):
        maintenance(now)  # waitress's: idle connections, after channel_timeout
        late_requests(listener, time.monotonic())

    return with_deadlines


def late_requests(listener, now: float) -> None:
    """408 and close for every connection whose request head or body is late (the I/O thread, every second)."""
    limits = listener.adj.peer_limits
    for channel in list(listener.active_channels.values()):
        request = channel.request
        if request is None or channel.requests or not isinstance(request, Request):
            continue  # idle (waitress's timeout), or being served or held (never cut)
        if request.head_done is None:
            late, what = now - request.started > limits.head_timeout, f"head within {limits.head_timeout:g} s"
        else:
            late, what = now - request.head_done > limits.body_timeout, f"body within {limits.body_timeout:g} s"
        if late:
            _time_out(channel, f"the request {what} did not arrive in full")


def _time_out(channel, message: str) -> None:
    """Answer the channel's half-received request with a 408, then close (as waitress answers a bad one)."""
    with channel.requests_lock:
        if channel.requests or channel.will_close or channel.close_when_flushed:
            return
        channel.request.close()
        answer = Request(channel.adj)
        answer.error, answer.completed = RequestTimedOut(message), True
        channel.request = None
        channel.requests.append(answer)
        channel.server.add_task(channel)


def file_room(connections: int) -> int:
    """Raise the soft RLIMIT_NOFILE toward the hard one until `connections` sockets fit; the number that
    fit. When the hard limit is lower, serve fewer and say so once on stderr."""
    need = connections + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        wanted = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= need:
        return connections
    room = max(soft - SPARE_FILES, 1)
    print(f"mocknexus: warning: --max-connections {connections} needs {need} open files, but this process may "
          f"open only {soft} (ulimit -n; hard limit {hard}): serving at most {room} connections at once",
          file=sys.stderr, flush=True)
    return room


def listeners(server) -> list:
    """The listening dispatchers of a waitress server, one socket or several."""
    sockets = server.map if isinstance(server, MultiSocketServer) else server._map
    return [dispatcher for dispatcher in list(sockets.values()) if isinstance(dispatcher, BaseWSGIServer)]
