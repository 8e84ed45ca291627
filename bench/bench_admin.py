"""Admin costs, in-process: reset after 100,000 creates (target < 5 ms), a fresh namespace (target < 2 ms),
and how soon POST /__admin/requests/wait answers after the matching request (real server). Not a test.

    .venv/bin/python bench/bench_admin.py [--creates 100000] [--rounds 5]
"""

import argparse
import statistics
import threading
import time
from pathlib import Path

import requests

from mocknexus.core.config import ServerConfig
from mocknexus.serving.server import MockNexus
from mocknexus.state.reaper import REAPER
from mocknexus.web.app import create_app

FIXTURES = str(Path(__file__).resolve().parent.parent / "fixtures")
KEY = {"x-api-key": "bench"}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def timed(call) -> tuple[float, float]:
    """(wall, CPU of this thread): the CPU figure does not count time the OS gave to other processes."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - wall, time.thread_time() - cpu


def summary(pairs) -> str:
    """Median, p99 and max; spikes in CPU are the garbage collector's passes over the heap, spikes in wall
    time alone are other processes (run it on a quiet machine)."""
    walls, cpus = sorted(w for w, _ in pairs), sorted(c for _, c in pairs)
    p99 = len(walls) * 99 // 100
    return (f"wall median {ms(statistics.median(walls))} p99 {ms(walls[p99])} max {ms(walls[-1])} | "
            f"CPU median {ms(statistics.median(cpus))} p99 {ms(cpus[p99])} max {ms(cpus[-1])}")


def fill(world, creates: int, journal: int) -> None:
    """Use the world as a long test run would: many creates, some stopped, a full journal."""
    store = world.store
    for n in range(creates):
        interaction = store.create_interaction("crm-tasks", f"ext-{n}", user_data={"n": n, "Subject": "bench"})
        if n % 10 == 0:
            store.stop_interaction("crm-tasks", interaction_id=interaction.id)
    for n in range(journal):
        world.journal.add({"path": f"/x/{n}", "headers": {"x-api-key": "k", "Host": "h"}, "body": {"n": n}})


def bench_reset(creates: int, rounds: int) -> None:
    app = create_app(ServerConfig(fixtures=[FIXTURES]))
    client = app.test_client()
    world = app.extensions["mocknexus"].default
    direct, http, drains = [], [], []
    for n in range(rounds):
        fill(world, creates, world.journal.size)
        started = time.perf_counter()
        if n % 2:
            direct.append(timed(world.reset))
        else:
            http.append(timed(lambda: client.post("/__admin/reset")))
        REAPER.wait_idle(60)
        drains.append(time.perf_counter() - started)
        assert len(world.store) == 3 and len(world.journal) == 0
    print(f"reset after {creates:,} creates + {world.journal.size:,} journal entries ({rounds} rounds):")
    print(f"  World.reset()            {summary(direct)}")
    print(f"  POST /__admin/reset      {summary(http)}  (Flask test client)")
    print(f"  background reaper frees  median {ms(statistics.median(drains))} later (off the request path)")


def bench_namespaces(count: int) -> None:
    app = create_app(ServerConfig(fixtures=[FIXTURES]))
    worlds = app.extensions["mocknexus"]
    times = [timed(lambda n=n: worlds.get(f"ns-{n}")) for n in range(count)]
    client = app.test_client()
    http = [timed(lambda n=n: client.get(f"/__ns/http-{n}/__admin/health")) for n in range(count)]
    print(f"fresh namespace ({count:,} of them, fixtures/ loaded):")
    print(f"  Worlds.get(new name)     {summary(times)}")
    print(f"  first request to /__ns/N {summary(http)}  (whole request, Flask test client)")


def _wait_for(root: str, ext: str, answered: list) -> None:
    body = {"match": {"path": f"ext_{ext}$"}, "timeoutMs": 10000}
    response = requests.post(f"{root}/__admin/requests/wait", json=body, timeout=15)
    answered.append((time.perf_counter(), response.status_code))


def bench_wait(rounds: int) -> None:
    delays = []
    with MockNexus(fixtures=[FIXTURES], port=0) as server:
        session = requests.Session()
        for n in range(rounds):
            answered = []
            thread = threading.Thread(target=_wait_for, args=(server.root, f"w-{n}", answered))
            thread.start()
            time.sleep(0.05)
            sent = time.perf_counter()
            session.get(f"{server.url}/openmedia/crm-tasks/interactions/ext_w-{n}", headers=KEY, timeout=5)
            thread.join(15)
            assert answered[0][1] == 200
            delays.append(answered[0][0] - sent)
    print(f"POST /__admin/requests/wait answered, after the matching request was sent ({rounds} rounds, real server):")
    print(f"  median {ms(statistics.median(delays))}  max {ms(max(delays))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--namespaces", type=int, default=2000)
    args = parser.parse_args()
    bench_reset(args.creates, args.rounds)
    bench_namespaces(args.namespaces)
    bench_wait(20)


if __name__ == "__main__":
    main()
