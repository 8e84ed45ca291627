"""MockNexus: the app on waitress in a background thread; binds in start(), so port 0 works and errors surface."""

import threading

from waitress.server import create_server

from mocknexus.app import create_app
from mocknexus.config import ServerConfig, WorldSettings


class ServerError(Exception):
    """The server could not start (port in use, bad host)."""


def make_server(app, config: ServerConfig):
    """A bound waitress server (raises ServerError when it cannot bind)."""
    try:
        return create_server(app, host=config.host, port=config.port, threads=config.threads,
                             ident="mocknexus", clear_untrusted_proxy_headers=True,
                             channel_timeout=30, cleanup_interval=5, max_request_body_size=1 << 30)
    except OSError as exc:
        raise ServerError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None


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
