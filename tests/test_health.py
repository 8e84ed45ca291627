"""`mocknexus health` (§8): exit 0 when GET /__admin/health answers 200 in time, else 1 with one line saying why."""

import http.server
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from mocknexus import __version__, health
from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES, ROOT


def run(*argv, env=None, timeout=30):
    """The console command in a process of its own, as a container's health check runs it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKNEXUS_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "mocknexus", "health", *argv], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_live_server_is_healthy(live_server):
    result = run("--url", live_server.root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"ok: mocknexus {__version__} at {live_server.root}\n"


def test_the_vendor_url_works_as_the_root_too(live_server):
    assert run("--url", live_server.url + "/").returncode == 0


def test_a_dead_port_is_exit_1_with_one_line():
    port = free_port()
    result = run("--url", f"http://127.0.0.1:{port}")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"mocknexus health: http://127.0.0.1:{port}/__admin/health: Connection refused"]


def test_a_server_with_an_admin_token_is_healthy_without_it():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, admin_token="s3cret") as nexus:
        result = run("--url", nexus.root)
    assert result.returncode == 0, result.stderr


def test_only_mocknexus_host_and_port_set_as_in_a_container():
    """A real `serve` configured by MOCKNEXUS_* alone, probed by `health` configured by the same."""
    env = {"MOCKNEXUS_HOST": "0.0.0.0", "MOCKNEXUS_PORT": str(free_port()), "MOCKNEXUS_FIXTURES": str(FIXTURES),
           "MOCKNEXUS_ADMIN_TOKEN": "s3cret"}
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKNEXUS_")} | env
    proc = subprocess.Popen([sys.executable, "-m", "mocknexus", "serve"], cwd=ROOT, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line == f"mocknexus listening on http://0.0.0.0:{env['MOCKNEXUS_PORT']}\n", proc.stderr.read()
        result = run(env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"ok: mocknexus 0.1.0 at http://127.0.0.1:{env['MOCKNEXUS_PORT']}\n"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_without_url_or_variables_it_probes_127_0_0_1_8080():
    assert health.root_from({}) == "http://127.0.0.1:8080"
    assert health.root_from({"MOCKNEXUS_HOST": "::", "MOCKNEXUS_PORT": "9000"}) == "http://[::1]:9000"
    assert health.root_from({"MOCKNEXUS_HOST": "nexus.local", "MOCKNEXUS_PORT": ""}) == "http://nexus.local:8080"


def test_a_port_it_cannot_probe_is_exit_2():
    result = run(env={"MOCKNEXUS_PORT": "0"})
    assert result.returncode == 2
    assert result.stderr == "mocknexus health: MOCKNEXUS_PORT: '0' is not a port to probe (1-65535); give --url\n"


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: what a hung server looks like."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_server_fails_at_the_timeout(silent_server):
    started = time.monotonic()
    assert health.main(silent_server, 0.5, sys.stdout, sys.stderr) == 1
    assert 0.4 < time.monotonic() - started < 3
    result = run("--url", silent_server, "--timeout", "0.5")
    assert result.returncode == 1
    assert result.stderr == f"mocknexus health: {silent_server}/__admin/health: no answer within 0.5 s\n"


class _Other(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"<html>it works</html>" if self.path == "/__admin/health" else b""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_200_that_is_not_mocknexus_health_fails():
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Other) as other:
        threading.Thread(target=other.serve_forever, daemon=True).start()
        root = f"http://127.0.0.1:{other.server_address[1]}"
        assert health.main(root, 5, sys.stdout, sys.stderr) == 1
        result = run("--url", root)
        other.shutdown()
    assert result.returncode == 1
    assert result.stderr == f"mocknexus health: {root}/__admin/health: answered 200, but not with mocknexus's health\n"


def test_an_answer_other_than_200_fails(live_server):
    result = run("--url", live_server.root + "/nowhere")
    assert result.returncode == 1
    assert result.stderr.endswith("/nowhere/__admin/health: answered 404 NOT FOUND\n"), result.stderr


def test_health_imports_no_flask():
    code = "import sys; from mocknexus import cli; cli.build_parser(); import mocknexus.health; " \
           "print(sorted(m for m in ('flask', 'werkzeug', 'marshmallow', 'waitress', 'requests') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "[]", out.stderr
