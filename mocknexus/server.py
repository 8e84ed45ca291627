"""MockNexus: the app on waitress in a background thread; binds in start(), so port 0 works and errors surface."""

import functools
import threading
import time

from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from mocknexus.app import create_app
from mocknexus.config import ServerConfig, WorldSettings


class ServerError(Exception):
    """The server could not start (port in use, bad host)."""


def make_server(app, config: ServerConfig):
    """A bound waitress server (raises ServerError when it cannot bind)."""
    # Slow and dead clients: waitress reads requests in its I/O thread and hands a worker only a
    # complete one, so a client that sends half a request and stalls never holds a worker; it holds
    # a connection slot (connection_limit, 100) and a file descriptor until channel_timeout. 30 s
    # frees those soon after a stall yet is far above any pause a live client makes mid-request, and
    # above the idle time between a test's requests on a kept-alive connection (closing those early
    # invites a reuse race in clients). cleanup_interval=1 checks for expired channels every second,
    # so the bound is channel_timeout + 1 s. A request being served (fault delays, journal waits) is
    # never cut by it: waitress only expires channels without a request in progress.
    try:
        return create_server(app, host=config.host, port=config.port, threads=config.threads,
                             ident="mocknexus", clear_untrusted_proxy_headers=True,
                             channel_timeout=config.channel_timeout, cleanup_interval=1,
                             max_request_body_size=1 << 30)
    except OSError as exc:
        raise ServerError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None


SHUTDOWN_GRACE = 0.5  # seconds in-flight requests get after SIGTERM: answered if they can be, exit < 1 s


def run_until_stopped(server, stopping: threading.Event, grace: float = SHUTDOWN_GRACE) -> None:
    """Serve until `stopping` is set (cli.py sets it on SIGTERM/SIGINT), then stop in bounded time: stop
    accepting, let in-flight requests be answered for up to `grace` seconds, close every connection.
    A flag rather than KeyboardInterrupt: an exception raised mid-parse would corrupt a request that is
    then still served. (waitress's own run() waits up to 5 s for busy workers, never sending their answers.)"""
    sockets = getattr(server, "_map", None) or server.map
    loop = functools.partial(wasyncore.loop, map=sockets, use_poll=server.adj.asyncore_use_poll, count=1)
    while not stopping.is_set():
        loop(timeout=0.1)  # how soon a signal is noticed (select() resumes after a handler, PEP 475)
    for listener in [d for d in sockets.values() if isinstance(d, BaseWSGIServer)]:
        wasyncore.dispatcher.close(listener)  # the listening socket only: the trigger still wakes the loop
    deadline = time.monotonic() + grace
    while _in_flight(sockets) and time.monotonic() < deadline:
        loop(timeout=0.05)
    server.task_dispatcher.shutdown(timeout=0.2)  # idle workers exit at once; busy ones are daemons
    wasyncore.close_all(sockets, ignore_all=True)


def _in_flight(sockets: dict) -> bool:
    """A connection with a request being served or an answer not yet sent."""
    return any(getattr(d, "requests", None) or getattr(d, "total_outbufs_len", 0) for d in list(sockets.values()))


class MockNexus:
    """`with MockNexus(fixtures=[...], port=0) as nexus: nexus.url` — the same server, in a thread."""

    def __init__(self, fixtures=(), port: int = 0, host: str = "127.0.0.1", threads: int = 8,
                 api_keys=(), seed=None, journal_size: int = 10000, max_namespaces: int = 1000,
                 allow_header_faults: bool = False, admin_token=None, **settings):
        self.config = ServerConfig(
            host=host, port=port, threads=threads, fixtures=list(fixtures), api_keys=list(api_keys),
            settings=WorldSettings(**settings), seed=seed, journal_size=journal_size,
            max_namespaces=max_namespaces, allow_header_faults=allow_header_faults, admin_token=admin_token,
        )
        self.app = create_app(self.config)
        self._server = None
        self._thread = None

    @property
    def port(self) -> int:
        return self._server.effective_port

    @property
    def root(self) -> str:
        host = self._server.effective_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.root + "/nexus/v3"

    def start(self) -> "MockNexus":
        self._server = make_server(self.app, self.config)
        self._thread = threading.Thread(target=self._server.run, name="mocknexus", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._thread.join(5)
            self._server = None

    def __enter__(self) -> "MockNexus":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
