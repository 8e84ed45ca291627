"""The cost of fault matching per vendor request: with no rules (one truth test) and with a few rules that
never match. Prints ns per match() call and µs per request through the Flask test client; no server, no wrk."""

import statistics
import sys
import time
from pathlib import Path

from mocknexus.core.config import ServerConfig
from mocknexus.state.faults import FaultRegistry
from mocknexus.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
KEY = {"x-api-key": "bench"}
# Realistic rules that match nothing sent below (one of them needs the create body's externalId).
NON_MATCHING = [
    {"match": {"service": "no-such-service"}, "action": {"status": 503}},
    {"match": {"operation": "createInteraction", "externalId": "never-sent"}, "action": {"status": 500}},
    {"match": {"path": "/nothing/here$"}, "action": {"delay_ms": 250}},
]
FACTS = {"operation": "getInteractionByExternalId", "method": "GET", "path": f"{BASE}/ext_ticket-42",
         "service": "crm-tasks", "externalId": "ticket-42"}


def best_of(repeats: int, fn) -> float:
    return min(fn() for _ in range(repeats))


def per_call_ns(fn, n: int = 200_000) -> float:
    def run():
        started = time.perf_counter_ns()
        for _ in range(n):
            fn()
        return (time.perf_counter_ns() - started) / n
    return best_of(5, run)


def registry_figures() -> dict:
    from mocknexus.schemas.faults import rule_schema

    empty, busy = FaultRegistry(), FaultRegistry()
    for rule in NON_MATCHING:
        busy.add(**rule_schema.load(rule))
    config = ServerConfig()
    call = per_call_ns(lambda: None)  # the cost of the timing loop and a call, taken off every figure
    return {"api.py guard, no rules (rules or flag)": per_call_ns(lambda: empty.rules or config.allow_header_faults)
            - call,
            "match(), no rules": per_call_ns(lambda: empty.match(FACTS)) - call,
            "match(), 3 non-matching rules": per_call_ns(lambda: busy.match(FACTS)) - call}


def request_us(method: str, n: int = 1000, rounds: int = 7) -> tuple[float, float]:
    """Median µs per request through the Flask test client (routing, hooks, view, journal), with no rules and
    with the non-matching ones; the two apps take turns, so drift in the machine's load hits both alike."""
    clients = []
    for rules in ([], NON_MATCHING):
        client = create_app(ServerConfig(fixtures=[str(ROOT / "fixtures")], journal_size=100)).test_client()
        for rule in rules:
            assert client.post("/__admin/faults", json=rule).status_code == 200
        clients.append(client)
    counter = iter(range(10**9))

    def run(client):
        started = time.perf_counter()
        for _ in range(n):
            if method == "GET":
                response = client.get(f"{BASE}/ext_ticket-42", headers=KEY)
            else:
                response = client.post(BASE, json={"externalId": f"b-{next(counter)}"}, headers=KEY)
            assert response.status_code == 200
        return (time.perf_counter() - started) / n * 1e6

    times = [[run(client) for client in clients] for _ in range(rounds)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def main() -> int:
    print("fault matching, per request, net of the call itself (best of 5 runs of 200,000):")
    for name, ns in registry_figures().items():
        print(f"  {name:42} {ns:8.0f} ns")
    print("whole vendor request through the Flask test client (median of 7 alternating runs of 1,000):")
    for method in ("GET", "POST"):
        none, three = request_us(method)
        print(f"  {method:4} no rules {none:7.1f} µs   3 non-matching rules {three:7.1f} µs   "
              f"difference {three - none:+6.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
