"""MockNexus: the app on waitress in a background thread; binds in start(), so port 0 works and errors surface."""

import functools
import sys
import threading
import time
from os import PathLike

from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ThreadedTaskDispatcher
from waitress.utilities import queue_logger

from mocknexus.core.config import ServerConfig, WorldSettings
from mocknexus.serving import inline, peers, wire
from mocknexus.web.app import create_app
from mocknexus.web.routing import body_limit


class ServerError(Exception):
    """The server could not start (port in use, bad host)."""


def make_server(app, config: ServerConfig):
    """A bound waitress server (raises ServerError when it cannot bind)."""
    # Slow and dead clients: waitress reads requests in its I/O thread and hands a worker only a
    # complete one, so a client that sends half a request and stalls never holds a worker; it holds
    # a connection slot (connection_limit: --max-connections) and a file descriptor until its head or body
    # deadline (peers.py) or, idle between requests, channel_timeout. 30 s
    # frees those soon after a stall yet is far above any pause a live client makes mid-request, and
    # above the idle time between a test's requests on a kept-alive connection (closing those early
    # invites a reuse race in clients). cleanup_interval=1 checks for expired channels every second,
    # so the bound is channel_timeout + 1 s. A request being served (fault delays, journal waits) is
    # never cut by it: waitress only expires channels without a request in progress.
    sockets, workers = {}, _Workers()
    try:
        server = create_server(app, map=sockets, _dispatcher=workers, host=config.host, port=config.port,
                               threads=config.threads, ident="mocknexus", clear_untrusted_proxy_headers=True,
                               channel_timeout=config.channel_timeout, cleanup_interval=1,
                               connection_limit=config.max_connections, asyncore_use_poll=True,
                               max_request_body_size=1 << 62)  # bodies are sized by peers.Request
    except OSError as exc:
        wasyncore.close_all(sockets, ignore_all=True)  # the socket and trigger pipe made before bind() failed
        raise ServerError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
    except ValueError:  # waitress's word for a host that getaddrinfo cannot resolve ("Invalid host/port")
        raise ServerError(f"cannot listen on {config.host}:{config.port}: no such address "
                          "(the host does not resolve)") from None
    workers.set_thread_count(config.threads)  # only once bound, so a failed bind leaves no thread behind
    limits = peers.Limits(functools.partial(body_limit, app.extensions["mocknexus"]), config.head_timeout,
                          config.body_timeout)
    peers.install(server, limits, config.max_connections)
    return wire.install(server)  # connections served by wire.FaultChannel: reset/truncate faults reach them


class _Workers(inline.Dispatcher, ThreadedTaskDispatcher):
    """waitress's worker pool, keeping its threads so MockNexus.stop() can join them (shutdown() returns
    while they are still ending), saying that requests wait for a thread at most every 10 s, and leaving
    small vendor requests to the I/O thread while it is idle (inline.py)."""

    def __init__(self):
        super().__init__()
        self.started: list[threading.Thread] = []
        self.queue_logger = QueueWarnings(queue_logger)

    def start_new_thread(self, target, thread_no):
        thread = threading.Thread(target=target, args=(thread_no,), name=f"mocknexus-worker-{thread_no}", daemon=True)
        self.started.append(thread)
        thread.start()


class QueueWarnings:
    """waitress warns "Task queue depth is N" each time a request has to wait for a free worker thread: under
    a load test, for one request in ten or more, each a log record and a write to stderr made while waitress
    holds its task-queue lock, which the workers wait for (2-4% of the benchmark's requests/s). This
    says the same in one line at most every `interval` seconds, with how many waited."""

    def __init__(self, logger, interval: float = 10.0, clock=time.monotonic):
        self.logger, self.interval, self.clock = logger, interval, clock
        self.waited = self.deepest = 0
        self.quiet_until = float("-inf")

    def warning(self, message: str, depth: int) -> None:
        """Called as waitress calls its queue logger, always under its task-queue lock."""
        self.waited += 1
        self.deepest = max(self.deepest, depth)
        now = self.clock()
        if now >= self.quiet_until:
            self.logger.warning("%d request(s) waited for a free worker thread, up to %d at once (said at most every "
                                "%g s; --threads sets how many)", self.waited, self.deepest, self.interval)
            self.waited = self.deepest = 0
            self.quiet_until = now + self.interval


# Seconds in-flight requests get after SIGTERM to be answered. With the 0.1 s it takes to notice the signal,
# and cli.py skipping the interpreter's teardown, exit stays well under the 1 s of §4 on a busy 2-core box.
SHUTDOWN_GRACE = 0.4


def run_until_stopped(server, stopping: threading.Event, grace: float = SHUTDOWN_GRACE) -> None:
    """Serve until `stopping` is set (cli.py sets it on SIGTERM/SIGINT), then stop in bounded time: stop
    accepting, let in-flight requests be answered for up to `grace` seconds, close every connection.
    A flag rather than KeyboardInterrupt: an exception raised mid-parse would corrupt a request that is
    then still served. (waitress's own run() waits up to 5 s for busy workers, never sending their answers.)"""
    sockets = _sockets(server)
    loop = functools.partial(wasyncore.loop, map=sockets, use_poll=server.adj.asyncore_use_poll, count=1)
    while not stopping.is_set():
        loop(timeout=0.1)  # how soon a signal is noticed (select() resumes after a handler, PEP 475)
    for listener in _listeners(sockets):
        wasyncore.dispatcher.close(listener)  # the listening socket only: the trigger still wakes the loop
    deadline = time.monotonic() + grace
    while (_in_flight(sockets) or server.parking.held) and time.monotonic() < deadline:
        loop(timeout=0.05)
    server.task_dispatcher.set_thread_count(0)  # idle workers end now; busy ones are daemons: no waiting
    server.parking.stop()  # requests still held are closed with the rest
    wasyncore.close_all(sockets, ignore_all=True)


def _in_flight(sockets: dict) -> bool:
    """A connection with a request being served or an answer not yet sent."""
    return any(getattr(d, "requests", None) or getattr(d, "total_outbufs_len", 0) for d in list(sockets.values()))


class MockNexus:
    """`with MockNexus(fixtures=[...], port=0) as nexus: nexus.url` — the same server, in a thread.

    start() binds before it returns (a port in use raises ServerError here, in the caller); stop() ends the
    I/O thread and the workers and closes every socket, in a few milliseconds when no request is in flight."""

    def __init__(self, fixtures=(), port: int = 0, host: str = "127.0.0.1", threads: int = 8,
                 api_keys=(), seed=None, journal_size: int = 10000, max_namespaces: int = 1000,
                 allow_header_faults: bool = False, admin_token=None, **settings):
        self.config = ServerConfig(
            host=host, port=port, threads=threads, fixtures=_paths(fixtures), api_keys=_paths(api_keys),
            settings=WorldSettings(**settings), seed=seed, journal_size=journal_size,
            max_namespaces=max_namespaces, allow_header_faults=allow_header_faults, admin_token=admin_token,
        )
        self.app = create_app(self.config)
        self._server = None
        self._thread = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self._address()[1])

    @property
    def root(self) -> str:
        host = self._address()[0]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.root + "/nexus/v3"

    @property
    def errors(self) -> list:
        """Unexpected exceptions raised while serving requests (each answered with a 500), oldest first."""
        return self.app.extensions["mocknexus.errors"]

    def drop_namespace(self, name: str) -> bool:
        """DELETE /__admin/namespaces/{name} without the HTTP round trip (the pytest fixture's teardown)."""
        return self.app.extensions["mocknexus"].drop(name)

    def start(self) -> "MockNexus":
        if self._server is not None:
            raise RuntimeError("this MockNexus is already running")
        server = make_server(self.app, self.config)
        self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(target=self._serve, args=(_sockets(server),), daemon=True,
                                        name=f"mocknexus-{self.port}")
        self._thread.start()
        return self

    def _serve(self, sockets: dict) -> None:
        # waitress's run() polls with a 1 s timeout and ends only when every socket is closed; this loop
        # ends as soon as stop() sets the event and pulls a trigger, which wakes the poll.
        while sockets and not self._stopping.is_set():
            wasyncore.loop(timeout=1, map=sockets, use_poll=True, count=1)

    def stop(self, grace: float = 1.0) -> None:
        """Stop serving; requests in flight get up to `grace` seconds, idle workers end at once; pending webhook
        deliveries are dropped (counted on stderr) and none is sent after."""
        server, self._server = self._server, None
        if server is None:
            return
        close_worlds(self.app)
        sockets = _sockets(server)
        listeners = _listeners(sockets)
        self._stopping.set()
        listeners[0].pull_trigger()
        self._thread.join(grace)
        server.parking.stop()
        workers = server.task_dispatcher
        workers.shutdown(timeout=grace)
        deadline = time.monotonic() + grace
        for worker in workers.started:
            worker.join(max(0.0, deadline - time.monotonic()))
        # Sockets close only now that the loop and the workers have ended: a worker pulls the trigger after
        # each response, and a write to a closed (perhaps already reused) pipe fd would hit someone else's file.
        for listener in listeners:
            listener.trigger._physical_pull = _no_pull
        wasyncore.close_all(sockets, ignore_all=True)

    def _address(self) -> tuple:
        server = self._server
        if server is None:
            raise RuntimeError("this MockNexus is not running: call start() or use it in a `with` block")
        # A host name with several addresses ("localhost") gives waitress's MultiSocketServer.
        listen = getattr(server, "effective_listen", None)
        return listen[0] if listen else (server.effective_host, server.effective_port)

    def __enter__(self) -> "MockNexus":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def close_worlds(app) -> None:
    """The server stops: no webhook delivery goes out after this; the pending ones are dropped and counted."""
    dropped = app.extensions["mocknexus"].close()
    if dropped:
        try:
            print(f"mocknexus: {dropped} pending webhook deliver{'y' if dropped == 1 else 'ies'} dropped at shutdown",
                  file=sys.stderr, flush=True)
        except (OSError, ValueError):  # stderr closed or gone: the line is dropped, the shutdown goes on (§9)
            pass


def _paths(given) -> list:
    """A list from a list, or from one path or key given alone (so "fixtures/" is not read letter by letter)."""
    return [given] if isinstance(given, str | PathLike) else list(given)


def _sockets(server) -> dict:
    """The socket map of a waitress server, one listener or several."""
    return getattr(server, "_map", None) or server.map


def _listeners(sockets: dict) -> list:
    """The listening sockets in a socket map (the rest are connections and the trigger)."""
    return [d for d in sockets.values() if isinstance(d, BaseWSGIServer)]


def _no_pull() -> None:
    """A stopped server's trigger: a worker still running after stop()'s grace pulls nothing."""
