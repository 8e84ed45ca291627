"""Inline serving (serving/inline.py): small vendor requests on the I/O thread while no worker is busy; the
rest, and everything while a worker is busy, on the worker pool; the I/O thread never waits."""

import socket
import threading
import time

import pytest
import requests

from mocknexus import MockNexus
from tests.conftest import FIXTURES, KEY

VENDOR = "/nexus/v3/openmedia/crm-tasks/interactions"


@pytest.fixture
def nexus():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        settle(nexus)
        yield nexus


def settle(nexus) -> None:
    """Until a vendor request is served on the I/O thread: the workers have all started and gone idle
    (on a busy machine they may still be starting when the first requests arrive)."""
    app, seen = nexus.app.wsgi_app, threads_serving(nexus)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        requests.get(f"{nexus.root}{VENDOR}/ext_ticket-42", headers=KEY, timeout=5)
        if not on_a_worker(seen[-1]):
            break
        time.sleep(0.05)
    nexus.app.wsgi_app = app


def threads_serving(nexus) -> list:
    """The name of the thread that runs the app, request by request, from now on."""
    seen, app = [], nexus.app.wsgi_app

    def recording(environ, start_response):
        seen.append(threading.current_thread().name)
        return app(environ, start_response)

    nexus.app.wsgi_app = recording
    return seen


def on_a_worker(name: str) -> bool:
    return name.startswith("mocknexus-worker-")


def test_small_vendor_requests_run_on_the_io_thread_the_rest_on_workers(nexus):
    seen = threads_serving(nexus)
    root = nexus.root
    with requests.Session() as http:
        http.headers.update(KEY)
        inline = [
            http.get(f"{root}{VENDOR}/ext_ticket-42"),
            http.post(f"{root}{VENDOR}", json={"externalId": "inline-1", "userData": {"A": "b"}}),
            http.get(f"{root}/__ns/other{VENDOR}/ext_ticket-42"),
            http.get(f"{root}{VENDOR}/ext_no-such"),  # a 404 is as cheap
        ]
        assert [r.status_code for r in inline] == [200, 200, 200, 404]
        assert not any(on_a_worker(name) for name in seen), seen
        seen.clear()
        pooled = [
            http.get(f"{root}/__admin/health"),
            http.get(f"{root}/__ns/other/__admin/health"),
            http.get(f"{root}/openapi.json"),
            http.post(f"{root}{VENDOR}", json={"externalId": "big-1", "userData": {"A": "x" * 70_000}}),
            http.post(f"{root}{VENDOR}", data=iter([b'{"externalId": "chunked-1"}']),  # chunked: size unknown
                      headers={"Content-Type": "application/json"}),
        ]
        assert [r.status_code for r in pooled] == [200] * 5, [r.text[:200] for r in pooled]
        assert len(seen) == 5 and all(on_a_worker(name) for name in seen), seen


def test_while_a_worker_holds_a_namespace_the_io_thread_does_not_wait_for_it(nexus):
    """A worker holding namespace `slow`'s store for a second (as a large PUT /__admin/state does): a create
    in `slow` waits for it on a worker, and a get in `quick` meanwhile is answered at once. Served on the
    I/O thread, the create would have stalled every connection for that second."""
    store = nexus.app.extensions["mocknexus"].get("slow").store
    app = nexus.app.wsgi_app

    def holding(environ, start_response):
        if environ.get("QUERY_STRING") == "hold":
            with store._lock:
                time.sleep(1.0)
        return app(environ, start_response)

    nexus.app.wsgi_app = holding
    answers = {}

    def call(name, method, url, **kwargs):
        answers[name] = requests.request(method, url, headers=KEY, timeout=10, **kwargs)

    held = threading.Thread(target=call, args=("held", "GET", f"{nexus.root}/__ns/slow/__admin/health?hold"))
    held.start()
    deadline = time.monotonic() + 5
    while not store._lock.locked() and time.monotonic() < deadline:
        time.sleep(0.01)
    waiting = threading.Thread(target=call, args=("create", "POST", f"{nexus.root}/__ns/slow{VENDOR}"),
                               kwargs={"json": {"externalId": "after-the-hold"}})
    waiting.start()
    time.sleep(0.1)  # the create has arrived and waits for the store
    began = time.monotonic()
    quick = requests.get(f"{nexus.root}/__ns/quick{VENDOR}/ext_ticket-42", headers=KEY, timeout=10)
    took = time.monotonic() - began
    held.join(10), waiting.join(10)
    assert quick.status_code == 200 and took < 0.5, took
    assert answers["held"].status_code == 200 and answers["create"].status_code == 200


def test_pipelined_large_answers_unread_do_not_stop_the_io_thread(nexus):
    """30 gets of a 900 KB interaction pipelined on one connection and not read: over waitress's 16 MiB
    high-water mark a writer waits for the I/O thread to send, so from OUTPUT bytes on they are served by
    a worker. Meanwhile another client is answered; then all 30 answers arrive whole."""
    created = requests.post(f"{nexus.root}{VENDOR}", headers=KEY,
                            json={"externalId": "huge", "userData": {"Blob": "x" * 900_000}}, timeout=10)
    assert created.status_code == 200
    one = (f"GET {VENDOR}/ext_huge HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY['x-api-key']}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", nexus.port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        sock.sendall(one * 30)
        time.sleep(0.5)  # the server has read them all and written what the socket takes
        began = time.monotonic()
        for _ in range(3):
            assert requests.get(f"{nexus.root}/__admin/health", timeout=5).status_code == 200
            assert requests.get(f"{nexus.root}{VENDOR}/ext_ticket-42", headers=KEY, timeout=5).status_code == 200
        assert time.monotonic() - began < 2
        received = bytearray()
        while received.count(b"HTTP/1.1 200 ") < 30 or not received.endswith(b"}\n"):
            chunk = sock.recv(1 << 20)
            assert chunk, f"closed after {received.count(b'HTTP/1.1 200 ')} answers"
            received += chunk
    assert received.count(b"HTTP/1.1 200 ") == 30 and received.count(b"x" * 900_000) == 30


def test_pipelined_requests_past_the_budget_go_to_workers(nexus):
    """Ten gets pipelined in one read, each taking 5 ms: the first is served on the I/O thread, the rest,
    past inline.BUDGET, by workers, so the loop is free for other connections meanwhile."""
    seen, app = [], nexus.app.wsgi_app

    def slow(environ, start_response):
        seen.append(threading.current_thread().name)
        time.sleep(0.005)
        return app(environ, start_response)

    nexus.app.wsgi_app = slow
    one = (f"GET {VENDOR}/ext_ticket-42 HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY['x-api-key']}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", nexus.port), timeout=10) as sock:
        sock.sendall(one * 10)
        received = bytearray()
        while received.count(b"HTTP/1.1 200 ") < 10 or not received.endswith(b"}\n"):
            chunk = sock.recv(1 << 16)
            assert chunk
            received += chunk
    assert len(seen) == 10 and not on_a_worker(seen[0]) and all(on_a_worker(name) for name in seen[1:]), seen
