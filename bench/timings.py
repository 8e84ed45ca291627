"""In-process timings of what thousands of short tests feel: start/stop, reset, new namespaces, memory, CLI start-up.

Run: .venv/bin/python bench/timings.py   (prints one line per figure, with the issue's target)."""

import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = str(ROOT / "fixtures")
KEY = {"x-api-key": "bench"}
SUBJECT = "Call back about invoice {n}: the customer asked twice and would like an answer before Friday noon."


def user_data(n: int) -> dict:
    """≈200 bytes of userData as JSON."""
    return {"Subject": SUBJECT.format(n=n), "Priority": n % 10, "Customer": {"Name": "Ada Lovelace",
            "Tier": "gold", "Ref": f"C-{n:08d}"}}


def fill(nexus, count: int) -> None:
    """`count` interactions straight into the default world's store (what the create view does, minus HTTP)."""
    store = nexus.app.extensions["mocknexus"].default.store
    for n in range(count):
        store.create_interaction("crm-tasks", f"fill-{n}-{len(store)}", None, None, user_data(n))


def report(what: str, value: float, unit: str, target: float | None = None) -> None:
    verdict = "" if target is None else (" ok" if value < target else f" OVER the target {target:g} {unit}")
    print(f"{what:<58} {value:10.1f} {unit}{verdict}", flush=True)


def start_first_stop(runs: int = 15) -> None:
    from mocknexus import MockNexus

    times = []
    for _ in range(runs):
        began = time.perf_counter()
        with MockNexus(fixtures=[FIXTURES], port=0) as nexus:
            assert requests.get(nexus.root + "/__admin/health").status_code == 200
        times.append((time.perf_counter() - began) * 1000)
    report("MockNexus start -> first 200 -> stop (median)", statistics.median(times), "ms", 100)


def reset_and_namespaces() -> None:
    from mocknexus import MockNexus

    with MockNexus(fixtures=[FIXTURES], port=0) as nexus, requests.Session() as http:
        resets = []
        for _ in range(3):
            fill(nexus, 100_000)
            began = time.perf_counter()
            assert http.post(nexus.root + "/__admin/reset").status_code == 200
            resets.append((time.perf_counter() - began) * 1000)
        report("POST /__admin/reset after 100,000 creates (median of 3)", statistics.median(resets), "ms", 5)
        warm, fresh = [], []
        for n in range(50):
            began = time.perf_counter()
            assert http.get(f"{nexus.root}/__ns/fresh-{n}/__admin/health").status_code == 200
            fresh.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            http.get(f"{nexus.root}/__ns/fresh-{n}/__admin/health")
            warm.append((time.perf_counter() - began) * 1000)
        extra = statistics.median(fresh) - statistics.median(warm)
        report("a fresh namespace (first request, median round trip)", statistics.median(fresh), "ms")
        report("  ... of which making the namespace (minus a warm request)", extra, "ms", 2)


def rss_child() -> None:
    """Runs in a child process so that nothing else is in its heap: RSS after 100,000 interactions."""
    from mocknexus import MockNexus

    with MockNexus(fixtures=[FIXTURES], port=0) as nexus:
        fill(nexus, 100_000)
        status = Path("/proc/self/status").read_text()
        print(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)


def rss() -> None:
    out = subprocess.run([sys.executable, __file__, "--rss-child"], capture_output=True, text=True, check=True)
    report("RSS with 100,000 interactions (≈200 B of userData each)", float(out.stdout.strip()), "MB", 300)
    print(f"{'':<58} (userData as JSON: {len(json.dumps(user_data(99_999)))} bytes)")


def listening_ms(argv: list[str]) -> tuple[float, float]:
    """Milliseconds from starting `argv` to its listening line on stdout: wall clock, and the CPU the process
    used meanwhile (steadier on a machine shared with other work)."""
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - began) * 1000
    proc.kill()  # at once: the CPU counted is the start-up's
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = -9
    proc.stdout.close()
    assert "listening on" in line, (argv, line)
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000


def cli_startup(runs: int = 9) -> None:
    """`mocknexus serve` against the minimal Flask app on waitress (bench/baseline_flask.py), interleaved."""
    serve = [str(Path(sys.executable).parent / "mocknexus"), "serve", "--port", "0", "--fixtures", FIXTURES]
    flask = [sys.executable, str(ROOT / "bench" / "baseline_flask.py"), "--port", "0"]
    # Flask's modules were compiled when pip installed them; ours, in an editable install, only by a first run,
    # and never where PYTHONDONTWRITEBYTECODE is set: then every start compiled all ~50 of them (50-90 ms).
    compileall.compile_dir(ROOT / "mocknexus", quiet=1)
    ours, floor = [], []
    for _ in range(runs):
        ours.append(listening_ms(serve))
        floor.append(listening_ms(flask))
    for n, what in enumerate(("", "CPU ")):
        mine, base = statistics.median(t[n] for t in ours), statistics.median(t[n] for t in floor)
        report(f"CLI start-up to the listening line, {what or 'wall '}(median)", mine, "ms", None if n else 500)
        report(f"  ... the minimal Flask app's, {what or 'wall '}(median, same runs)", base, "ms")
        report(f"  ... mocknexus / Flask, {what or 'wall'}", mine / base, "x", 1.3)


def big_fixture_load(count: int = 200_000) -> None:
    """A fixture file of `count` interactions (≈200 B of userData each): read and validated, and serve's start."""
    from mocknexus.core.clock import Clock
    from mocknexus.schemas.reader import load_fixtures

    path = Path(tempfile.gettempdir()) / f"mocknexus-timings-{count}.json"
    if not path.exists():
        interactions = [{"id": f"big-{n}", "externalId": f"big-{n}", "openMediaService": "crm-tasks",
                         "receivedAt": "2026-05-01T10:00:00.000Z", "userData": user_data(n)} for n in range(count)]
        path.write_text(json.dumps({"services": ["crm-tasks"], "interactions": interactions}))
    began = time.perf_counter()
    loaded = load_fixtures([str(path)], Clock().now())
    assert len(loaded.interactions) == count
    report(f"load_fixtures of {count:,} interactions (in-process)", (time.perf_counter() - began) * 1000, "ms")
    serve = [str(Path(sys.executable).parent / "mocknexus"), "serve", "--port", "0", "--fixtures", str(path)]
    wall, cpu = listening_ms(serve)
    report(f"CLI start-up with {count:,} fixture interactions, wall", wall, "ms", 2000)
    report("  ... CPU", cpu, "ms", 2000)


def tail_after_big_heap(stored: int = 200_000, requests_count: int = 3000) -> None:
    """One keep-alive client, creates after `stored` interactions: the GC pauses show in p99 and max."""
    from mocknexus import MockNexus

    with MockNexus(fixtures=[FIXTURES], port=0) as nexus, requests.Session() as http:
        fill(nexus, stored)
        url = nexus.url + "/openmedia/crm-tasks/interactions"
        times = []
        for n in range(requests_count):
            began = time.perf_counter()
            http.post(url, json={"externalId": f"tail-{n}", "userData": user_data(n)}, headers=KEY)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        report(f"create p50 after {stored:,} stored (1 client, in-process)", times[len(times) // 2], "ms")
        report(f"create p99 after {stored:,} stored (1 client, in-process)", times[int(len(times) * 0.99)], "ms", 10)
        report(f"create max after {stored:,} stored (1 client, in-process)", times[-1], "ms")
        gc_pauses(nexus)


def gc_pauses(nexus) -> None:
    """What a full collection costs with the store full, without and with the serve process's policy."""
    import gc

    from mocknexus.serving import gcpolicy

    began = time.perf_counter()
    gc.collect()
    report("a full GC pause with that heap (CPython defaults)", (time.perf_counter() - began) * 1000, "ms")
    gcpolicy.install()
    try:
        fill(nexus, 20_000)  # more interactions after the freeze: only these are walked
        began = time.perf_counter()
        gc.collect()
        report("  ... with gcpolicy (serve), after 20,000 more creates", (time.perf_counter() - began) * 1000, "ms")
    finally:
        gcpolicy.uninstall()


def main() -> int:
    if sys.argv[1:] == ["--rss-child"]:
        rss_child()
        return 0
    cli_startup()
    big_fixture_load()
    start_first_stop()
    reset_and_namespaces()
    rss()
    tail_after_big_heap()
    return 0


if __name__ == "__main__":
    sys.exit(main())
