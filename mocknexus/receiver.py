"""WebhookReceiver: a webhook receiver on loopback that records what it got, for tests (stdlib only)."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 * 1024 * 1024


@dataclass
class Received:
    """One POST as the receiver got it: the exact body bytes (for the signature), and the body as JSON."""

    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.json["data"]["entities"][0]["event"]

    @property
    def entity(self) -> dict:
        return self.json["data"]["entities"][0]["entity"]


class WebhookReceiver:
    """`with WebhookReceiver() as receiver: receiver.url`. Answers each POST with the next of `statuses`
    (then `status`, default 200) after `delay` seconds; `received` holds every POST, oldest first."""

    def __init__(self, status: int = 200, statuses=(), delay: float = 0.0, host: str = "127.0.0.1"):
        self.status, self.statuses, self.delay = status, list(statuses), delay
        self.received: list[Received] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhook"

    def start(self) -> "WebhookReceiver":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mocknexus-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Received]:
        """Block until `count` POSTs have arrived; AssertionError (with what did arrive) at the timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.received)} of {count} webhook POSTs arrived within {timeout} s")
                self._changed.wait(remaining)
            return list(self.received)

    def _answer(self, received: Received) -> int:
        with self._changed:
            self.received.append(received)
            self._changed.notify_all()
            return self.statuses.pop(0) if self.statuses else self.status

    def __enter__(self) -> "WebhookReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _handler(receiver: WebhookReceiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802  (http.server's name)
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            body = self.rfile.read(length)
            status = receiver._answer(Received(self.path, dict(self.headers), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # quiet: a test's output is for the test
            pass

    return Handler
