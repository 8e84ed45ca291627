"""Every fault action (§2.4) through a real socket: requests for all, http.client and a raw socket for the network
kinds; after each fault the same server keeps serving on new connections."""

import http.client
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mocknexus.serving.server import MockNexus
from mocknexus.web.inject import GARBAGE
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"
TICKET = f"{CREATE}/ext_ticket-42"


def add(server, rule) -> dict:
    response = requests.post(f"{server.root}/__admin/faults", json=rule, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def fired(server) -> list[int]:
    return [rule["fired"] for rule in requests.get(f"{server.root}/__admin/faults", timeout=5).json()["faults"]]


def assert_serves(server):
    """A new connection, no fault rules: the same server answers normally."""
    requests.delete(f"{server.root}/__admin/faults", timeout=5)
    response = requests.get(server.root + TICKET, headers={**KEY, "Connection": "close"}, timeout=5)
    assert assert_ok(response)["externalId"] == "ticket-42"


def raw_exchange(server, path=TICKET, extra="") -> bytes:
    """Send one request on a plain socket; every byte the server sends back before it closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n{extra}\r\n".encode())
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        return received


def http_client_get(server, path=TICKET, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path, headers={**KEY, **(headers or {})})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


# -- status --------------------------------------------------------------------------------------------

def test_status_with_the_default_envelope(live_server):
    add(live_server, {"action": {"status": 503}, "times": 1})
    response = requests.get(live_server.root + TICKET, headers=KEY, timeout=5)
    assert assert_error(response, 503)["message"] == "Service Unavailable"
    assert response.headers["X-Mocknexus-Fault"] == "f1"
    assert_serves(live_server)


def test_status_with_custom_body_and_headers(live_server):
    add(live_server, {"action": {"status": 429, "body": {"error": "quota"}, "headers": {"Retry-After": "7"}}})
    response = requests.post(live_server.root + CREATE, json={}, headers=KEY, timeout=5)
    assert (response.status_code, response.json()) == (429, {"error": "quota"})
    assert response.headers["Retry-After"] == "7" and response.headers["X-Mocknexus-Fault"] == "f1"
    assert_serves(live_server)


# -- delay ----------------------------------------------------------------------------------------------

def test_fixed_delay_makes_the_client_wait_for_the_real_answer(live_server):
    add(live_server, {"action": {"delay_ms": 200}})
    started = time.monotonic()
    response = requests.get(live_server.root + TICKET, headers=KEY, timeout=5)
    assert time.monotonic() - started >= 0.2
    assert assert_ok(response)["externalId"] == "ticket-42"
    assert response.headers["X-Mocknexus-Fault"] == "f1"
    assert_serves(live_server)


def test_delay_range_waits_at_least_its_minimum(live_server):
    add(live_server, {"action": {"delay_ms": [150, 250], "status": 503}})
    started = time.monotonic()
    assert_error(requests.get(live_server.root + TICKET, headers=KEY, timeout=5), 503)
    assert time.monotonic() - started >= 0.15
    assert_serves(live_server)


def test_a_client_timeout_really_fires(live_server):
    add(live_server, {"action": {"delay_ms": 600}, "times": 1})
    with pytest.raises(requests.ReadTimeout):
        requests.get(live_server.root + TICKET, headers=KEY, timeout=0.15)
    assert_serves(live_server)


# -- reset -----------------------------------------------------------------------------------------------

def test_reset_gives_requests_a_connection_error(live_server):
    add(live_server, {"action": {"kind": "reset"}, "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.get(live_server.root + TICKET, headers=KEY, timeout=5)
    assert_serves(live_server)


def test_reset_gives_http_client_a_reset_and_no_byte(live_server):
    add(live_server, {"action": {"kind": "reset"}, "times": 2})
    with pytest.raises(ConnectionResetError):
        http_client_get(live_server)
    assert raw_exchange(live_server) == b""
    assert fired(live_server) == [2]
    journal = requests.get(f"{live_server.root}/__admin/requests", timeout=5).json()["requests"]
    assert [(r["status"], r["fault"]) for r in journal] == [(None, "f1"), (None, "f1")]
    assert_serves(live_server)


def test_reset_is_a_tcp_reset_not_a_clean_close(live_server):
    add(live_server, {"action": {"kind": "reset"}, "times": 1})
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as sock:
        sock.sendall(f"GET {TICKET} HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n\r\n".encode())
        with pytest.raises(ConnectionResetError):
            sock.recv(65536)  # a clean close (FIN) would return b"" here instead
    assert_serves(live_server)


# -- truncate ---------------------------------------------------------------------------------------------

def test_truncate_gives_requests_an_incomplete_read(live_server):
    add(live_server, {"action": {"kind": "truncate"}, "times": 1})
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        requests.get(live_server.root + TICKET, headers=KEY, timeout=5)
    assert_serves(live_server)


def test_truncate_gives_http_client_an_incomplete_read_of_the_applied_answer(live_server):
    _, whole = http_client_get(live_server)
    add(live_server, {"action": {"kind": "truncate", "apply": True}, "times": 1})
    with pytest.raises(http.client.IncompleteRead) as caught:
        http_client_get(live_server)
    partial = caught.value.partial
    assert 0 < len(partial) < len(whole) == len(partial) + caught.value.expected
    assert whole.startswith(partial)  # the real answer, cut short
    assert_serves(live_server)


def test_truncate_sends_headers_promising_more_than_the_body(live_server):
    add(live_server, {"action": {"kind": "truncate", "status": 503}, "times": 1})
    received = raw_exchange(live_server)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503") and b"X-Mocknexus-Fault: f1" in head
    length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
                 .split(b":")[1])
    assert 0 < len(body) < length
    assert_serves(live_server)


# -- garbage -----------------------------------------------------------------------------------------------

def test_garbage_is_a_200_whose_body_is_not_json(live_server):
    add(live_server, {"action": {"kind": "garbage"}, "times": 2})
    response = requests.get(live_server.root + TICKET, headers=KEY, timeout=5)
    assert response.status_code == 200 and response.content == GARBAGE
    with pytest.raises(requests.JSONDecodeError):
        response.json()
    response, body = http_client_get(live_server)
    assert response.status == 200 and body == GARBAGE
    with pytest.raises(ValueError):
        json.loads(body)
    assert_serves(live_server)


# -- apply -------------------------------------------------------------------------------------------------

def test_apply_with_reset_the_write_happened_and_the_reply_was_lost(live_server):
    add(live_server, {"match": {"operation": "createInteraction"}, "action": {"kind": "reset", "apply": True},
                      "times": 1})
    with pytest.raises(requests.ConnectionError):
        requests.post(live_server.root + CREATE, json={"externalId": "lost-reply"}, headers=KEY, timeout=5)
    assert_error(requests.post(live_server.root + CREATE, json={"externalId": "lost-reply"}, headers=KEY,
                               timeout=5), 409)
    assert_serves(live_server)


def test_apply_with_a_status(live_server):
    add(live_server, {"action": {"status": 504, "apply": True}, "times": 1})
    assert_error(requests.post(live_server.root + CREATE, json={"externalId": "gw"}, headers=KEY, timeout=5), 504)
    assert_error(requests.post(live_server.root + CREATE, json={"externalId": "gw"}, headers=KEY, timeout=5), 409)
    assert_serves(live_server)


# -- resilience and randomness ----------------------------------------------------------------------------

def test_200_resets_and_truncates_in_a_row_leave_no_worker_stuck(live_server):
    add(live_server, {"match": {"method": "GET"}, "action": {"kind": "reset"}, "times": 100})
    add(live_server, {"match": {"method": "GET"}, "action": {"kind": "truncate"}, "times": 100})
    for _ in range(200):
        with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
            http_client_get(live_server)
    assert fired(live_server) == [100, 100]
    with ThreadPoolExecutor(16) as pool:  # twice the 8 default threads at once: a stuck worker would show
        answers = list(pool.map(lambda _: requests.get(live_server.root + TICKET, headers=KEY, timeout=5), range(32)))
    assert [r.status_code for r in answers] == [200] * 32
    assert_serves(live_server)


def test_seeded_probability_repeats_after_a_reset_and_unseeded_is_random(live_server):
    def run(seed) -> str:
        requests.post(f"{live_server.root}/__admin/reset", timeout=5)
        add(live_server, {"action": {"status": 503}, "probability": 0.5, "seed": seed})
        with requests.Session() as session:
            return "".join("x" if session.get(live_server.root + TICKET, headers=KEY, timeout=5).status_code == 503
                           else "." for _ in range(40))

    seeded = run(1234)
    assert "x" in seeded and "." in seeded
    assert run(1234) == seeded
    assert len({run(None) for _ in range(3)}) > 1  # three equal 40-draw patterns: chance 2**-80
    assert_serves(live_server)


# -- the request header, with --allow-header-faults ---------------------------------------------------------

@pytest.fixture
def header_server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, allow_header_faults=True) as server:
        yield server


def test_header_faults_reach_the_wire(header_server):
    with pytest.raises(requests.ConnectionError):
        requests.get(header_server.root + TICKET, headers={**KEY, "X-Mocknexus-Fault": "reset"}, timeout=5)
    with pytest.raises(http.client.IncompleteRead):
        http_client_get(header_server, headers={"X-Mocknexus-Fault": "truncate"})
    assert raw_exchange(header_server, extra="X-Mocknexus-Fault: reset\r\n") == b""
    response = requests.get(header_server.root + TICKET, headers={**KEY, "X-Mocknexus-Fault": "503"}, timeout=5)
    assert assert_error(response, 503) and response.headers["X-Mocknexus-Fault"] == "header"
    with pytest.raises(requests.ReadTimeout):
        requests.get(header_server.root + TICKET, headers={**KEY, "X-Mocknexus-Fault": "delay=500"}, timeout=0.1)
    assert_serves(header_server)


def test_install_covers_every_listening_socket():
    from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

    from mocknexus.serving.wire import FaultChannel, install

    server = install(create_server(lambda environ, start: [], listen="127.0.0.1:0 127.0.0.1:0"))
    try:
        assert isinstance(server, MultiSocketServer)
        listeners = [d for d in server.map.values() if isinstance(d, BaseWSGIServer)]
        assert len(listeners) == 2 and all(d.channel_class is FaultChannel for d in listeners)
    finally:
        server.close()
