"""Output never stalls serving (§9, serving/output.py): `mocknexus serve` with stdout piped and never read,
with stdout closed, with stderr piped and never read: every request answered, lines dropped and counted,
SIGTERM still exit 0 within a second."""

import select
import signal
import socket
import subprocess
import sys
import threading
import time

from tests.conftest import BASE, FIXTURES, KEY, ROOT

BY_ID = f"{BASE}/crm-tasks/interactions/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"
# Patched in a child process: every get by id fails, so each answer is a 500 and a traceback on stderr.
FAILING = ("import sys; from mocknexus.state.store import InteractionStore;"
           "InteractionStore.get_interaction = lambda *a, **k: (_ for _ in ()).throw(RuntimeError('boom ' * 200));"
           "from mocknexus.cli import main; sys.exit(main(sys.argv[1:]))")


def start(*args, code: str | None = None) -> tuple[subprocess.Popen, int]:
    """`mocknexus serve` (or `code` running its main) with stdout and stderr piped; (process, port) once the
    listening line is read. The test then reads neither pipe again."""
    command = ["-c", code] if code else ["-m", "mocknexus"]
    proc = subprocess.Popen([sys.executable, *command, "serve", "--port", "0", "--fixtures", str(FIXTURES), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert select.select([proc.stdout], [], [], 30)[0], "no listening line within 30 s"
    line = proc.stdout.readline().decode()
    assert line.startswith("mocknexus listening on http://"), line
    return proc, int(line.rsplit(":", 1)[1])


def pipelined(port: int, n: int, connections: int = 4, path: str = BY_ID) -> list[bytes]:
    """n GETs, pipelined over a few keep-alive connections (sent and read at once); the status lines."""
    request = f"GET {path} HTTP/1.1\r\nHost: mocknexus\r\nx-api-key: {KEY['x-api-key']}\r\n\r\n".encode()
    statuses: list[bytes] = []

    def one(count: int) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sender = threading.Thread(target=sock.sendall, args=(request * count,))
        sender.start()
        got, buffer = 0, b""
        while got < count:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            buffer += chunk
            while True:  # whole answers off the front of the buffer
                head_end = buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    break
                head = buffer[:head_end]
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                if len(buffer) < head_end + 4 + length:
                    break
                statuses.append(head.split(b"\r\n")[0])
                buffer, got = buffer[head_end + 4 + length:], got + 1
        sender.join(30)
        sock.close()

    threads = [threading.Thread(target=one, args=(n // connections,)) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


def terminate(proc: subprocess.Popen) -> tuple[float, int]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        status = proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return time.monotonic() - started, status


def rss_kib(proc: subprocess.Popen) -> int:
    with open(f"/proc/{proc.pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_stdout_piped_and_never_read_50000_requests_all_answered_then_sigterm_exits_0():
    proc, port = start("--threads", "4")
    try:
        statuses = pipelined(port, 50_000)  # ~4 MB of access log: sixty times a pipe's buffer
        took, status = terminate(proc)
    finally:
        proc.kill()
    assert len(statuses) == 50_000 and set(statuses) == {b"HTTP/1.1 200 OK"}
    assert status == 0 and took < 1.0, (status, took)
    stderr = proc.stderr.read().decode()
    assert "Traceback" not in stderr
    dropped = [line for line in stderr.splitlines() if "could not be written" in line]
    assert len(dropped) == 1 and "line(s) of stdout" in dropped[0], stderr  # said once, counted


def test_stdout_closed_requests_answered_memory_bounded_exit_0_without_a_traceback():
    proc, port = start("--threads", "4", "--journal-size", "100")
    proc.stdout.close()  # the reader goes away: every write to stdout now fails (EPIPE)
    try:
        assert pipelined(port, 2_000).count(b"HTTP/1.1 200 OK") == 2_000  # warmed up: the heap at its size
        before = rss_kib(proc)
        statuses = pipelined(port, 20_000)
        grew = rss_kib(proc) - before
        took, status = terminate(proc)
    finally:
        proc.kill()
    assert statuses.count(b"HTTP/1.1 200 OK") == 20_000
    assert grew < 16 * 1024, f"RSS grew {grew} KiB over 20,000 requests with stdout closed"
    assert status == 0 and took < 1.0, (status, took)
    stderr = proc.stderr.read().decode()
    assert "Traceback" not in stderr and "line(s) of stdout" in stderr, stderr


def test_stderr_piped_and_never_read_while_errors_are_logged():
    proc, port = start("--threads", "2", "--access-log", "off", code=FAILING)
    try:
        statuses = pipelined(port, 2_000, connections=2)  # 2,000 tracebacks of ~2 KB: far past the pipe
        took, status = terminate(proc)
    finally:
        proc.kill()
    assert len(statuses) == 2_000 and set(statuses) == {b"HTTP/1.1 500 INTERNAL SERVER ERROR"}
    assert status == 0 and took < 1.0, (status, took)
    # --access-log off: after the listening line, only the dashboard's line of the start
    assert proc.stdout.read() == f"mocknexus dashboard: http://127.0.0.1:{port}/__admin/ui\n".encode()
