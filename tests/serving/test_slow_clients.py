"""Slow and dead clients (server.py's channel timeout): a stalled or vanished client holds no worker and
no one else waits for it; its connection is closed after the channel timeout."""

import socket
import struct
import threading
import time

import pytest
import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import BASE, FIXTURES, KEY, assert_ok

THREADS = 2
STALLED = 3 * THREADS  # more stalled clients than workers


@pytest.fixture
def server():
    """Two workers and a one-second channel timeout (the default, 30 s, would make this test slow)."""
    nexus = MockNexus(fixtures=[str(FIXTURES)], port=0, threads=THREADS)
    nexus.config.channel_timeout = 1
    with nexus:
        yield nexus


def _half_requests(port: int) -> list[bytes]:
    """Requests cut off at different points: mid request line, mid headers, mid body."""
    body = b'{"externalId": "stalled", "userData": {"Subject": "never finished"}}'
    head = (f"POST {BASE}/crm-tasks/interactions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"x-api-key: k\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    whole = head + body
    return [whole[:cut] for cut in (10, len(head) - 20, len(head), len(head) + 15)]


def _connect(port: int, data: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(data)
    return sock


def _works(nexus, n: int) -> None:
    """n creates, at once, each answered 200 within a generous bound."""
    results = []

    def create(i):
        response = requests.post(f"{nexus.url}/openmedia/crm-tasks/interactions", headers=KEY,
                                 json={"externalId": f"ok-{time.monotonic_ns()}-{i}"}, timeout=5)
        results.append(assert_ok(response)["state"])

    clients = [threading.Thread(target=create, args=(i,)) for i in range(n)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(10)
    assert results == ["queued"] * n


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_stalled_clients_hold_no_worker_and_are_closed(server):
    cuts = _half_requests(server.port)
    stalled = [_connect(server.port, cuts[i % len(cuts)]) for i in range(STALLED)]
    try:
        _works(server, 4 * THREADS)  # answered while every stalled connection is still open
        # Not forever: each is closed within channel_timeout + cleanup_interval (+ generous slack).
        assert all(_closed_by_server(sock, within=10) for sock in stalled)
    finally:
        for sock in stalled:
            sock.close()
    _works(server, THREADS)
    # None of the half requests reached the app.
    assert server.app.extensions["mocknexus"].default.store.live_count() == 2 + 5 * THREADS
    assert server.app.extensions["mocknexus.errors"] == []


@pytest.mark.parametrize("abort", [False, True], ids=["close", "reset"])
def test_clients_vanishing_mid_body_disturb_no_one(server, abort):
    world = server.app.extensions["mocknexus"].default
    before = world.store.live_count()
    for cut in _half_requests(server.port) * 2:
        sock = _connect(server.port, cut)
        if abort:  # RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    _works(server, 4 * THREADS)
    assert world.store.live_count() == before + 4 * THREADS
    assert server.app.extensions["mocknexus.errors"] == []


def test_waitress_gets_the_deliberate_timeouts(server):
    """The default (30 s, checked every second) reaches waitress; a config's own value does too."""
    from mocknexus.core.config import ServerConfig
    from mocknexus.serving.server import make_server

    default = make_server(server.app, ServerConfig(port=0))
    try:
        assert (default.adj.channel_timeout, default.adj.cleanup_interval) == (30, 1)
    finally:
        default.close()
    assert server._server.adj.channel_timeout == 1
