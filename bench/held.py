"""The held case of `make bench`: mocknexus's get-by-id throughput while 500 delayed requests are open (in
another namespace), beside the same with none, round by round; the ratio says what held requests cost.

Run alone: .venv/bin/python bench/held.py [--seconds 4] [--rounds 3] [--held 500]   (needs wrk, taskset)"""

import argparse
import os
import socket
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (bench/ is not a package)

HELD = 500


def open_held(url: str, count: int, seconds: float) -> list[socket.socket]:
    """`count` connections, each a get delayed by a fault rule of namespace `held` until just past the run."""
    requests.delete(f"{url}/__ns/held/__admin/faults").raise_for_status()
    requests.post(f"{url}/__ns/held/__admin/faults", json={
        "match": {"operation": "getInteractionByExternalId"}, "action": {"delay_ms": int((seconds + 2) * 1000)}},
    ).raise_for_status()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    request = (f"GET /__ns/held{bench.BASE}/ext_ticket-42 HTTP/1.1\r\nHost: {host}\r\n"
               f"x-api-key: bench\r\n\r\n").encode()
    held = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(request)
        held.append(sock)
    return held


def answered(held: list[socket.socket], within: float = 10.0) -> None:
    """Read each held request's answer (they are due just after the run), then close."""
    deadline = time.monotonic() + within
    for sock in held:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            sock.recv(65536)
        except OSError:
            pass
        sock.close()


def measure(server: "bench.Server", ids: str, seconds: int, rounds: int, count: int = HELD) -> dict:
    """{"none": median result, "held": median result} of get-by-id at 16 connections, alternating."""
    runs: dict = {"none": [], "held": []}
    for _ in range(rounds):
        for case in ("none", "held"):
            held = open_held(server.url, count, seconds) if case == "held" else []
            time.sleep(1.0 if held else 0)  # every one of them in, and parked
            try:
                runs[case].append(bench.wrk(server.url, "get", 16, seconds, ids, record=False))
            finally:
                answered(held)  # so that none is still open, holding a connection, in the next run
    return {case: bench._median(results) for case, results in runs.items()}


def lines(result: dict, count: int = HELD) -> list[str]:
    """The RESULTS.md section."""
    none, held = result["none"], result["held"]
    return [
        f"Held requests: get-by-id at 16 connections on `mocknexus serve` while {count} requests delayed by a "
        "fault rule (in another namespace) are open, beside the same with none, alternating, each the median "
        "of its rounds (bench/held.py):", "",
        "| case | requests/s / p50 ms / p99 ms |", "|---|---|",
        f"| none held | {bench.cell(none)} |", f"| {count} held | {bench.cell(held)} |",
        f"| held / none | {held['rps'] / none['rps']:.2f} |", "",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--held", type=int, default=HELD)
    args = parser.parse_args(argv)
    bench.need_tools()
    server = bench.mocknexus("mocknexus")
    try:
        ids, _ = bench.seed(server.url, "h")
        bench.wrk(server.url, "get", 16, bench.WARMUP, ids, record=False)
        result = measure(server, ids, args.seconds, args.rounds, args.held)
    finally:
        server.stop()
    print("\n".join(lines(result, args.held)))
    print(f"(medians of {args.rounds} rounds of {args.seconds} s; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
