"""Held requests hold no thread (§9, serving/parking.py): hundreds of delays and waits open at once cost the
other namespaces nothing, are answered on time, and clients that give up on them cost nothing more."""

import json
import selectors
import socket
import statistics
import threading
import time

import pytest
import requests

from mocknexus.core.hold import Bell, Hold
from mocknexus.serving.parking import Parking
from mocknexus.serving.server import MockNexus
from tests.conftest import BASE, FIXTURES, KEY, assert_ok
from tests.serving.test_shutdown import Served

TICKET = f"{BASE}/crm-tasks/interactions/ext_ticket-42"
CREATE = f"{BASE}/crm-tasks/interactions"


def _request(method: str, path: str, body: dict | None = None, headers: dict | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: mocknexus\r\nContent-Length: {len(data)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    return head.encode() + b"\r\n" + data


class Answers:
    """Many raw connections, each one request; once all are sent, a thread reads every answer and notes
    when it came."""

    def __init__(self, port: int):
        self.port, self.selector = port, selectors.DefaultSelector()
        self.sent: dict[int, tuple] = {}  # n -> (sent at, what it is)
        self.came: dict[int, tuple] = {}  # n -> (came at, status)

    def send(self, n: int, data: bytes, what) -> None:
        self.sent[n] = (time.monotonic(), what)  # before: an answer is never early by the test's own delays
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(data)
        sock.setblocking(False)
        self.selector.register(sock, selectors.EVENT_READ, [n, b""])

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while self.selector.get_map():
            for key, _ in self.selector.select(0.05):
                try:
                    chunk = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                key.data[1] += chunk
                head, _, body = key.data[1].partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if not chunk or (length and len(body) >= length[0]):
                    self.came[key.data[0]] = (time.monotonic(), int(head.split(b" ")[1]) if head else None)
                    self.selector.unregister(key.fileobj)
                    key.fileobj.close()

    def wait_all(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while len(self.came) < len(self.sent) and time.monotonic() < deadline:
            time.sleep(0.02)


def _p50s(session, url: str, rounds: int = 4, n: int = 20) -> list[float]:
    """The median latency of each of `rounds` rounds of `n` gets."""
    medians = []
    for _ in range(rounds):
        took = []
        for _ in range(n):
            started = time.perf_counter()
            assert_ok(session.get(url, timeout=5))
            took.append(time.perf_counter() - started)
        medians.append(statistics.median(took))
    return medians


def oversleep(seconds: float) -> float:
    """For `seconds`: how late 5 ms sleeps wake, the median in ms (the machine's scheduling lag)."""
    lags, ends = [], time.monotonic() + seconds
    while time.monotonic() < ends:
        started = time.monotonic()
        time.sleep(0.005)
        lags.append((time.monotonic() - started - 0.005) * 1000)
    return statistics.median(lags) if lags else 0.0


def _health_ms(root: str, n: int = 15) -> float:
    took = []
    for _ in range(n):
        started = time.perf_counter()
        assert requests.get(f"{root}/__admin/health", timeout=5).status_code == 200
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


DELAY_S, TIMEOUT_MS = 4.0, 4000


def test_500_held_requests_in_50_namespaces_cost_everyone_else_nothing_and_are_answered_on_time():
    server = Served("--threads", "8", "--access-log", "off")
    try:
        quiet = requests.Session()
        quiet.headers.update(KEY)
        quiet_url = f"{server.root}/__ns/quiet{TICKET}"
        _p50s(quiet, quiet_url, 1, 20)  # warm up
        alone = _p50s(quiet, quiet_url)
        port = int(server.root.rsplit(":", 1)[1])
        for ns in range(50):
            assert requests.post(f"{server.root}/__ns/held-{ns}/__admin/faults", timeout=5, json={
                "match": {"operation": "getInteractionByExternalId"}, "action": {"delay_ms": DELAY_S * 1000}},
            ).status_code == 200
        answers = Answers(port)
        wait = {"match": {"operation": "createInteraction"}, "count": 1, "timeoutMs": TIMEOUT_MS}
        probe = requests.Session()
        for n in range(500):  # each namespace in turn, ten at a time, as fast as the server takes them in
            ns = n % 50
            if n % 2:
                answers.send(n, _request("GET", f"/__ns/held-{ns}{TICKET}", headers=KEY), "delay")
            else:
                answers.send(n, _request("POST", f"/__ns/held-{ns}/__admin/requests/wait", wait), ns)
            if n % 10 == 9:  # answered after those ten are parked: on a busy machine, sending waits for it
                assert probe.get(f"{server.root}/__admin/health", timeout=5).status_code == 200
        answers.start()
        time.sleep(0.3)
        held = min(_p50s(quiet, quiet_url, rounds=8))
        health = _health_ms(server.root)
        matched_at = {}
        for ns in range(0, 50, 4):  # the waits of these namespaces see their create; the others time out
            # (even n: waits, in the even namespaces)
            assert_ok(requests.post(f"{server.root}/__ns/held-{ns}{CREATE}", headers=KEY, json={}, timeout=5))
            matched_at[ns] = time.monotonic()
        lag = oversleep(seconds=min(answers.sent.values())[0] + DELAY_S + 1.5 - time.monotonic())
        answers.wait_all(DELAY_S + 5)
        # How long the server held each delayed get: the journal's durationMs runs from the request's
        # arrival in the app to its answer (the client's own clock adds its wait to be taken in, below).
        held_ms = [r["durationMs"] for ns in range(50) for r in requests.get(
            f"{server.root}/__ns/held-{ns}/__admin/requests?operation=getInteractionByExternalId",
            timeout=5).json()["requests"]]
        # None held again. The machine is shared: each figure is its best round's median (other processes'
        # bursts make some rounds slow), over as many rounds with none held (before, after) as with 500.
        alone = min(alone + _p50s(quiet, quiet_url))
        took, status = server.terminate()[:2]
    finally:
        server.kill()
    assert status == 0
    assert len(answers.came) == 500, f"{500 - len(answers.came)} held requests got no answer"
    assert held <= 2 * alone, f"p50 {held * 1000:.2f} ms with 500 held, {alone * 1000:.2f} ms with none"
    assert health < 50, f"health took {health:.1f} ms (median) with 500 held"
    over = sorted(ms - DELAY_S * 1000 for ms in held_ms)
    assert len(over) == 250 and over[0] >= 0, over[:5]
    # On time, give or take what the machine itself adds meanwhile: `lag`, how late this process's own
    # 5 ms sleeps woke while the holds ended (~0 on an idle machine; tens of ms when other processes take
    # the cores). Held by threads, the last of the 250 would come two minutes late.
    slack = 50 + 4 * lag
    assert statistics.median(over) <= slack and over[len(over) * 95 // 100] <= 5 * slack and over[-1] < 2000, (
        f"lag {lag:.1f} ms", over[-5:])
    late = {"delay": [], "match": [], "timeout": []}
    for n, (sent, what) in answers.sent.items():
        came, code = answers.came[n]
        if what == "delay":
            kind, expected, want = what, sent + DELAY_S, 200
        elif what in matched_at:
            kind, expected, want = "match", matched_at[what], 200
        else:
            kind, expected, want = "timeout", sent + TIMEOUT_MS / 1000, 408
        assert code == want, (n, what, code)
        late[kind].append(came - expected)
    # A wait answers within 50 ms (+ the lag) of the create it awaited (the test notes that create's
    # answer, which may come a little after the wait's own).
    assert all(abs(x) <= slack / 1000 for x in late["match"]), sorted(late["match"])
    # Seen by the client, delays and timeouts also include the time to be taken in (the server's own
    # hold is checked above): on a shared 2-core machine up to a few hundred ms. None is early, none far
    # off (held by threads, the 500 would take their 4 s eight at a time).
    for kind in ("delay", "timeout"):
        ordered = sorted(late[kind])
        assert ordered[0] >= 0 and ordered[len(ordered) * 9 // 10] < 0.25 and ordered[-1] < 1.0, (kind, ordered[-5:])


@pytest.fixture
def two_threads():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=2) as nexus:
        yield nexus


def test_clients_that_give_up_on_a_held_request_cost_nothing_more(two_threads):
    server = two_threads
    assert requests.post(f"{server.root}/__admin/faults", timeout=5, json={
        "match": {"operation": "getInteractionByExternalId"}, "action": {"delay_ms": 1500}}).status_code == 200
    for _ in range(100):  # a client timeout test, a hundred times over: each gives up at once
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(_request("GET", TICKET, headers=KEY))
        sock.close()
    parking = server._server.parking
    deadline = time.monotonic() + 5
    while parking.held < 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert parking.held == 100  # all held, on two threads
    started = time.monotonic()
    assert_ok(requests.get(f"{server.url}/openmedia/crm-tasks/interactions/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10",
                           headers=KEY, timeout=5))
    assert time.monotonic() - started < 1.0
    deadline = time.monotonic() + 10
    listener = server._server
    while (parking.held or listener.active_channels) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert parking.held == 0 and not listener.active_channels  # answered into closed sockets, then closed
    assert server.errors == []


def test_pipelined_requests_around_a_held_one_are_answered_in_order_the_first_at_once(two_threads):
    server = two_threads
    assert requests.post(f"{server.root}/__admin/faults", timeout=5, json={
        "match": {"operation": "getInteraction"}, "action": {"delay_ms": 1000}}).status_code == 200
    by_id = f"{BASE}/crm-tasks/interactions/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    started = time.monotonic()
    sock.sendall(_request("GET", TICKET, headers=KEY) + _request("GET", by_id, headers=KEY)
                 + _request("GET", TICKET, headers=KEY))
    came, data = [], b""
    while data.count(b"HTTP/1.1 200") < 3:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
        came += [time.monotonic() - started] * (data.count(b"HTTP/1.1 200") - len(came))
    sock.close()
    assert came[0] < 0.5 and came[1] >= 1.0 and came[2] >= came[1]  # the first is not kept for the hold
    answers = data.split(b"HTTP/1.1 200")[1:]
    assert [b"X-Mocknexus-Fault" in answer for answer in answers] == [False, True, False]  # in order


def test_parking_answers_at_the_deadline_or_when_the_bell_rings():
    parking, over = Parking(), []
    bell, state = Bell(), {"ready": False}
    try:
        parking.park(Hold(0.2), lambda: over.append(("delay", time.monotonic())))
        waiting = Hold(5.0, lambda: state["ready"], bell)
        parking.park(waiting, lambda: over.append(("wait", time.monotonic())))
        timing_out = Hold(0.1, lambda: False, bell)
        parking.park(timing_out, lambda: over.append(("timeout", time.monotonic())))
        time.sleep(0.3)
        state["ready"] = True
        rang = time.monotonic()
        bell.ring()
        deadline = time.monotonic() + 5
        while len(over) < 3 and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        parking.stop()
    assert [what for what, _ in over] == ["timeout", "delay", "wait"]
    assert waiting.met is True and timing_out.met is False
    assert over[2][1] - rang < 0.5 and parking.held == 0
    assert bell._listeners == {}  # nothing left listening


def test_a_stopped_parking_ends_its_thread_and_takes_no_more():
    parking = Parking()
    parking.park(Hold(30), lambda: None)
    thread = parking._thread
    parking.stop()
    assert not thread.is_alive()
    parking.park(Hold(0), lambda: pytest.fail("parked after stop"))
    time.sleep(0.05)


def test_a_failing_condition_ends_its_hold_unmet_and_the_timer_goes_on(capsys):
    parking, over = Parking(), []
    try:
        broken = Hold(0.05, lambda: 1 / 0, Bell())
        parking.park(broken, lambda: over.append("broken"))
        parking.park(Hold(0.1), lambda: over.append("delay"))
        deadline = time.monotonic() + 5
        while len(over) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        parking.stop()
    assert over == ["broken", "delay"] and broken.met is False
    assert "ZeroDivisionError" in capsys.readouterr().err
