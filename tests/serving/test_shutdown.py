"""`mocknexus serve` as a real process: SIGTERM under load, a port in use, the --host 0.0.0.0 warning (§4)."""

import json
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.conftest import BASE, FIXTURES, KEY, ROOT


class Served:
    """A `mocknexus serve` child process; stdout is drained in a thread (the access log must not fill the pipe)."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mocknexus", "serve", "--port", "0", "--fixtures", str(FIXTURES), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.root = self._listening_line().removeprefix("mocknexus listening on ").strip()
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.proc.stdout), daemon=True).start()

    def _listening_line(self) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        assert ready, "the server printed nothing for 20 s"
        line = self.proc.stdout.readline()
        assert line.startswith("mocknexus listening on http://"), (line, self.proc.stderr.read())
        return line

    def terminate(self) -> tuple[float, int, str]:
        """SIGTERM; (seconds until the process was gone, exit status, stderr)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(10)
        return time.monotonic() - started, status, self.proc.stderr.read()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def served(request):
    processes = []

    def start(*args):
        processes.append(Served(*args))
        return processes[-1]

    yield start
    for process in processes:
        process.kill()


def _hammer(root: str, stop: threading.Event, outcomes: list, worker: int):
    """Creates, gets and stops in a loop; records each answer's status, or the connection error."""
    session = requests.Session()
    session.headers.update(KEY)
    url = f"{root}{BASE}/crm-tasks/interactions"
    n = 0
    while not stop.is_set():
        n += 1
        try:
            created = session.post(url, json={"externalId": f"w{worker}-{n}"}, timeout=10)
            outcomes.append((created.status_code, created.json()["status"]["code"]))
            answer = session.get(f"{url}/ext_w{worker}-{n}", timeout=10)
            outcomes.append((answer.status_code, answer.json()["status"]["code"]))
        except requests.ConnectionError:
            outcomes.append("closed")
            time.sleep(0.01)  # the server is going away: do not spin on refused connections
        except Exception as exc:  # noqa: BLE001 - a timeout or a broken answer: the test fails on it
            outcomes.append(repr(exc))


def test_sigterm_under_load_exits_0_within_a_second(served):
    server = served("--threads", "8")
    # One read in twenty is held for 2 s: some requests are surely in flight, and too long to wait for.
    slow = requests.post(f"{server.root}/__admin/faults", timeout=5, json={
        "match": {"operation": "getInteractionByExternalId"}, "action": {"delay_ms": 2000},
        "probability": 0.05, "seed": 1})
    assert slow.status_code == 200, slow.text
    stop, outcomes = threading.Event(), []
    clients = [threading.Thread(target=_hammer, args=(server.root, stop, outcomes, w)) for w in range(8)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 10
    while len(outcomes) < 100 and time.monotonic() < deadline:  # requests really are in flight
        time.sleep(0.01)
    took, status, stderr = server.terminate()
    stop.set()
    for client in clients:
        client.join(10)
    assert status == 0, stderr
    assert took < 1.0, f"SIGTERM took {took:.2f} s"
    assert "Traceback" not in stderr
    answers = [o for o in outcomes if o != "closed"]
    assert len(answers) >= 100 and "closed" in outcomes
    # Every request was either answered in full (a parsed envelope whose code matches) or closed.
    assert all(o == "closed" or o in ((200, 0), (404, 404), (409, 409)) for o in outcomes), set(outcomes)


def _wait(root: str, timeout_ms: int, answers: dict):
    """A journal wait that nothing will satisfy: it holds a worker for timeout_ms, then answers 408."""
    try:
        response = requests.post(f"{root}/__admin/requests/wait", timeout=10, json={
            "match": {"operation": "createInteraction"}, "count": 1, "timeoutMs": timeout_ms})
        answers[timeout_ms] = (response.status_code, response.json()["status"]["code"])
    except requests.ConnectionError:
        answers[timeout_ms] = "closed"


def test_sigterm_answers_a_short_request_and_closes_a_long_one(served):
    server = served("--threads", "4")
    answers = {}
    waits = [threading.Thread(target=_wait, args=(server.root, ms, answers)) for ms in (300, 5000)]
    for wait in waits:
        wait.start()
    time.sleep(0.15)  # both are being served
    took, status, stderr = server.terminate()
    for wait in waits:
        wait.join(10)
    assert status == 0 and "Traceback" not in stderr, stderr
    assert took < 1.0, f"SIGTERM took {took:.2f} s with a request in flight"
    assert answers == {300: (408, 408), 5000: "closed"}


def test_sigterm_when_idle_exits_0(served):
    took, status, stderr = served().terminate()
    assert (status, stderr) == (0, "")
    assert took < 1.0


def test_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "mocknexus", "serve", "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"mocknexus: cannot listen on 127.0.0.1:{port}: ")


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "warning" in line]


def test_all_interfaces_warn_that_the_admin_api_is_exposed(served):
    server = served("--host", "0.0.0.0")
    assert server.root.startswith("http://0.0.0.0:")
    port = server.root.rsplit(":", 1)[1]
    health = requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=5)
    assert json.loads(health.text)["status"] == "ok"
    _, status, stderr = server.terminate()
    assert status == 0
    [warning] = _warnings(stderr)
    assert warning.startswith("mocknexus: warning: on 0.0.0.0 the admin API")
    assert "reachable from the network" in warning and "--admin-token" in warning


def test_no_warning_with_an_admin_token_or_on_loopback(served):
    token = served("--host", "0.0.0.0", "--admin-token", "s3cret").terminate()
    loopback = served().terminate()
    assert _warnings(token[2]) == [] and token[1] == 0
    assert _warnings(loopback[2]) == [] and loopback[1] == 0


def test_sigterm_with_webhook_deliveries_pending_drops_and_counts_them(served):
    from mocknexus.receiver import WebhookReceiver

    with WebhookReceiver(delay=5) as receiver:  # takes each POST and answers only 5 s later
        server = served()
        hook = {"url": receiver.url, "timeoutMs": 10000}
        assert requests.post(f"{server.root}/__admin/webhooks", json=hook, timeout=10).status_code == 200
        for n in range(3):
            answer = requests.post(f"{server.root}{BASE}/crm-tasks/interactions", json={"externalId": f"p-{n}"},
                                   headers=KEY, timeout=10)
            assert answer.status_code == 200
        receiver.wait_for(1)  # the first is on the wire; the other two wait for it
        took, status, stderr = server.terminate()
        time.sleep(0.3)
        assert len(receiver.received) == 1
    assert status == 0 and took < 1.0, f"SIGTERM took {took:.2f} s, exit {status}"
    assert "mocknexus: 2 pending webhook deliveries dropped at shutdown" in stderr
