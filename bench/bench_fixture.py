"""Costs of the pytest integration: per-test overhead of the `mocknexus` fixture, and MockNexus start/stop.

Run: .venv/bin/python bench/bench_fixture.py [--tests 300] [--cycles 50]   (prints figures; not a test)

1. Sandbox level: a fresh namespace made (by its first request) and dropped, minus the same request on a
   namespace that already exists; the fixture's own work without pytest around it.
2. pytest level: in one inner pytest run, N tests that each take `mocknexus` and make one admin call, and
   N tests making the same call on the session server's default namespace; (A - B) / N is what the fixture
   adds to each test, pytest's fixture machinery and the plugin's hooks included.
3. MockNexus: start() → first 200 → stop(), and stop() alone, over `--cycles` servers.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from requests import Session

from mocknexus import MockNexus
from mocknexus.client import AdminClient
from mocknexus.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = str(ROOT / "fixtures")


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def sandbox_overhead(n: int) -> tuple[float, float, float]:
    """Median seconds of: namespace made by one call and dropped in-process (the plugin with its own server),
    the same dropped by DELETE (an external server), and the same call on a namespace that exists."""
    with MockNexus(fixtures=[FIXTURES], port=0) as nexus, Session() as http:
        existing = AdminClient(nexus.root, "warm", session=http)
        local, remote, warm = [], [], []
        for _ in range(n):
            started = time.perf_counter()
            sandbox = Sandbox(nexus.root, session=http).open()
            sandbox.health()
            nexus.drop_namespace(sandbox.namespace)
            sandbox.close(drop=False)
            local.append(time.perf_counter() - started)
            started = time.perf_counter()
            sandbox = Sandbox(nexus.root, session=http).open()
            sandbox.health()
            sandbox.close()
            remote.append(time.perf_counter() - started)
            started = time.perf_counter()
            existing.health()
            warm.append(time.perf_counter() - started)
        return statistics.median(local), statistics.median(remote), statistics.median(warm)


INNER = """
import pytest
from mocknexus.client import AdminClient

@pytest.fixture(scope="session")
def default(mocknexus_server):
    return AdminClient(mocknexus_server.root)

def test_warm_up(mocknexus, default):  # pays for the server's start, outside both totals
    default.health()

@pytest.mark.parametrize("n", range({n}))
def test_with_fixture(mocknexus, n):
    mocknexus.health()

@pytest.mark.parametrize("n", range({n}))
def test_without(default, n):
    default.health()
"""

# Wall time of each test's whole protocol (setup, call, teardown, reporting), listed per test function.
TIMING_CONFTEST = """
import json, time
import pytest

TOTALS = {{}}

@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        TOTALS.setdefault(item.originalname, []).append(time.perf_counter() - started)

def pytest_collection_modifyitems(items):  # with[0], without[0], with[1], ...: both see the same load
    items.sort(key=lambda item: item.callspec.params["n"] if hasattr(item, "callspec") else -1)

def pytest_sessionfinish(session):
    with open({out!r}, "w") as out:
        json.dump(TOTALS, out)
"""


def pytest_overhead(n: int) -> float:
    """Seconds the `mocknexus` fixture adds to one test: median of N tests with it - median of N without."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "totals.json")
        Path(folder, "test_inner.py").write_text(INNER.format(n=n))
        Path(folder, "conftest.py").write_text(TIMING_CONFTEST.format(out=str(out)))
        Path(folder, "pytest.ini").write_text(f"[pytest]\nmocknexus_fixtures = {FIXTURES}\n")
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:schemathesis",
                        "-p", "no:hypothesispytest"], cwd=folder, capture_output=True, check=True)
        totals = json.loads(out.read_text())
    return statistics.median(totals["test_with_fixture"]) - statistics.median(totals["test_without"])


def server_cycles(n: int) -> tuple[list[float], list[float]]:
    """Seconds of start → first 200 → stop, and of stop() alone, per server."""
    cycles, stops = [], []
    with Session() as http:
        for _ in range(n):
            started = time.perf_counter()
            nexus = MockNexus(fixtures=[FIXTURES], port=0).start()
            http.get(nexus.root + "/__admin/health", headers={"Connection": "close"}).raise_for_status()
            stopping = time.perf_counter()
            nexus.stop()
            done = time.perf_counter()
            cycles.append(done - started)
            stops.append(done - stopping)
    return cycles, stops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--cycles", type=int, default=50)
    args = parser.parse_args()
    local, remote, warm = sandbox_overhead(args.tests)
    print(f"sandbox: new namespace + first call + drop: {ms(local)} median (own server), {ms(remote)} "
          f"(external server, drop by DELETE); the call alone {ms(warm)}; overhead {ms(local - warm)} "
          f"(own server), {ms(remote - warm)} (external) per test")
    print(f"pytest:  the mocknexus fixture adds {ms(pytest_overhead(args.tests))} per test "
          f"(median of {args.tests} tests with it minus median of {args.tests} without, whole test protocol)")
    cycles, stops = server_cycles(args.cycles)
    print(f"MockNexus start -> first 200 -> stop: median {ms(statistics.median(cycles))}, p95 {ms(p95(cycles))}, "
          f"max {ms(max(cycles))}; stop() alone: median {ms(statistics.median(stops))}, p95 {ms(p95(stops))}, "
          f"max {ms(max(stops))}")
    print(f"(load average when done: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
