"""MockNexus: binds in start(), raises a port clash in the caller, stops leaving no thread or socket behind."""

import gc
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mocknexus import MockNexus
from mocknexus.serving.server import QueueWarnings, ServerError
from mocknexus.serving.wire import FaultChannel
from tests.conftest import FIXTURES, KEY, assert_ok


def open_fds() -> set:
    """(fd, what it points at) for every open file descriptor of this process."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add((fd, os.readlink(f"/proc/self/fd/{fd}")))
        except OSError:
            pass  # the descriptor listdir itself used, closed by now
    return found


def other_threads() -> set:
    """Live threads, but for the process-wide reaper (world.py), which comes and goes on its own."""
    return {t for t in threading.enumerate() if t.name != "mocknexus-reaper"}


def baseline() -> tuple[set, set]:
    """Threads and fds now. Later, `left_behind(baseline)` is what appeared since and is still there: what
    other tests' leftovers do meanwhile (a socket freed by the garbage collector) is not counted."""
    gc.collect()
    return other_threads(), open_fds()


def left_behind(before: tuple[set, set]) -> tuple[set, set]:
    gc.collect()
    return other_threads() - before[0], open_fds() - before[1]


def get(url: str) -> requests.Response:
    """One request on its own connection, closed when it returns (so the client side holds no socket)."""
    response = requests.get(url, headers={**KEY, "Connection": "close"}, timeout=5)
    response.close()
    return response


def test_attributes_and_context_manager():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        assert nexus.port > 0
        assert nexus.root == f"http://127.0.0.1:{nexus.port}"
        assert nexus.url == nexus.root + "/nexus/v3"
        data = assert_ok(get(f"{nexus.url}/openmedia/crm-tasks/interactions/ext_ticket-42"))
        assert data["externalId"] == "ticket-42"
    with pytest.raises(RuntimeError, match="not running"):
        nexus.url  # noqa: B018


def test_one_fixture_path_or_key_may_be_given_alone():
    nexus = MockNexus(fixtures=FIXTURES, api_keys="only-key")
    assert nexus.config.fixtures == [FIXTURES] and nexus.config.api_keys == ["only-key"]


def test_start_binds_before_returning():
    nexus = MockNexus(port=0).start()
    try:
        # No sleep, no retry: the first connection after start() is accepted.
        with socket.create_connection(("127.0.0.1", nexus.port), timeout=2):
            pass
        assert get(nexus.root + "/__admin/health").status_code == 200
    finally:
        nexus.stop()


def test_port_in_use_raises_in_the_caller_and_leaves_nothing_behind():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        before = baseline()
        with pytest.raises(ServerError) as caught:
            MockNexus(port=port).start()
        assert str(caught.value) == f"cannot listen on 127.0.0.1:{port}: Address already in use"
        assert left_behind(before) == (set(), set())


def test_fifty_servers_leave_no_thread_or_socket_and_stop_promptly():
    before = baseline()
    slowest = 0.0
    for _ in range(50):
        nexus = MockNexus(port=0).start()
        assert get(nexus.root + "/__admin/health").status_code == 200
        started = time.perf_counter()
        nexus.stop()
        slowest = max(slowest, time.perf_counter() - started)
        # Right after stop(), not eventually: stop() joins every thread it started.
        assert other_threads() - before[0] == set()
    assert left_behind(before) == (set(), set())
    assert slowest < 1.0  # "it did not hang"; the 100 ms figure is measured in bench/bench_fixture.py


def test_stop_closes_connections_clients_keep_open():
    before = other_threads()
    nexus = MockNexus(port=0).start()
    health = nexus.root + "/__admin/health"
    with requests.Session() as session:
        assert session.get(health, timeout=5).status_code == 200
        threads = other_threads() - before
        assert len(threads) == 1 + 8  # the I/O loop and the workers
        nexus.stop()
        assert not any(t.is_alive() for t in threads)
        with pytest.raises(requests.ConnectionError):
            session.get(health, timeout=5)  # kept-alive socket closed, port closed
    nexus.stop()  # a second stop is a no-op


def test_restart_after_stop_and_double_start_refused():
    nexus = MockNexus(port=0).start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            nexus.start()
    finally:
        nexus.stop()
    with nexus:
        assert get(nexus.root + "/__admin/health").status_code == 200


def test_unexpected_server_errors_are_collected(monkeypatch):
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        def boom(*args, **kwargs):
            raise ZeroDivisionError("bug in the fake")

        monkeypatch.setattr("mocknexus.state.store.InteractionStore.get_interaction", boom)
        assert get(f"{nexus.url}/openmedia/crm-tasks/interactions/ext_ticket-42").status_code == 500
        assert [type(e) for e in nexus.errors] == [ZeroDivisionError]


def test_drop_namespace_in_process():
    with MockNexus(port=0) as nexus:
        assert get(nexus.root + "/__ns/gone-soon/__admin/health").status_code == 200
        assert nexus.drop_namespace("gone-soon") is True
        assert nexus.drop_namespace("gone-soon") is False
        names = requests.get(nexus.root + "/__admin/namespaces", timeout=5).json()["namespaces"]
        assert [n["name"] for n in names] == ["default"]


class FakeLogger:
    def __init__(self, said: list):
        self.said = said

    def warning(self, message, *args):
        assert message % args  # formats
        self.said.append(args)


def test_queue_warnings_say_it_once_per_interval_with_the_count():
    said, now = [], [100.0]
    warnings = QueueWarnings(FakeLogger(said), interval=10.0, clock=lambda: now[0])
    warnings.warning("Task queue depth is %d", 1)  # the first is said at once
    for depth in (3, 7, 2):
        warnings.warning("Task queue depth is %d", depth)
    now[0] += 9.9
    warnings.warning("Task queue depth is %d", 1)
    assert [args[:2] for args in said] == [(1, 1)]
    now[0] += 0.1
    warnings.warning("Task queue depth is %d", 4)
    assert [args[:2] for args in said] == [(1, 1), (5, 7)]  # the four held back and this one; the deepest


def test_requests_waiting_for_a_thread_are_reported_once(caplog):
    """waitress would warn for each of the seven requests queued behind the one that holds the only thread
    (admin requests: vendor ones are served on the I/O thread while the pool is idle, inline.py)."""
    first = threading.Lock()
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=1) as nexus:
        app = nexus.app.wsgi_app

        def first_one_slow(environ, start_response):
            if first.acquire(blocking=False):
                time.sleep(0.5)  # the others arrive meanwhile and queue for the one thread
            return app(environ, start_response)

        nexus.app.wsgi_app = first_one_slow
        with ThreadPoolExecutor(8) as pool:
            codes = set(pool.map(lambda _: requests.get(nexus.root + "/__admin/health", timeout=5).status_code,
                                 range(8)))
    assert codes == {200}
    lines = [r.getMessage() for r in caplog.records if r.name == "waitress.queue"]
    assert len(lines) == 1 and "waited for a free worker thread" in lines[0], lines


def test_an_answer_goes_out_in_one_write(live_server, monkeypatch):
    """Status line, headers and body in one send (wire.FaultTask.write): not headers, then body."""
    writes = []
    original = FaultChannel.write_soon
    monkeypatch.setattr(FaultChannel, "write_soon", lambda self, data: writes.append(data) or original(self, data))
    for path, status in [("ext_ticket-42", 200), ("ext_no-such", 404)]:
        writes.clear()
        response = get(f"{live_server.url}/openmedia/crm-tasks/interactions/{path}")
        assert response.status_code == status
        assert len(writes) == 1
        assert writes[0].startswith(f"HTTP/1.1 {status} ".encode()) and writes[0].endswith(response.content)
    writes.clear()
    head = requests.head(f"{live_server.url}/openmedia/crm-tasks/interactions/ext_ticket-42", headers=KEY, timeout=5)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["Content-Length"]) > 0
    assert len(writes) == 1 and writes[0].endswith(b"\r\n\r\n")  # headers only
