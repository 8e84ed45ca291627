"""Slow peers and body sizes (§9, serving/peers.py): late heads and bodies get a JSON 408 and are closed,
hundreds of slowloris connections keep no one from being served, a body over its limit is refused
without being read, and --max-connections gets the file descriptors it needs."""

import json
import socket
import threading
import time

import pytest
import requests

from mocknexus.serving import peers
from mocknexus.serving.server import MockNexus
from tests.conftest import BASE, FIXTURES, KEY, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"
SLOW = 300  # slowloris connections


@pytest.fixture
def server():
    """Deadlines of 1.5 s (the defaults, 10 s and 30 s, would make these tests slow)."""
    nexus = MockNexus(fixtures=[str(FIXTURES)], port=0, threads=4)
    nexus.config.head_timeout = nexus.config.body_timeout = 1.5
    nexus.config.max_admin_body = 1000
    with nexus:
        yield nexus


def _answer(sock: socket.socket, within: float = 10) -> tuple[int, dict, bool]:
    """(status, JSON body, closed after it) of the one answer the server sends on `sock`."""
    sock.settimeout(within)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), data[:300]
    return int(head.split(b" ")[1]), json.loads(body), True  # recv returned b"": closed


def _head(path: str, length: int, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: mocknexus\r\nx-api-key: k\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n{extra}\r\n").encode()


def test_hundreds_of_slowloris_connections_keep_no_one_from_being_served_and_get_a_408(server):
    port = server.port
    head = _head(CREATE, 2)
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(SLOW)]
    stop = threading.Event()

    def trickle():  # one byte of its head to each, again and again: each byte is activity
        sent = 0
        while not stop.is_set() and sent < len(head) - 1:
            for sock in slow:
                try:
                    sock.send(head[sent:sent + 1])
                except OSError:
                    pass
            sent += 1
            stop.wait(0.1)

    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        session, took = requests.Session(), []
        ends = time.monotonic() + 2.5  # across the head deadline
        while time.monotonic() < ends:
            started = time.monotonic()
            assert_ok(session.get(f"{server.url}/openmedia/crm-tasks/interactions/ext_ticket-42", headers=KEY,
                                  timeout=5))
            took.append(time.monotonic() - started)
            time.sleep(0.05)
        assert len(took) >= 10 and max(took) < 1.0, took
    finally:
        stop.set()
        trickler.join(10)
    answers = [_answer(sock) for sock in slow]
    for sock in slow:
        sock.close()
    assert {status for status, _, _ in answers} == {408}
    status, body, closed = answers[0]
    assert body == {"status": {"code": 408, "message": "Request Timeout: the request head within 1.5 s did not "
                                                       "arrive in full"}} and closed
    assert server.errors == []


def test_a_body_that_does_not_arrive_within_its_deadline_is_a_408(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(_head(CREATE, 100) + b'{"externalId": ')
    started = time.monotonic()
    status, body, closed = _answer(sock)
    assert status == 408 and "body within 1.5 s" in body["status"]["message"] and closed
    assert 1.4 < time.monotonic() - started < 5
    assert server.app.extensions["mocknexus"].default.journal.find() == []  # it never reached the app


@pytest.mark.parametrize("path, limit", [(CREATE, 1024 * 1024), ("/__admin/faults", 1000)])
def test_a_content_length_over_the_limit_is_a_413_without_the_body_being_sent(server, path, limit):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(_head(path, 10 ** 12))  # a terabyte announced, not a byte of it sent
    status, body, closed = _answer(sock, within=5)
    assert status == 413 and closed
    assert body["status"]["message"].startswith(f"The request body is {10 ** 12} bytes; the limit is {limit}")


def test_an_over_limit_body_that_expects_100_continue_is_not_invited(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(_head(CREATE, 10 ** 9, "Expect: 100-continue\r\n"))
    sock.settimeout(5)
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 413"), first[:100]
    sock.close()


def test_the_limit_is_the_namespace_setting_and_an_over_limit_request_is_journaled(server):
    assert requests.patch(f"{server.root}/__ns/small/__admin/settings", json={"maxBody": 100},
                          timeout=5).status_code == 200
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(_head(f"/__ns/small{CREATE}", 200))
    status, body, _ = _answer(sock, within=5)
    assert status == 413 and body["status"]["message"] == "The request body is 200 bytes; the limit is 100"
    [record] = requests.get(f"{server.root}/__ns/small/__admin/requests", timeout=5).json()["requests"]
    assert record["status"] == 413 and record["body"] is None
    assert_ok(requests.post(f"{server.root}/__ns/small{CREATE}", json={}, headers=KEY, timeout=5))


def test_a_chunked_body_is_cut_off_at_the_limit(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    chunk = b"100\r\n" + b" " * 256 + b"\r\n"
    sock.sendall(b"POST /__admin/faults HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 5)
    status, body, closed = _answer(sock, within=5)
    assert status == 413 and closed
    assert body["status"]["message"] == "Request Entity Too Large: the request body is over the limit of 1000 bytes"


def test_body_limit_reads_the_namespace_without_making_it(server):
    from mocknexus.web.routing import body_limit

    worlds = server.app.extensions["mocknexus"]
    assert body_limit(worlds, f"/__ns/never-made{CREATE}") == 1024 * 1024
    assert body_limit(worlds, "/__ns/never-made/__admin/state") == 1000
    assert "never-made" not in worlds.names()


def test_max_connections_raises_the_soft_file_limit_or_says_it_cannot(monkeypatch, capsys):
    limits = {"soft": 256, "hard": 4096}
    monkeypatch.setattr(peers.resource, "getrlimit", lambda _: (limits["soft"], limits["hard"]))

    def setrlimit(_, value):
        limits["soft"] = value[0]

    monkeypatch.setattr(peers.resource, "setrlimit", setrlimit)
    assert peers.file_room(1000) == 1000 and limits["soft"] == 1000 + peers.SPARE_FILES
    assert capsys.readouterr().err == ""
    limits.update(soft=256, hard=512)
    assert peers.file_room(1000) == 512 - peers.SPARE_FILES
    [warning] = capsys.readouterr().err.splitlines()
    assert warning.startswith("mocknexus: warning: --max-connections 1000 needs 1064 open files")
    assert warning.endswith(f"serving at most {512 - peers.SPARE_FILES} connections at once")


def test_max_connections_reaches_waitress():
    nexus = MockNexus(fixtures=[str(FIXTURES)], port=0)
    nexus.config.max_connections = 7
    with nexus:
        assert nexus._server.adj.connection_limit == 7 and nexus._server.adj.asyncore_use_poll
