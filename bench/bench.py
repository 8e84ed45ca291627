"""`make bench`: mocknexus against a minimal Flask app, a bare WSGI callable and Prism, driven by wrk.

Every server runs pinned to core 0 (waitress, the same thread count), wrk to core 1. Scenarios run at 16
connections and at 1; a last pass repeats the 16-connection scenarios on a mocknexus holding 200,000
interactions. Prints the table and writes bench/RESULTS.md."""

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRISM = ROOT / "bench" / "prism" / "node_modules" / ".bin" / "prism"
BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
HEADERS = {"x-api-key": "bench"}
SCENARIOS = ["get-by-id", "get-by-ext", "create", "mix", "update", "stop"]
SEEDED = 1000
BIG = 200_000
THREADS = 8  # mocknexus's default; the baselines get the same
WARMUP = 1  # seconds of get-by-id per server before the measured runs
# Rules that match nothing the benchmark sends: the fault check must cost little when nothing fires.
FAULT_RULES = [
    {"match": {"service": "no-such-service"}, "action": {"status": 503}},
    {"match": {"operation": "createInteraction", "externalId": "never-sent"}, "action": {"status": 500}},
    {"match": {"path": "/nothing/here$"}, "action": {"delay_ms": 250}},
]
NOTES: list[str] = []


def note(text: str) -> None:
    if text not in NOTES:
        NOTES.append(text)


def need_tools() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is missing; install it with `apt-get install -y wrk` (Debian/Ubuntu package `wrk`)")
    if shutil.which("taskset") is None:
        sys.exit("bench: taskset is missing; install it with `apt-get install -y util-linux`")


class Server:
    """A server process pinned to core 0; its stdout goes to a file, where we wait for the listening line."""

    def __init__(self, name: str, argv: list[str], pattern: str = r"listening on (http://\S+)"):
        self.name, self.argv, self.pattern = name, argv, pattern
        self.log = tempfile.NamedTemporaryFile("w+", prefix=f"bench-{name.split()[0]}-", suffix=".log")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(["taskset", "-c", "0", *argv], cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.url = self._wait()

    def _wait(self, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(self.pattern, Path(self.log.name).read_text(errors="replace"))
            if found:
                self.startup_ms = (time.perf_counter() - self.started) * 1000
                return found.group(1).rstrip("/")
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        sys.exit(f"bench: {self.name} did not start:\n{Path(self.log.name).read_text()[-2000:]}")

    def pause(self) -> None:
        """SIGSTOP the server (and any process it started) while another one is measured on its core."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def seed(url: str, tag: str, count: int = SEEDED) -> tuple[str, str]:
    """Creates `count` interactions through the vendor API; files of their ids and of their ext_ refs."""
    ids, exts = [], []
    with requests.Session() as session:
        for n in range(count):
            ext = f"seed-{tag}-{n}"
            reply = session.post(url + BASE, json={"externalId": ext, "userData": {"Subject": "seeded", "N": n}},
                                 headers=HEADERS)
            reply.raise_for_status()
            ids.append(reply.json()["data"]["id"])
            exts.append("ext_" + ext)
    return _lines(ids), _lines(exts)


def _lines(items) -> str:
    out = tempfile.NamedTemporaryFile("w", prefix="bench-refs-", suffix=".txt", delete=False)
    out.write("\n".join(items) + "\n")
    out.close()
    return out.name


COMMANDS: list[str] = []


def wrk(url: str, script: str, conns: int, seconds: int, *args, record: bool = True) -> dict:
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--timeout", "5s",
            "-s", f"bench/lua/{script}.lua", url, "--", *map(str, args)]
    if record and len(COMMANDS) < 6:
        COMMANDS.append(" ".join(argv))
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"bench: no summary from wrk:\n{out}")
    return json.loads(line[6:])


def scenario_args(name: str, conns: int, refs: tuple[str, str], made: dict, tag: str) -> tuple[str, list]:
    """The Lua script and its arguments; stop consumes what create (then mix) made in this round at this
    connection count (`tag` keeps each round's externalIds apart)."""
    ids, exts = refs
    return {
        "get-by-id": ("get", [ids]),
        "get-by-ext": ("get", [exts]),
        "create": ("create", [f"c{tag}"]),
        "mix": ("mix", [f"m{tag}", ids]),
        "update": ("update", [exts]),
        "stop": ("stop", [f"c{tag}", made.get("create", {}).get("requests", 0), f"m{tag}"]),
    }[name]


def add_fault_rules(url: str) -> None:
    for rule in FAULT_RULES:
        reply = requests.post(url + "/__admin/faults", json=rule)
        if reply.status_code != 200:
            note(f"POST /__admin/faults answered {reply.status_code}: mocknexus ran WITHOUT fault rules.")
            return
    note(f"mocknexus ran with {len(FAULT_RULES)} non-matching fault rules: {json.dumps(FAULT_RULES)}")


def mocknexus(name: str, *fixtures: str, tree: str | None = None) -> Server:
    """`mocknexus serve` with the benchmark's fault rules; `tree`: the mocknexus of that checkout (ab.py)."""
    argv = [str(BIN / "mocknexus"), "serve", "--port", "0", "--fixtures", "fixtures/"]
    for extra in fixtures:
        argv += ["--fixtures", extra]
    if tree is not None:  # the console script, not `python -m`: that would put this checkout first on sys.path
        argv = ["env", f"PYTHONPATH={Path(tree).resolve()}", *argv]
    server = Server(name, argv)
    try:
        add_fault_rules(server.url)
    except BaseException:
        server.stop()
        raise
    return server


def prism() -> Server | None:
    if not PRISM.exists():
        note("Prism is not installed (make bench installs it with npm into bench/prism/): no peer column.")
        return None
    probe = mocknexus("mocknexus (for its openapi.json)")
    reply = requests.get(probe.url + "/openapi.json")
    probe.stop()
    if reply.status_code != 200:
        note(f"GET /openapi.json answered {reply.status_code}: Prism (the peer column) was not run.")
        return None
    spec = tempfile.NamedTemporaryFile("w", prefix="bench-openapi-", suffix=".json", delete=False)
    spec.write(reply.text)
    spec.close()
    return Server("prism", [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(_free_port()), spec.name],
                  pattern=r"Prism is listening on (http://\S+)")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def big_fixture() -> str:
    """A fixture file of BIG interactions (≈200 bytes of userData each) for the loaded pass."""
    path = Path(tempfile.gettempdir()) / f"mocknexus-bench-{BIG}.json"
    if not path.exists():
        interactions = [
            {"id": f"big-{i}", "externalId": f"big-{i}", "openMediaService": "crm-tasks",
             "userData": {"Subject": f"Call back about invoice {i} (a long-ish subject line, as real ones are)",
                          "Priority": i % 10, "Customer": {"Name": "Ada Lovelace", "Tier": "gold",
                                                           "Ref": f"C-{i:08d}", "Phone": "+447700900123"}}}
            for i in range(BIG)]
        path.write_text(json.dumps({"interactions": interactions}))
    return str(path)


def run_all(servers: dict, seconds: int, rounds: int) -> dict:
    """Round by round, scenario by scenario, each server in turn, so that a noisy neighbour on the machine
    hits them alike; each cell is then the median of its rounds (rps, p50 and p99 each on its own).
    Only the server being measured runs: the others are stopped (SIGSTOP), so that their timers and
    background work (Prism's, a mocknexus walking its heap while idle) do not take core 0 from it."""
    refs = {name: seed(server.url, "s") for name, server in servers.items()}
    for name, server in servers.items():  # not measured: the first run of each server pays for warming up
        wrk(server.url, "get", 16, WARMUP, refs[name][0], record=False)
        server.pause()
    runs: dict = {name: {} for name in servers}  # name -> conns -> scenario -> [result per round]
    for round_no in range(1, rounds + 1):
        for conns in (16, 1):
            for scenario in SCENARIOS:
                for name, server in servers.items():
                    if name == "mocknexus 200k" and conns != 16:
                        continue
                    cells = runs[name].setdefault(conns, {})
                    made = {key: results[-1] for key, results in cells.items() if len(results) == round_no}
                    script, args = scenario_args(scenario, conns, refs[name], made, f"{conns}r{round_no}")
                    server.resume()
                    try:
                        cells.setdefault(scenario, []).append(wrk(server.url, script, conns, seconds, *args))
                    finally:
                        server.pause()
                print(f"bench: round {round_no}/{rounds}, {scenario} at {conns} connections: "
                      + ", ".join(f"{n} {runs[n][conns][scenario][-1]['rps']:,.0f}/s" for n in servers
                                  if scenario in runs[n].get(conns, {})), flush=True)
    return {name: {conns: {scenario: _median(results) for scenario, results in cells.items()}
                   for conns, cells in by_conns.items()} for name, by_conns in runs.items()}


def _median(results: list[dict]) -> dict:
    """Each number the median of the rounds (a single 4 s run varies by ~10% here); non-2xx answers summed."""
    out = {key: statistics.median(r[key] for r in results) for key in ("rps", "p50", "p99", "max")}
    out["non2xx"] = sum(r["non2xx"] for r in results)
    return out


def versions() -> dict:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    out.update({name: version(name) for name in ("mocknexus", "flask", "werkzeug", "waitress", "marshmallow")})
    out["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    if PRISM.exists():
        out["prism"] = subprocess.run([str(PRISM), "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    out["commit"] = commit.stdout.strip() + (" (+ uncommitted changes)" if _dirty() else "")
    return out


def _dirty() -> bool:
    status = subprocess.run(["git", "status", "--porcelain", "mocknexus"], cwd=ROOT, capture_output=True, text=True)
    return bool(status.stdout.strip())


def cell(result: dict | None) -> str:
    if result is None:
        return "—"
    bad = f" ({result['non2xx']} non-2xx)" if result["non2xx"] else ""
    return f"{result['rps']:,.0f} / {result['p50']:.1f} / {result['p99']:.1f}{bad}"


def table(results: dict, columns: list[str]) -> list[str]:
    """Markdown rows: per scenario and connection count, req/s / p50 ms / p99 ms, and the ratios."""
    head = ["scenario", "conns", *columns, "mocknexus / Flask", "mocknexus / Prism"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for conns in (16, 1):
        for scenario in SCENARIOS:
            got = {name: results.get(name, {}).get(conns, {}).get(scenario) for name in columns}
            ours, flask, peer = got.get("mocknexus"), got.get("Flask (minimal)"), got.get("Prism")
            ratio = f"{ours['rps'] / flask['rps']:.2f}" if ours and flask else "—"
            beat = f"{ours['rps'] / peer['rps']:.2f}" if ours and peer else "—"
            cells = " | ".join(cell(got[n]) for n in columns)
            rows.append(f"| {scenario} | {conns} | {cells} | {ratio} | {beat} |")
    return rows


def write_results(results: dict, columns: list[str], startup: dict, seconds: int, rounds: int,
                  extra: tuple = ()) -> str:
    info = versions()
    lines = [
        "# mocknexus benchmark", "",
        f"Written by `make bench` (bench/bench.py) on {datetime.now(UTC):%Y-%m-%d %H:%M UTC}; "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), servers pinned to core 0 "
        "(the one being measured runs, the others are stopped with SIGSTOP), wrk to core 1; "
        f"waitress with {THREADS} threads for every Python server; {seconds} s per run, "
        f"{rounds} rounds, each cell the median of its rounds. "
        f"Load average at the end: {os.getloadavg()[0]:.1f} (above ~2, other processes shared the cores: "
        "p99 then measures the scheduler more than the server).", "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in info.items()), "",
        "Each cell: requests/s / p50 ms / p99 ms. `mocknexus` is `mocknexus serve --fixtures fixtures/` "
        "(default settings, journal on); `mocknexus 200k` is the same with 200,000 more interactions loaded "
        f"from a fixture file (16 connections only). Every server first gets {SEEDED} interactions through "
        "the vendor API (the get, mix and update targets); stop stops what create and mix made.", "",
        *table(results, columns), "", *extra,
        "Start-up to the listening line (ms, as a subprocess, pinned): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in startup.items()), "",
        "Notes:", *(f"- {note}" for note in NOTES), "",
        "Commands (the first six; every other run differs only in the URL, -c and the script arguments):", "```sh",
        *COMMANDS, "```", "",
    ]
    text = "\n".join(lines)
    (ROOT / "bench" / "RESULTS.md").write_text(text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="wrk duration of each run")
    parser.add_argument("--only", choices=["mocknexus", "baselines", "pair"],
                        help="skip the other servers (pair: the minimal Flask app and mocknexus)")
    parser.add_argument("--no-big", action="store_true", help="skip the 200,000-interaction pass")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every run; each cell is their median")
    parser.add_argument("--no-held", action="store_true", help="skip the held-requests pass (bench/held.py)")
    args = parser.parse_args(argv)
    need_tools()
    # Flask's modules were compiled when pip installed them; ours, in an editable install, only by a first run,
    # and never where PYTHONDONTWRITEBYTECODE is set: its start-up would then include compiling every module.
    compileall.compile_dir(ROOT / "mocknexus", quiet=1)
    python, threads = str(BIN / "python"), ["--threads", str(THREADS)]
    plan = []
    if args.only not in ("mocknexus", "pair"):
        plan.append(("bare WSGI", lambda: Server("bare WSGI", [python, "bench/baseline_wsgi.py", *threads])))
    if args.only != "mocknexus":
        plan.append(("Flask (minimal)", lambda: Server("Flask", [python, "bench/baseline_flask.py", *threads])))
        note("The baselines run on waitress as it comes (create_server), as a minimal app would: it sends an "
             "answer's headers and body in two sends, and logs 'Task queue depth is N' to stderr for every "
             "request that waits for a thread. mocknexus's server sends each answer in one and says the latter "
             "at most every 10 s (wire.py, server.py).")
    if args.only != "baselines":
        plan.append(("mocknexus", lambda: mocknexus("mocknexus")))
        if not args.no_big:
            plan.append(("mocknexus 200k", lambda: mocknexus("mocknexus 200k", big_fixture())))
    if args.only is None:
        plan.append(("Prism", prism))
    servers = {}
    try:
        for name, start in plan:
            server = start()
            if server is not None:
                servers[name] = server
                print(f"bench: {name} at {server.url} (started in {server.startup_ms:.0f} ms)", flush=True)
        results = run_all(servers, args.seconds, args.rounds)
        extra = () if args.no_held or "mocknexus" not in servers else held_pass(servers["mocknexus"], args)
    finally:
        for server in servers.values():
            server.stop()
    startup = {name: server.startup_ms for name, server in servers.items()}
    print(write_results(results, list(servers), startup, args.seconds, args.rounds, extra))
    return 0


def held_pass(server: Server, args) -> list[str]:
    """get-by-id with 500 delayed requests open, beside none (bench/held.py); its RESULTS.md lines."""
    import held

    server.resume()
    try:
        ids, _ = seed(server.url, "h")
        result = held.measure(server, ids, args.seconds, args.rounds)
    finally:
        server.pause()
    print(f"bench: held requests: {result['held']['rps']:,.0f}/s with {held.HELD} held, "
          f"{result['none']['rps']:,.0f}/s with none", flush=True)
    return held.lines(result)


if __name__ == "__main__":
    sys.exit(main())
