"""Per-request cost of the WSGI apps without a socket: CPU µs per request per scenario, or a pyinstrument profile.

Run: .venv/bin/python bench/hotpath.py [--app mocknexus|flask|wsgi] [--profile SCENARIO] [-n N]
Steady where wrk is not on a busy machine: the CPU time of the app alone (no waitress, no socket), one thread."""

import argparse
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
BASE = "/nexus/v3/openmedia/crm-tasks/interactions"


def make_app(name: str):
    if name == "flask":
        from baseline_flask import create_app

        return create_app()
    if name == "wsgi":
        from baseline_wsgi import create_app

        return create_app()
    from mocknexus.core.config import ServerConfig
    from mocknexus.serving.accesslog import AccessLog
    from mocknexus.web.app import create_app

    return create_app(ServerConfig(fixtures=[str(ROOT / "fixtures")]), access_log=AccessLog())


def environ(method: str, path: str, body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "", "CONTENT_TYPE": "application/json" if body else "",
        "HTTP_HOST": "127.0.0.1:8080", "HTTP_X_API_KEY": "bench", "HTTP_USER_AGENT": "wrk",
    }


def call(app, method: str, path: str, body: bytes = b"") -> tuple[str, bytes]:
    got = []
    chunks = app(environ(method, path, body), lambda status, headers, exc_info=None: got.append(status))
    out = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return got[0], out


def scenarios(app, n: int, faults: bool = True) -> dict:
    """Each scenario as a function of the request number; seeds 1000 interactions first (and, for mocknexus,
    adds the benchmark's fault rules that match nothing, as `make bench` does)."""
    if faults:
        from bench import FAULT_RULES

        for rule in FAULT_RULES:
            assert call(app, "POST", "/__admin/faults", json.dumps(rule).encode())[0].startswith("200")
    ids = []
    for i in range(1000):
        status, out = call(app, "POST", BASE, json.dumps({"externalId": f"seed-{i}", "userData": {"N": i}}).encode())
        ids.append(json.loads(out)["data"]["id"])

    def create(i):
        body = {"externalId": f"c-{i}", "userData": {"Subject": f"Call back about invoice {i}", "Priority": 5}}
        return call(app, "POST", BASE, json.dumps(body).encode())

    return {
        "get-by-id": lambda i: call(app, "GET", f"{BASE}/{ids[i % 1000]}"),
        "get-by-ext": lambda i: call(app, "GET", f"{BASE}/ext_seed-{i % 1000}"),
        "create": create,
        "update": lambda i: call(app, "POST", f"{BASE}/ext_seed-{i % 1000}/update",
                                 json.dumps({"changedProperties": {"Priority": i % 10}}).encode()),
        "stop": lambda i: call(app, "POST", f"{BASE}/ext_c-{i}/stop", b"{}"),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", default="mocknexus", choices=["mocknexus", "flask", "wsgi"])
    parser.add_argument("--profile", metavar="SCENARIO", help="print a pyinstrument profile of one scenario")
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-faults", action="store_true", help="mocknexus without the benchmark's fault rules")
    args = parser.parse_args()
    app = make_app(args.app)
    sys.stdout = open("/dev/null", "w") if args.app == "mocknexus" else sys.stdout  # the access log
    report = sys.__stdout__
    runs = scenarios(app, args.n, args.app == "mocknexus" and not args.no_faults)
    for name, run in runs.items():
        if args.profile and name not in (args.profile, "create"):
            continue
        if args.profile == name:
            from pyinstrument import Profiler

            with Profiler(interval=0.0002) as profiler:
                for i in range(args.n):
                    run(i)
            report.write(profiler.output_text(unicode=True, show_all=False))
            continue
        spent = []
        for rep in range(args.repeat):  # the minimum of a few rounds: the least disturbed by the neighbours
            began = time.thread_time()
            for i in range(rep * args.n, (rep + 1) * args.n):
                status, _ = run(i)
            spent.append((time.thread_time() - began) / args.n * 1e6)
        spent = min(spent)
        report.write(f"{args.app:<10} {name:<11} {spent:7.1f} µs/request   (last: {status})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
